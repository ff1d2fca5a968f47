#!/usr/bin/env python3
"""Table of genlab vs PyTorch training throughput from a bench_vs_pytorch.sh results folder (medians over reps)."""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    d = sys.argv[1]
    ours, theirs = defaultdict(list), defaultdict(list)
    ceiling = defaultdict(list)
    for r in load(f"{d}/genlab.jsonl"):
        ours[(r["model"], r["threads"])].append(r["examples_per_s"])
        ceiling[(r["model"], r["threads"])].append(r["ceiling"])
    for r in load(f"{d}/pytorch.jsonl"):
        theirs[(r["model"], r["threads"])].append(r["examples_per_s"])
    print("| model | threads | genlab ex/s (median [min-max]) | PyTorch tuned ex/s | ratio | genlab GEMM-bound ceiling | of ceiling | reps |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(ours):
        o, t = ours[key], theirs.get(key, [])
        mo = statistics.median(o)
        mt = statistics.median(t) if t else float("nan")
        mc = statistics.median(ceiling[key])
        print(f"| {key[0]} | {key[1]} | {mo:.0f} [{min(o):.0f}-{max(o):.0f}] | "
              f"{mt:.0f} [{min(t, default=float('nan')):.0f}-{max(t, default=float('nan')):.0f}] | "
              f"{mo / mt:.2f}x | {mc:.0f} | {100 * mo / mc:.0f}% | {len(o)} |")


def gemm_table(d):
    import csv
    import os
    if not os.path.exists(f"{d}/genlab_gemm.jsonl"):
        return
    ours, peak, theirs = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in load(f"{d}/genlab_gemm.jsonl"):
        key = (r["threads"], r["M"], r["K"], r["N"])
        ours[key].append(r["gflops"])
        peak[key].append(r["peak_now"] * r["threads"])
    with open(f"{d}/torch_gemm.csv") as f:
        for row in csv.reader(f):
            if row and row[0] == "torch.matmul":
                theirs[(int(row[2]), int(row[3]), int(row[4]), int(row[5]))].append(float(row[6]))
    print()
    print("| GEMM (MxK)(KxN) | threads | genlab GFLOP/s | of nominal peak (223/core) | of FMA peak measured in the run |"
          " torch.matmul (OpenBLAS AVX-512) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted(ours):
        t, m, k, n = key
        o = statistics.median(ours[key])
        p = statistics.median(peak[key])
        th = statistics.median(theirs[key]) if theirs.get(key) else float("nan")
        print(f"| ({m}x{k})({k}x{n}) | {t} | {o:.1f} | {100 * o / (223 * t):.0f}% | {100 * o / p:.0f}% | {th:.1f} |"
              f" {o / th:.2f}x |")


if __name__ == "__main__":
    main()
    gemm_table(sys.argv[1])
