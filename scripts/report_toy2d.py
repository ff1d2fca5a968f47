#!/usr/bin/python3
"""Tables of experiments/toy2d.yaml: test NLL per flow and density, and rectified flow's sample quality
(energy distance to the test points) and straightness against the number of Euler steps.

usage: scripts/report_toy2d.py RESULTS_DIR      (e.g. results/toy2d)
Reads only the HDF5 index (experiment.h5) with h5py. Mean +- std over seeds.
"""
import json
import math
import sys
from collections import defaultdict

import h5py


def label(swept):
    if swept.get("model.name") == "rectified_flow":
        return "rectified flow + reflow" if swept.get("model.reflow_after") else "rectified flow"
    layers = json.dumps(swept.get("model.layers"))
    if "lu_linear" in layers:
        return "Glow-style"
    if "additive_coupling" in layers:
        return "NICE"
    return "affine coupling"


def stat(xs, digits=3):
    if not xs:
        return ""
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return "%.*f ± %.*f" % (digits, m, digits, sd)


def main():
    folder = sys.argv[1]
    with h5py.File(folder + "/experiment.h5", "r") as f:
        swept = [json.loads(s) for s in f["runs/swept"].asstr()[:]]
        status = list(f["runs/status"].asstr()[:])
        finals = {k: f["runs/final/" + k][:] for k in f["runs/final"].keys()}
        commit = f.attrs["git_commit"]
    nll = defaultdict(list)
    models, datasets = [], []
    steps = sorted({int(k.split("_")[-1]) for k in finals if k.startswith("test_energy_")})
    rf = defaultdict(list)
    rf_kinds = []
    for i, (s, st) in enumerate(zip(swept, status)):
        if st != "ok":
            continue
        m, d = label(s), s["dataset.name"]
        if m not in models:
            models.append(m)
        if d not in datasets:
            datasets.append(d)
        rectified = m.startswith("rectified flow")
        key = "test_nll_ode" if rectified else "test_nll"
        if key in finals and not math.isnan(finals[key][i]):
            nll[(d, m)].append(float(finals[key][i]))
        if rectified:
            # (flow, prefix): the plain 1-rectified flow; with reflow, its teacher (before) and itself (after)
            kinds = [("1-RF", "")] if m == "rectified flow" else [("reflow: teacher (1-RF)", "teacher_"),
                                                                  ("reflow: 2-RF", "")]
            for kind, prefix in kinds:
                if kind not in rf_kinds:
                    rf_kinds.append(kind)
                for n in steps:
                    for what in ("energy", "straightness"):
                        k = "test_%s%s_%d" % (prefix, what, n)
                        if k in finals and not math.isnan(finals[k][i]):
                            rf[(d, kind, what, n)].append(float(finals[k][i]))
    print("Test NLL (nats per point; rectified flow: by the ODE, exact divergence, 50 Heun steps)\n")
    print("| density | " + " | ".join(models) + " |")
    print("|---|" + "---|" * len(models))
    for d in datasets:
        print("| %s | %s |" % (d, " | ".join(stat(nll[(d, m)]) for m in models)))
    if steps:
        for what, title in (("energy", "energy distance between samples and test points"),
                            ("straightness", "straightness of the sampling paths")):
            print("\nRectified flow, %s, by number of Euler steps\n" % title)
            print("| density | flow | " + " | ".join(str(n) for n in steps) + " |")
            print("|---|---|" + "---|" * len(steps))
            for d in datasets:
                for kind in rf_kinds:
                    print("| %s | %s | %s |" % (d, kind, " | ".join(stat(rf[(d, kind, what, n)], 4) for n in steps)))
    n = sum(1 for st in status if st == "ok")
    print("\nmean ± std over seeds; %d runs ok of %d; genlab commit %s." % (n, len(status), commit))


if __name__ == "__main__":
    main()
