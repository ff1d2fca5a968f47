#!/usr/bin/python3
"""Traversal table: for one tree size, per order and method, ns per node (mean over seeds) and peak
auxiliary memory (stack / queue / recursion frames) for each tree shape.

usage: scripts/report_trees.py RESULTS_DIR [N]      e.g. results/tree_traversals 1000000
"""
import json
import math
import sys
from collections import defaultdict

import h5py

ORDERS = ["pre", "in", "post", "level"]
METHODS = ["recursive", "iterative", "colour", "morris"]


def human(b):
    for unit in ["B", "KiB", "MiB", "GiB"]:
        if b < 1024:
            return "%.0f %s" % (b, unit)
        b /= 1024
    return "%.1f TiB" % b


def main():
    folder, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        finals = {k: f["runs/final/" + k][:] for k in f["runs/final"]}
    shapes, cells = [], defaultdict(list)
    for i, s in enumerate(swept):
        if s["algorithm.n"] != n:
            continue
        shape = s["algorithm.shape"]
        if shape not in shapes:
            shapes.append(shape)
        for o in ORDERS:
            for m in METHODS:
                key = "%s_%s" % (o, m)
                if key + "_refused" in finals and finals[key + "_refused"][i] == 1:
                    cells[(o, m, shape)].append(None)
                elif key + "_ns_per_node" in finals and not math.isnan(finals[key + "_ns_per_node"][i]):
                    cells[(o, m, shape)].append((finals[key + "_ns_per_node"][i], finals[key + "_peak_bytes"][i]))
    print("| order | method | " + " | ".join(shapes) + " |")
    print("|---|---|" + "---|" * len(shapes))
    for o in ORDERS:
        for m in METHODS:
            row = []
            for shape in shapes:
                xs = cells.get((o, m, shape), [])
                if not xs:
                    row.append("n/a")
                elif any(x is None for x in xs):
                    row.append("refused")
                else:
                    ns = sum(x[0] for x in xs) / len(xs)
                    row.append("%.1f ns, %s" % (ns, human(max(x[1] for x in xs))))
            if any(c != "n/a" for c in row):
                print("| %s | %s | %s |" % (o, m, " | ".join(row)))
    print("\nn = %d nodes; ns per node (best of the repeats, mean over seeds), peak auxiliary memory." % n)


if __name__ == "__main__":
    main()
