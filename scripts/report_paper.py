#!/usr/bin/python3
"""Our test NLL next to the published one, for the paper experiments of experiments/paper/.

usage: scripts/report_paper.py RESULTS_DIR [RESULTS_DIR ...]
  e.g. scripts/report_paper.py /work/results/fvsbn_nade_mnist /work/results/made_mnist
Reads the run files (runs/*.h5) and, for runs still in progress, their checkpoints (checkpoints/*.h5)
with h5py. Every row states the setup: our binarization, optimizer, epochs run of the cap, and where the
architecture differs from the paper's.
"""
import glob
import json
import math
import os
import sys

import h5py

# (test NLL in nats, source) of binarized MNIST results, keyed by what identifies the model.
PAPER = {
    ("fvsbn",): (97.45, "Larochelle & Murray 2011, table 2 (FVSBN row)"),
    ("nade", 500): (88.86, "Larochelle & Murray 2011, table 2 (NADE, 500 hidden)"),
    # MADE rows are keyed by depth and masks: the width is a setup choice, stated in the setup column.
    ("made", 1, 1): (88.40, "Germain et al. 2015, table 6 (1 hidden layer, 1 mask)"),
    ("made", 1, 32): (88.04, "Germain et al. 2015, table 6 (1 hidden layer, 32 masks)"),
    ("made", 2, 32): (86.64, "Germain et al. 2015, table 6 (2 hidden layers, 32 masks; 2 x 8000 units)"),
    ("vae", "elbo", 1): (86.76, "Burda et al. 2015, table 1 (VAE, 1 stochastic layer, k=1)"),
    ("vae", "iwae", 5): (85.54, "Burda et al. 2015, table 1 (IWAE, 1 stochastic layer, k=5)"),
    ("vae", "iwae", 50): (84.78, "Burda et al. 2015, table 1 (IWAE, 1 stochastic layer, k=50)"),
}

# NICE reports a log-likelihood of the dequantized pixels rescaled to [0, 1)^784 (higher is better); genlab's
# test_nll is for the 8-bit values (the rescaling's log-determinant, -784 ln 256, included), so
# LL_[0,1) = 784 ln 256 - test_nll.
NICE_LL = (1980.50, "Dinh et al. 2014, table 2 (NICE, MNIST)")
LOG_256_784 = 784 * math.log(256)


def key_of(model):
    name = model["name"]
    if name == "fvsbn":
        return ("fvsbn",)
    if name == "nade":
        return ("nade", model["hidden"])
    if name == "made":
        return ("made", len(model["hidden"]), model["masks"])
    if name == "vae":
        return ("vae", model["objective"], model["k"])
    return (name,)


def describe(model):
    if model["name"] == "made":
        plural = "s" if model["masks"] > 1 else ""
        parts = ["MADE %s" % "x".join(str(u) for u in model["hidden"]), "%d mask%s" % (model["masks"], plural)]
        if model.get("ordering") == "random":
            parts.append("random ordering" + plural)
        if model.get("direct"):
            parts.append("direct")
        if model.get("condition_on_mask"):
            parts.append("mask-conditioned")
        return ", ".join(parts)
    if model["name"] == "nade":
        return "NADE %d" % model["hidden"]
    if model["name"] == "vae":
        return "%s k=%d" % ("IWAE" if model["objective"] == "iwae" else "VAE", model["k"])
    if model["name"] == "flow":
        counts = {}

        def walk(items, times):
            for item in items:
                if "repeat" in item:
                    walk(item["layers"], times * item["repeat"])
                else:
                    counts[item["type"]] = counts.get(item["type"], 0) + times
        walk(model.get("layers", []), 1)
        return "flow: " + ", ".join("%d %s" % (n, t) for t, n in counts.items()) + ", %s prior" % model["prior"]
    return model["name"].upper()


def setup(cfg, final):
    d, t, m = cfg["dataset"], cfg["train"], cfg["model"]
    epochs, stopped = int(final.get("epochs", 0)), final.get("stopped_early", 0) == 1
    parts = []
    if m["name"] == "vae" and m.get("nll_k", 0) > 0:
        k = m["nll_k"]
        parts.append("NLL from k=%d importance samples (%.0f s); -ELBO %.2f" % (
            k, final.get("test_nll_iwae_k%d_time_s" % k, float("nan")), final.get("test_nll_elbo", float("nan"))))
    if d.get("binarize") == "fixed":
        parts.append("our fixed binarization (seed %d)" % d["binarize_seed"])
    elif d.get("binarize") == "dynamic":
        parts.append("dynamic binarization")
    parts.append("%s lr %g%s, batch %d" % (t["optimizer"], t["lr"],
                                             ", L2 %g" % t["weight_decay"] if t.get("weight_decay") else "",
                                             t["batch_size"]))
    cosine = t.get("schedule") == "cosine"  # its horizon is the epoch count: running all of it is the plan
    run = "%d of %d epochs" % (epochs, t["epochs"])
    run += " (early stop, patience %d)" % t["patience"] if stopped else \
        " (epoch cap)" if epochs >= t["epochs"] and not cosine else ""
    parts.append(run)
    if t.get("schedule") == "exponential":
        parts.append("lr x %.6g per update down to %g" % (t["gamma"], t["min_lr"]))
    if cosine:
        parts.append("lr cosine-annealed to %g over the %d epochs" % (t["min_lr"], t["epochs"]))
    if t.get("valid_every", 1) > 1:
        parts.append("validated every %d epochs" % t["valid_every"])
    if final.get("budget_limited", 0) == 1:
        parts.append("stopped by max_wall_time %g s (%.0f s trained)" % (t["max_wall_time"], final.get("train_time_s", 0)))
    if m["name"] == "made" and max(m["hidden"]) < 8000:
        parts.append("%s units where the authors' release uses 8000 per layer" % " x ".join(map(str, m["hidden"])))
    return "; ".join(parts)


