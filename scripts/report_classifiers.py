#!/usr/bin/python3
"""Tables of the classifier experiments: per task, per training loss, mean ± std over seeds of the test
accuracy, the F1 that matters for the task (the positive class's F1 for a binary task, macro F1 for
multi-class), the test cross-entropy, and the correlation between validation cross-entropy and validation
accuracy over the epochs of each run (Pearson; mean over runs).

usage: scripts/report_classifiers.py RESULTS_DIR      e.g. results/classifiers_losses
Reads the run files (runs/*.h5) with h5py.
"""
import glob
import json
import math
import os
import sys
from collections import defaultdict

import h5py
import numpy as np


def mean_std(xs):
    xs = [x for x in xs if not math.isnan(x)]
    if not xs:
        return "-"
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return "%.4f ± %.4f" % (m, sd)


def main():
    folder = sys.argv[1]
    groups = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    losses = []
    for path in sorted(glob.glob(os.path.join(folder, "runs", "*.h5"))):
        with h5py.File(path, "r") as f:
            if f.attrs["status"] != "ok":
                continue
            cfg = json.loads(f["config"].attrs["json"])
            m = cfg["model"]
            task = "%s, %s" % (cfg["dataset"]["name"], "%d classes" % f["arrays/test_confusion"].shape[0]
                               if m["positive_class"] < 0 else "class %d vs rest" % m["positive_class"])
            f1 = f["arrays/test_f1"][()][0]
            cell = groups[task][m["loss"]]
            cell["accuracy"].append(float(f["final/test_accuracy"][()]))
            cell["f1"].append(float(f1[1]) if m["positive_class"] >= 0 else float(f["final/test_macro_f1"][()]))
            cell["ce"].append(float(f["final/test_cross_entropy"][()]))
            ce, acc = f["metrics/valid_cross_entropy/value"][()], f["metrics/valid_accuracy/value"][()]
            corr = float(np.corrcoef(ce, acc)[0, 1]) if len(ce) > 2 and np.ptp(ce) > 0 and np.ptp(acc) > 0 else float("nan")
            cell["corr"].append(corr)
            if m["loss"] not in losses:
                losses.append(m["loss"])
    for task, rows in groups.items():
        binary = "vs rest" in task
        print("\n%s (%d runs)\n" % (task, sum(len(c["accuracy"]) for c in rows.values())))
        print("| training loss | test accuracy | test %s | test cross-entropy | corr(valid CE, valid acc) over epochs |"
              % ("F1 of the positive class" if binary else "macro F1"))
        print("|---|---|---|---|---|")
        for loss in losses:
            if loss in rows:
                c = rows[loss]
                print("| %s | %s | %s | %s | %s |" % (loss, mean_std(c["accuracy"]), mean_std(c["f1"]),
                                                      mean_std(c["ce"]), mean_std(c["corr"])))


if __name__ == "__main__":
    main()
