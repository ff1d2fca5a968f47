#!/usr/bin/env python3
"""Rebuilds a finished genlab run's model from its run file with numpy and h5py alone and recomputes its test
figures: the reference reader of the export layout (README "Export"), and the check that the layout is
complete (tests/e2e runs it on one model of every family and compares with genlab to 1e-4 relative).

    python3 scripts/genlab_reload.py RUN.h5 [--data-dir DIR] [--check REL_TOL]

Models: fvsbn, nade, made (autoregressive), flow (flows), vae, gaussian_mixture (density), mlp_classifier and
perceptron (classifiers). Datasets: mnist and fashion_mnist (the idx files genlab reads) with their transforms
(fixed or dynamic binarization, dequantization, logit). The random parts of a test figure (dequantization
noise, a fixed binarization, a VAE's importance samples) are drawn from genlab's own streams, reimplemented in
a few lines below (framework/include/genlab/rng.hpp), so the figures match exactly, not just in distribution.
"""
import argparse
import hashlib
import json
import math
import os
import sys

import h5py
import numpy as np

# ---- genlab's random streams: Philox4x32-10 keyed by sha256("seed/run_id/purpose"), splitmix64 splits ----

M32, M64 = 0xFFFFFFFF, (1 << 64) - 1


class Rng:
    def __init__(self, key):
        self.key = key & M64

    @staticmethod
    def for_run(seed, run_id, purpose):
        return Rng(int(hashlib.sha256(f"{seed}/{run_id}/{purpose}".encode()).hexdigest()[:16], 16))

    def split(self, index):
        z = self.key ^ ((index * 0x9E3779B97F4A7C15 + 0xD1B54A32D192ED03) & M64)
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return Rng(z ^ (z >> 31))

    def words(self, first, count):
        """32-bit outputs first .. first+count-1 of the stream (4 per Philox block), as uint64."""
        b0, b1 = first // 4, (first + count + 3) // 4
        ctr = np.arange(b0, b1, dtype=np.uint64)
        c0, c1 = ctr & np.uint64(M32), ctr >> np.uint64(32)
        c2, c3 = np.zeros_like(ctr), np.zeros_like(ctr)
        k0, k1 = self.key & M32, self.key >> 32
        for _ in range(10):
            p0, p1 = c0 * np.uint64(0xD2511F53), c2 * np.uint64(0xCD9E8D57)
            c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & np.uint64(M32),
                              (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & np.uint64(M32))
            k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
        w = np.stack([c0, c1, c2, c3], axis=1).reshape(-1)
        return w[first - 4 * b0:first - 4 * b0 + count]

    def u64s(self, first, count):
        """64-bit draws first .. first+count-1 (next_u64: two consecutive words, high word first)."""
        w = self.words(2 * first, 2 * count)
        return w[0::2] << np.uint64(32) | w[1::2]

    def uniforms(self, count, first=0):
        """Uniforms first .. first+count-1 in [0, 1): the top 53 bits of a 64-bit draw."""
        return (self.u64s(first, count) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


class BulkNormals:
    """Rng::fill_normal's draws, call by call from one stream: each call of n values takes the next
    ceil(n / 2) 64-bit draws, one per pair: 24 bits for the radius' uniform in (0, 1], 24 for the angle's;
    Box-Muller in single precision, cos then sin. (genlab evaluates log, sin and cos with Eigen's vector
    functions, this reader with numpy's: the values agree to about an ulp of float32.)"""

    def __init__(self, rng):
        self.rng, self.position = rng, 0

    def take(self, count):
        pairs = (count + 1) // 2
        b = self.rng.u64s(self.position, pairs)
        self.position += pairs
        u = ((b >> np.uint64(40)) + np.uint64(1)).astype(np.float32) * np.float32(2.0 ** -24)
        v = ((b >> np.uint64(8)) & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0 ** -24)
        v = v * np.float32(6.283185307179586)
        r = np.sqrt(np.float32(-2.0) * np.log(u))
        return np.stack([r * np.cos(v), r * np.sin(v)], axis=1).reshape(-1)[:count]


# ---- data: the idx files and the pixel transforms ----

def read_idx(path):
    raw = open(path, "rb").read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


class TestData:
    """The test split as the model sees it: x(batch k) applies the run's transform with its stream."""

    def __init__(self, dataset, data_dir, run):
        name = dataset["name"]
        if name not in ("mnist", "fashion_mnist"):
            raise SystemExit(f"dataset '{name}': this reader knows mnist and fashion_mnist (genlab generates the "
                             "toy datasets with its own code, not reimplemented here)")
        root = data_dir or dataset.get("data_dir") or os.environ.get("GENLAB_DATA") or \
            os.path.join(os.environ.get("HOME", "/tmp"), ".cache", "genlab")
        folder = os.path.join(root, "mnist" if name == "mnist" else "fashion-mnist")
        if not os.path.exists(os.path.join(folder, "t10k-images-idx3-ubyte")):
            raise SystemExit(f"{name}: no idx files in {folder} (pass --data-dir, or set GENLAB_DATA as for genlab)")
        self.levels = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32)
        self.labels = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte")).astype(np.int64)
        self.binarize = dataset.get("binarize", "none")
        self.dequantize = dataset.get("dequantize", False)
        self.lam = float(dataset.get("logit_lambda", 0.0))
        self.transform_rng = Rng.for_run(run["seed"], run["id"], "eval_transform").split(1)
        self.continuous = self.binarize == "none" and (self.dequantize or self.lam > 0)
        if self.binarize == "fixed":
            # Bernoulli(v / 255) drawn once with binarize_seed over train, valid, then test: skip to the test.
            skip = (int(dataset["n_train"]) + int(dataset["n_valid"])) * 784
            u = Rng(int(dataset.get("binarize_seed", 0))).uniforms(self.levels.size, first=skip)
            p = (self.levels * np.float32(1.0 / 255.0)).astype(np.float64).reshape(-1)
            self.stored = (u < p).astype(np.float64).reshape(self.levels.shape)
        elif self.binarize == "dynamic" or self.continuous:
            self.stored = self.levels.astype(np.float64)  # raw levels: the transform rescales
        else:
            self.stored = (self.levels * np.float32(1.0 / 255.0)).astype(np.float64)

    def batch(self, k, start, rows):
        """Batch k (rows start .. start+rows-1) after the transform, and log |det| of the transform per row."""
        v = self.stored[start:start + rows]
        if self.binarize == "dynamic":
            u = self.transform_rng.split(k).uniforms(v.size).reshape(v.shape)
            return (u < v * (1.0 / 255.0)).astype(np.float64), np.zeros(rows)
        if not self.continuous:
            return v, np.zeros(rows)
        divisor = 256.0 if self.dequantize else 255.0
        x = (v + self.transform_rng.split(k).uniforms(v.size).reshape(v.shape)) / divisor if self.dequantize \
            else v / divisor
        log_det = np.full(rows, -v.shape[1] * math.log(divisor))
        if self.lam > 0:
            s = self.lam + (1 - 2 * self.lam) * x
            log_det += (math.log1p(-2 * self.lam) - np.log(s) - np.log1p(-s)).sum(axis=1)
            x = np.log(s) - np.log1p(-s)
        return x.astype(np.float32).astype(np.float64), log_det

    def batches(self, size):
        for k, start in enumerate(range(0, len(self.stored), size)):
            rows = min(size, len(self.stored) - start)
            yield (k, start, rows) + self.batch(k, start, rows)