def text_attr(obj, name):
    """A string attribute, whether h5py hands it back as str or as bytes."""
    value = obj.attrs[name]
    return value.decode() if isinstance(value, bytes) else value


def run_status(f):
    return text_attr(f, "status")


def rows(folder):
    # A run file next to its checkpoint is either finished (the checkpoint is about to go) or interrupted
    # (the same command resumes it): an interrupted one is reported from its checkpoint, as in progress.
    resuming = {}  # checkpoint file name -> the config from the interrupted run's file
    for path in sorted(glob.glob(os.path.join(folder, "runs", "*.h5"))):
        with h5py.File(path, "r") as f:
            status = run_status(f)
            name = os.path.basename(path)
            cfg = json.loads(f["config"].attrs["json"])
            if status == "interrupted" and os.path.exists(os.path.join(folder, "checkpoints", name)):
                resuming[name] = cfg
                continue
            final = {k: float(f["final"][k][()]) for k in f["final"]}
        yield cfg, status, final, None
    for path in sorted(glob.glob(os.path.join(folder, "checkpoints", "*.h5"))):
        name = os.path.basename(path)
        if os.path.exists(os.path.join(folder, "runs", name)) and name not in resuming:
            continue
        with h5py.File(path, "r") as f:
            cfg = resuming.get(name)
            if cfg is None and "config_json" in f.attrs:  # checkpoints since 2026-12-07 carry the config
                cfg = json.loads(text_attr(f, "config_json"))
            # (still None for an older checkpoint of a run that has never stopped: it is labelled by its id)
            # Exact models log valid_nll; the VAE logs its training bound as valid_loss.
            metric = "valid_nll" if "metrics/valid_nll" in f else "valid_loss"
            valid = f["metrics/%s/value" % metric][()] if "metrics/" + metric in f else []
            # One training-loss point per epoch; the validation may come only every few epochs.
            epochs = len(f["metrics/train_loss/value"]) if "metrics/train_loss" in f else len(valid)
            # Checkpoints since 2026-12-03 carry the share of the schedule done and the running time.
            # Since 2026-12-03 (session 12) also where the attempt that wrote it began.
            pace = tuple(float(f.attrs.get(k, -1)) for k in ("progress", "elapsed_s", "attempt_start_progress",
                                                              "attempt_start_elapsed_s"))
            yield cfg, "in progress", {}, (path, metric, epochs, min(valid) if len(valid) else float("nan"), pace)


def describe_pace(progress, elapsed, attempt_progress, attempt_elapsed, early_stopping):
    """'12% of the schedule in 2.5 h, 19 h more at that rate', or '' where the checkpoint does not say. A
    resumed attempt of a minute or more is projected at its own rate (builds and machine load change a run's
    speed), as `genlab show` does."""
    if not (0 < progress <= 1) or elapsed <= 0:
        return ""
    text = "; %.0f%% of the schedule in %.1f h" % (100 * progress, elapsed / 3600)
    if progress < 1:
        bound = "at most " if early_stopping else ""
        average = elapsed * (1 - progress) / progress / 3600
        done, spent = progress - attempt_progress, elapsed - attempt_elapsed
        if attempt_elapsed > 0 and attempt_progress >= 0 and done > 0 and spent >= 60:
            text += ", %s%.1f h more at this session's rate (%.0f h at the run's average)" % (
                bound, spent * (1 - progress) / done / 3600, average)
        else:
            text += ", %s%.0f h more at that rate" % (bound, average)
    return text


def main():
    print("| model | ours: test NLL (nats) | paper | ours - paper | setup (ours) |")
    print("|---|---|---|---|---|")
    for folder in sys.argv[1:]:
        for cfg, status, final, progress in rows(folder):
            if progress:
                path, metric, epochs, best, pace = progress
                label = describe(cfg["model"]) if cfg else "run %s" % os.path.basename(path)[:8]
                validation = ("no validation yet" if math.isnan(best) else "best validation %s %.2f" % (
                    "NLL" if metric == "valid_nll" else "loss (bound)", best))
                print("| %s (in progress) | %d epochs so far, %s%s | | | resumable: "
                      "rerun the same genlab run command |" % (label, epochs, validation,
                                                              describe_pace(*pace, early_stopping=bool(
                                                                  cfg and cfg["train"].get("patience", 0) > 0))))
                continue
            model = cfg["model"]
            paper = PAPER.get(key_of(model))
            # Exact NLL where the model has one, else the largest-k importance-sampled estimate.
            nll_key = "test_nll"
            if model["name"] == "vae" and model.get("nll_k", 0) > 0:
                nll_key = "test_nll_iwae_k%d" % model["nll_k"]
            if status != "ok" or nll_key not in final:
                print("| %s | %s | | | |" % (describe(model), status))
                continue
            ours = final[nll_key]
            if model["name"] == "flow" and cfg["dataset"].get("dequantize"):
                ll = LOG_256_784 - ours
                bpd = ours / (784 * math.log(2))
                print("| %s | LL %.2f on [0,1)^784 (%.2f bits/dim) | LL %.2f, 4.36 bits/dim (%s) | %+.2f | %s |" % (
                    describe(model), ll, bpd, NICE_LL[0], NICE_LL[1], ll - NICE_LL[0], setup(cfg, final)))
                continue
            ref = "%.2f (%s)" % paper if paper else "-"
            diff = "%+.2f" % (ours - paper[0]) if paper else ""
            print("| %s | %.2f | %s | %s | %s |" % (describe(model), ours, ref, diff, setup(cfg, final)))


if __name__ == "__main__":
    main()
