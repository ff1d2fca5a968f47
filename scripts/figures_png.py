#!/usr/bin/python3
"""Every figure_* picture of every finished run in a results folder, as PNG files named after what the run
swept (e.g. two_moons_rectified_flow_s1_samples.png), drawn by `genlab png`.

usage: scripts/figures_png.py RESULTS_DIR OUT_DIR [--genlab PATH]   (default: build/genlab)
Reads the run files with h5py for their swept keys and figure names.
"""
import glob
import json
import os
import re
import subprocess
import sys

import h5py


def layer_types(value, out):
    # A flow's layer list named by its layer types, in order of first appearance.
    if isinstance(value, dict):
        if "type" in value and value["type"] not in out:
            out.append(value["type"])
        for v in value.values():
            layer_types(v, out)
    elif isinstance(value, list):
        for v in value:
            layer_types(v, out)
    return out


def name_of(swept, seed):
    parts = []
    for key, value in sorted(swept.items()):
        if value is None or key == "seed":
            continue
        if isinstance(value, (list, dict)):
            types = layer_types(value, [])
            value = "+".join(types) if types else "x".join(str(v) for v in value) if isinstance(value, list) else "map"
        parts.append(str(value))
    parts.append("s%d" % seed)
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", "_".join(parts))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    folder, out = sys.argv[1], sys.argv[2]
    genlab = sys.argv[sys.argv.index("--genlab") + 1] if "--genlab" in sys.argv else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "genlab")
    os.makedirs(out, exist_ok=True)
    written = 0
    for path in sorted(glob.glob(os.path.join(folder, "runs", "*.h5"))):
        with h5py.File(path, "r") as f:
            status = f.attrs["status"]
            if (status.decode() if isinstance(status, bytes) else status) != "ok":
                continue
            swept = json.loads(f.attrs["swept"])
            seed = int(f.attrs["seed"])
            figures = [k for k in f["arrays"].keys() if k.startswith("figure_")] if "arrays" in f else []
        run = os.path.basename(path)[:-3]
        for fig in figures:
            target = os.path.join(out, "%s_%s_%s.png" % (name_of(swept, seed), run[:6], fig[len("figure_"):]))
            subprocess.run([genlab, "png", folder, "--run", run, "--array", fig, "-o", target], check=True,
                           stdout=subprocess.DEVNULL)
            written += 1
    print("figures_png: %d pictures in %s" % (written, out))


if __name__ == "__main__":
    main()
