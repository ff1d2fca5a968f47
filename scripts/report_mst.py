#!/usr/bin/python3
"""MST table: per input kind and size, milliseconds (mean over seeds) of Boost.Graph's Kruskal and Prim and
of ours, with our speedup over Boost's Kruskal in brackets, then the log-log slope of time vs edges.

usage: scripts/report_mst.py RESULTS_DIR        e.g. results/mst
"""
import json
import math
import sys
from collections import defaultdict

import h5py

IMPLS = ["boost_kruskal", "boost_prim", "kruskal", "filter_kruskal", "prim_lazy", "prim_indexed", "boruvka_1t",
         "boruvka_2t", "filter_boruvka_1t", "filter_boruvka_2t"]


def slope(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly)) / den if den > 0 else float("nan")


def main():
    folder = sys.argv[1]
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        status = list(f["runs/status"].asstr()[:])
        finals = {k: f["runs/final/" + k][:] for k in f["runs/final"]}
    groups = defaultdict(list)  # (input, n, levels) -> run rows
    for i, s in enumerate(swept):
        if status[i] != "ok":
            continue
        key = (s.get("algorithm.input", "gnm"), int(finals["vertices"][i]), int(s.get("algorithm.weight_levels", 0)),
               int(s.get("algorithm.m", 0)))
        groups[key].append(i)
    impls = [m for m in IMPLS if m + "_ms" in finals]
    print("| input | vertices | edges | " + " | ".join(impls) + " |")
    print("|---|---|---|" + "---|" * len(impls))
    series = defaultdict(list)  # (input, impl) -> [(edges, ms)]
    for key in sorted(groups):
        rows = groups[key]
        edges = sum(finals["edges"][i] for i in rows) / len(rows)
        boost = sum(finals["boost_kruskal_ms"][i] for i in rows) / len(rows)
        cells = []
        for m in impls:
            vals = [finals[m + "_ms"][i] for i in rows if not math.isnan(finals[m + "_ms"][i])]
            if not vals:
                cells.append("-")
                continue
            ms = sum(vals) / len(vals)
            series[(key[0], key[2], m)].append((edges, ms))
            cells.append("%.1f" % ms if m.startswith("boost") else "%.1f (%.2fx)" % (ms, boost / ms))
        label = key[0] + (" (ties: %d levels)" % key[2] if key[2] else "")
        comps = sum(finals["components"][i] for i in rows) / len(rows)
        label += " (%d components)" % comps if comps > 1.5 else ""
        print("| %s | %d | %.3g | %s |" % (label, key[1], edges, " | ".join(cells)))
    print("\nms, best of the repeats, mean over seeds; (x) = Boost.Graph Kruskal's time / ours. Every forest was"
          " verified against Boost's.")
    print("\nlog-log slope of time vs edges:\n")
    inputs = sorted({(k[0], k[2]) for k in groups})
    print("| implementation | " + " | ".join(i + (" (ties)" if lv else "") for i, lv in inputs) + " |")
    print("|---|" + "---|" * len(inputs))
    for m in impls:
        cells = []
        for inp in inputs:
            pts = [p for p in series.get(inp + (m,), []) if p[1] > 0]
            wide = len(pts) >= 2 and max(p[0] for p in pts) > 2 * min(p[0] for p in pts)
            cells.append("%.2f" % slope(*zip(*pts)) if wide else "-")
        print("| %s | %s |" % (m, " | ".join(cells)))


if __name__ == "__main__":
    main()
