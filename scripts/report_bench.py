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


if __name__ == "__main__":
    main()
