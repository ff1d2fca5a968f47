#!/usr/bin/python3
"""Markdown table of a streams_median results folder, read from its HDF5 index with h5py.

usage: scripts/report_streams_median.py results/streams_median
Prints mean ns per add()+median() over seeds for each stream size, order and type, and the log-log slope of
cost per operation against n (0 = constant per operation; the two-heap median is O(log n) per add).
"""
import json
import math
import sys
from collections import defaultdict

import h5py


def main():
    folder = sys.argv[1]
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        status = list(f["runs/status"].asstr()[:])
        op_ns = f["runs/final/op_ns"][:]
        verified = f["runs/final/verified_steps"][:]
        commit = f.attrs["git_commit"]
    cells = defaultdict(list)
    for s, st, t in zip(swept, status, op_ns):
        if st == "ok":
            cells[(s["algorithm.distribution"], s["algorithm.value_type"], s["algorithm.n"])].append(t)
    sizes = sorted({k[2] for k in cells})
    rows = sorted({(k[0], k[1]) for k in cells})
    print("| order | type | " + " | ".join("n=%g" % n for n in sizes) + " | log-log slope |")
    print("|---|---|" + "---|" * len(sizes) + "---|")
    for dist, vt in rows:
        means = [sum(cells[(dist, vt, n)]) / len(cells[(dist, vt, n)]) for n in sizes]
        xs, ys = [math.log(n) for n in sizes], [math.log(m) for m in means]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print("| %s | %s | %s | %.3f |" % (dist, vt, " | ".join("%.1f" % m for m in means), slope))
    print("\nns per add()+median(), mean over %d seeds; %d runs ok of %d, verified against the reference (%d verified steps in all); "
          "genlab commit %s." % (len(swept) // max(1, len(cells)), status.count("ok"), len(status), int(sum(verified)), commit))


if __name__ == "__main__":
    main()