# ---- the models: log p(x) (or the class probabilities) from /arrays/params.* and /arrays/export.* ----

def softplus(z):
    return np.logaddexp(0.0, z)


ACTIVATIONS = {"none": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
               "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "softplus": softplus,
               "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
               "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z)}


def mlp(P, name, x, activation):
    """nn::Mlp: layers name.0, name.1, ... (x W + b), the activation after every layer but the last."""
    n = sum(1 for k in P if k.startswith(name + ".") and k.endswith(".W"))
    for i in range(n):
        x = x @ P[f"{name}.{i}.W"] + P[f"{name}.{i}.b"]
        if i + 1 < n:
            x = ACTIVATIONS[activation](x)
    return x


def bernoulli_log_prob(logits, x):
    return (x * logits - softplus(logits)).sum(axis=1)


def logsumexp(a, axis):
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def orders(E, count):
    return [E[f"order_{k}"][0].astype(np.int64) for k in range(count)]


def positions(order):
    pos = np.empty_like(order)
    pos[order] = np.arange(1, len(order) + 1)
    return pos


def fvsbn_log_prob(m, P, E, desc, x):
    pos = positions(orders(E, 1)[0])
    return bernoulli_log_prob(x @ (P["W"] * (pos[:, None] < pos[None, :])) + P["b"], x)


def nade_log_prob(m, P, E, desc, x):
    a = np.repeat(P["c"], len(x), axis=0)
    logits = np.empty_like(x)
    for d in orders(E, 1)[0]:  # h for dimension d sees the dimensions before it: a running sum, O(H D)
        logits[:, d] = 1 / (1 + np.exp(-a)) @ P["V"][d] + P["b"][0, d]
        a += x[:, d:d + 1] * P["W"][d]
    return bernoulli_log_prob(logits, x)


def made_log_prob(m, P, E, desc, x):
    per_mask = []
    layers = sum(1 for k in P if k.startswith("hidden") and k.endswith(".W"))
    for k, order in enumerate(orders(E, desc["eval_masks"])):
        pos = positions(order)
        below, h = pos, x
        for l in range(layers):  # unit j of layer l sees unit i below when deg_l[j] >= deg_below[i]
            deg = E[f"degrees_{k}_{l}"][0]
            h = ACTIVATIONS[m["activation"]](h @ (P[f"hidden{l}.W"] * (deg[None, :] >= below[:, None]))
                                             + P[f"hidden{l}.b"])
            below = deg
        logits = h @ (P["out.W"] * (pos[None, :] > below[:, None])) + P["out.b"]
        if "direct.W" in P:
            logits += x @ (P["direct.W"] * (pos[:, None] < pos[None, :]))
        per_mask.append(bernoulli_log_prob(logits, x))
    return logsumexp(np.stack(per_mask, axis=1), axis=1) - math.log(len(per_mask))


def flow_log_prob(m, P, E, desc, x):
    log_det = np.zeros(len(x))
    for layer in desc["layers"]:
        t, n = layer["type"], layer["params"]
        if t in ("additive_coupling", "affine_coupling"):
            cond, trans = layer["conditioning"], layer["transformed"]
            out = mlp(P, n + ".mlp", x[:, cond], layer["activation"])
            y = x.copy()
            if t == "affine_coupling":
                c = layer["clamp"]
                s = c * np.tanh(out[:, :len(trans)] / c)
                y[:, trans] = x[:, trans] * np.exp(s) + out[:, len(trans):]
                log_det += s.sum(axis=1)
            else:
                y[:, trans] = x[:, trans] + out
            x = y
        elif t == "scale":
            x = x * np.exp(P[n + ".log_scale"])
            log_det += P[n + ".log_scale"].sum()
        elif t == "actnorm":
            x = (x + P[n + ".bias"]) * np.exp(P[n + ".log_scale"])
            log_det += P[n + ".log_scale"].sum()
        elif t == "lu_linear":
            lower = np.tril(P[n + ".lower"], -1) + np.eye(x.shape[1])
            upper = np.triu(P[n + ".upper"], 1) + np.diag(E[n + ".sign"][0] * np.exp(P[n + ".log_s"][0]))
            x = x @ (E[n + ".P"] @ lower @ upper)
            log_det += P[n + ".log_s"].sum()
        elif t == "permute":
            x = x[:, E[n + ".perm"][0].astype(np.int64)]
        else:
            raise SystemExit(f"flow layer type '{t}' unknown to this reader")
    if desc["prior"] == "logistic":
        prior = -(softplus(x) + softplus(-x))
    else:
        prior = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
    return prior.sum(axis=1) + log_det


def gaussian_mixture_log_prob(m, P, E, desc, x):
    mu, lv = P["means"], P["log_vars"]  # D x K: column k is component k
    log_w = P["logits"][0] - logsumexp(P["logits"], axis=1)
    per = -0.5 * (((x[:, :, None] - mu[None]) ** 2 / np.exp(lv)[None]).sum(axis=1) + lv.sum(axis=0)
                  + x.shape[1] * math.log(2 * math.pi))
    return logsumexp(per + log_w, axis=1)


LOG_PROB = {"fvsbn": fvsbn_log_prob, "nade": nade_log_prob, "made": made_log_prob, "flow": flow_log_prob,
            "gaussian_mixture": gaussian_mixture_log_prob}


def vae_estimates(m, P, run, data, batch_size):
    """test_nll_elbo and test_nll_iwae_k<k>, each batch with genlab's stream estimates/<e>/<batch>."""
    latent, act = int(m["latent"]), m["activation"]
    if m["likelihood"] == "gaussian":  # a diagonal Gaussian: learned log-variances, or the fixed std (float32)
        lv_x = P["decoder.log_var"] if m["variance"] == "learned" else \
            np.float64(np.float32(2 * math.log(m["std"])))

    def encode(x):
        h = mlp(P, "encoder", x, act)
        return h[:, :latent], h[:, latent:]

    def log_px(z, x):
        out = mlp(P, "decoder", z, act)
        if m["likelihood"] == "bernoulli":
            return bernoulli_log_prob(out, x)
        return (-0.5 * (math.log(2 * math.pi) + lv_x + (x - out) ** 2 * np.exp(-lv_x))).sum(axis=1)

    def std_normal(e):
        return (-0.5 * e * e - 0.5 * math.log(2 * math.pi)).sum(axis=1)

    ks = sorted(set(m["eval_k"] + ([m["nll_k"]] if m["nll_k"] > 0 else [])))
    names = ["nll_elbo"] + [f"nll_iwae_k{k}" for k in ks]
    estimates = Rng.for_run(run["seed"], run["id"], "estimates")
    totals = dict.fromkeys(names, 0.0)
    for b, _, rows, x, log_det in data.batches(batch_size):
        mu, lv = encode(x)
        for e, name in enumerate(names):
            rng = estimates.split(e).split(b)
            if name == "nll_elbo":
                eps = BulkNormals(rng).take(rows * latent).reshape(rows, latent).astype(np.float64)
                kl = 0.5 * (mu * mu + np.exp(lv) - 1 - lv).sum(axis=1)
                value = log_px(mu + np.exp(0.5 * lv) * eps, x) - kl
            else:
                k = int(name[len("nll_iwae_k"):])
                # genlab's passes: rows_per_pass examples with all k samples, or one example's in chunks, each
                # chunk drawing (examples x chunk) x latent normals by its own fill_normal call, in turn
                # (row = example * chunk + sample).
                per_pass, chunk = max(1, 8192 // k), min(k, 8192)
                noise, value = BulkNormals(rng), np.empty(rows)
                for r0 in range(0, rows, per_pass):
                    nr = min(per_pass, rows - r0)
                    log_w = []
                    for done in range(0, k, chunk):
                        ks_ = min(chunk, k - done)
                        eps = noise.take(nr * ks_ * latent).astype(np.float64).reshape(nr, ks_, latent)
                        m_, v_ = mu[r0:r0 + nr, None], lv[r0:r0 + nr, None]
                        z = m_ + np.exp(0.5 * v_) * eps
                        xs = np.repeat(x[r0:r0 + nr], ks_, axis=0)
                        lp = log_px(z.reshape(-1, latent), xs).reshape(nr, ks_)
                        log_q = std_normal(eps.reshape(-1, latent)).reshape(nr, ks_) - 0.5 * v_.sum(axis=2)
                        log_w.append(lp + std_normal(z.reshape(-1, latent)).reshape(nr, ks_) - log_q)
                    value[r0:r0 + nr] = logsumexp(np.concatenate(log_w, axis=1), axis=1) - math.log(k)
            totals[name] += (value + log_det).sum()
    n = len(data.stored)
    return {"test_" + name: -t / n for name, t in totals.items()}


def classifier_metrics(m, P, component, data, batch_size):
    classes = 10 if m.get("positive_class", -1) < 0 else 2
    correct, ce = 0, 0.0
    for _, start, rows, x, _ in data.batches(batch_size):
        if component == "perceptron":
            s = x @ P["w"] + (P["b"] if "b" in P else 0.0)
            logits = np.concatenate([np.zeros_like(s), s], axis=1)
        else:
            logits = mlp(P, "net", x, m["activation"])
        log_p = logits - logsumexp(logits, axis=1)[:, None]
        labels = data.labels[start:start + rows]
        target = labels if classes == 10 else (labels == m["positive_class"]).astype(np.int64)
        correct += (log_p.argmax(axis=1) == target).sum()
        # genlab takes the probabilities in float32, then -log max(p, 1e-300)
        p = np.exp(log_p[np.arange(rows), target]).astype(np.float32).astype(np.float64)
        ce -= np.log(np.maximum(p, 1e-300)).sum()
    n = len(data.stored)
    return {"test_accuracy": correct / n, "test_cross_entropy": ce / n}


def recompute(path, data_dir=None):
    """genlab's stored test figures and ours, for the run file at `path`: {metric: (genlab, ours)}."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("status") != "ok":
            raise SystemExit(f"{path}: status '{f.attrs.get('status')}', only finished runs have final parameters")
        config = json.loads(f["config"].attrs["json"])
        component = f.attrs["component"]
        run = {"seed": int(f.attrs["seed"]), "id": f.attrs["run_id"]}
        desc = json.loads(f.attrs["model_export"]) if "model_export" in f.attrs else {}
        P = {k[len("params."):]: f["arrays"][k][()] for k in f["arrays"] if k.startswith("params.")}
        E = {k[len("export."):]: f["arrays"][k][()] for k in f["arrays"] if k.startswith("export.")}
        stored = {k: float(f["final"][k][()]) for k in f["final"]}
    m, batch_size = config["model"], int(config["eval"]["batch_size"])
    data = TestData(config["dataset"], data_dir, run)
    if component in LOG_PROB:
        total = 0.0
        for _, _, _, x, log_det in data.batches(batch_size):
            total += (LOG_PROB[component](m, P, E, desc, x) + log_det).sum()
        ours = {"test_nll": -total / len(data.stored)}
    elif component == "vae":
        ours = vae_estimates(m, P, run, data, batch_size)
    elif component in ("mlp_classifier", "perceptron"):
        ours = classifier_metrics(m, P, component, data, batch_size)
    else:
        raise SystemExit(f"{path}: model '{component}' is not one this reader rebuilds")
    return {k: (stored[k], v) for k, v in ours.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_files", nargs="+")
    ap.add_argument("--data-dir", help="the folder holding mnist/ (default: the run's data_dir, GENLAB_DATA, "
                                       "~/.cache/genlab)")
    ap.add_argument("--check", type=float, metavar="REL_TOL", help="exit 1 unless every figure matches to REL_TOL")
    a = ap.parse_args()
    worst = 0.0
    for path in a.run_files:
        for k, (theirs, ours) in recompute(path, a.data_dir).items():
            rel = abs(ours - theirs) / max(abs(theirs), 1e-12)
            worst = max(worst, rel)
            print(f"{os.path.basename(path)}  {k:24s} genlab {theirs:.8g}  numpy {ours:.8g}  rel. diff {rel:.1e}")
    if a.check is not None and not worst <= a.check:
        print(f"mismatch: largest relative difference {worst:.1e} > {a.check:g}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
