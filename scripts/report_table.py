#!/usr/bin/python3
"""Markdown table of one final metric from a genlab results folder, mean +- std over seeds.

usage: scripts/report_table.py RESULTS_DIR ROW_KEY COL_KEY METRIC
  e.g. scripts/report_table.py results/density_toys dataset.name model.components test_nll
COL_KEY may join several swept keys with commas (model.rule,model.bias): one column per combination.
Reads only the HDF5 index (experiment.h5) with h5py; rows and columns are swept keys.
"""
import json
import math
import sys
from collections import defaultdict

import h5py


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return ("%d" % v) if isinstance(v, int) else str(v)


def main():
    folder, row_key, col_key, metric = sys.argv[1:5]
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        status = list(f["runs/status"].asstr()[:])
        values = f["runs/final/" + metric][:]
        commit = f.attrs["git_commit"]
    cells = defaultdict(list)
    rows, cols = [], []
    for s, st, v in zip(swept, status, values):
        if st != "ok" or math.isnan(v):
            continue
        r = s[row_key]
        c = "/".join(fmt(s[k]) for k in col_key.split(","))
        if r not in rows:
            rows.append(r)
        if c not in cols:
            cols.append(c)
        cells[(r, c)].append(v)
    print("| %s \\ %s | %s |" % (row_key, col_key.replace(",", "/"), " | ".join(fmt(c) for c in cols)))
    print("|---|" + "---|" * len(cols))
    for r in rows:
        out = []
        for c in cols:
            xs = cells[(r, c)]
            if not xs:
                out.append("")
                continue
            m = sum(xs) / len(xs)
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
            out.append("%.3f ± %.3f" % (m, sd))
        print("| %s | %s |" % (fmt(r), " | ".join(out)))
    n = sum(len(v) for v in cells.values())
    print("\n%s, mean ± std over seeds; %d runs ok of %d; genlab commit %s." % (metric, n, len(status), commit))


if __name__ == "__main__":
    main()
