#!/usr/bin/python3
"""Top-K table: ns per stream element by implementation (rows) and K (columns), for one n and stream order.

usage: scripts/report_top_k.py RESULTS_DIR [N] [DISTRIBUTION]      e.g. results/top_k 10000000 random
"""
import json
import sys

import h5py

METHODS = ["binary_heap", "quad_heap", "std_priority_queue", "std_partial_sort", "std_nth_element", "boost_d_ary4",
           "boost_pairing", "boost_fibonacci"]


def main():
    folder = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000000
    dist = sys.argv[3] if len(sys.argv) > 3 else "random"
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        status = list(f["runs/status"].asstr()[:])
        finals = {k: f["runs/final/" + k][:] for k in f["runs/final"]}
    cols = {}
    for i, s in enumerate(swept):
        if status[i] == "ok" and s.get("algorithm.n") == n and s.get("algorithm.distribution", "random") == dist:
            cols[s["algorithm.k"]] = i
    ks = sorted(cols)
    print("| method \\ K | " + " | ".join(str(k) for k in ks) + " |")
    print("|---|" + "---|" * len(ks))
    for m in METHODS:
        key = m + "_ns_per_element"
        if key in finals:
            print("| %s | %s |" % (m, " | ".join("%.2f" % finals[key][cols[k]] for k in ks)))
    print("\nns per stream element, best of the repeats; n = %d, %s stream; every answer equal to the binary heap's." % (n, dist))


if __name__ == "__main__":
    main()
