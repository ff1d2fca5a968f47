#!/usr/bin/python3
"""Reads a genlab results folder with h5py alone (no genlab code), as a user would, and checks it.

usage: check_results.py RESULTS_DIR EXPECTED_RUNS [--allow-failed]
Exit status 0 when every check passes; prints what it checked.
"""
import json
import os
import sys

import h5py


def fail(msg):
    print("check_results: FAIL: " + msg)
    sys.exit(1)


def main():
    folder, expected = sys.argv[1], int(sys.argv[2])
    allow_failed = "--allow-failed" in sys.argv
    with h5py.File(os.path.join(folder, "experiment.h5"), "r") as f:
        if f.attrs["kind"] != "genlab-experiment":
            fail("experiment.h5 kind is %r" % f.attrs["kind"])
        if int(f.attrs["layout_version"]) != 1:
            fail("unexpected layout_version")
        if "name:" not in f.attrs["yaml"]:
            fail("experiment YAML text missing")
        ids = [s.decode() if isinstance(s, bytes) else s for s in f["runs/id"][()]]
        files = [s.decode() if isinstance(s, bytes) else s for s in f["runs/file"][()]]
        status = [s.decode() if isinstance(s, bytes) else s for s in f["runs/status"][()]]
        index = list(f["runs/index"][()])
        if len(ids) != expected:
            fail("index lists %d runs, expected %d" % (len(ids), expected))
        if len(set(ids)) != len(ids):
            fail("a run appears twice in the index")
        if index != sorted(index):
            fail("index is not in sweep order")
        for name in f["runs/final"]:
            if f["runs/final"][name].shape != (expected,):
                fail("final metric column %s has the wrong length" % name)
    on_disk = sorted(n for n in os.listdir(os.path.join(folder, "runs")) if n.endswith(".h5"))
    if len(on_disk) != expected:
        fail("%d run files on disk, expected %d" % (len(on_disk), expected))
    leftovers = [n for n in os.listdir(os.path.join(folder, "runs")) if ".tmp." in n]
    if leftovers:
        fail("temporary files left: %s" % leftovers)
    for run_id, rel, st in zip(ids, files, status):
        with h5py.File(os.path.join(folder, rel), "r") as r:
            if r.attrs["run_id"] != run_id:
                fail("%s holds run %s" % (rel, r.attrs["run_id"]))
            if st != "ok" and not allow_failed:
                fail("run %s has status %s: %s" % (run_id[:12], st, r.attrs["error"]))
            config = json.loads(r["config"].attrs["json"])
            if "seed" not in config:
                fail("config of %s lacks a seed" % rel)
            for name, grp in r["metrics"].items():
                n = grp["value"].shape[0]
                if grp["step"].shape[0] != n or grp["wall_time"].shape[0] != n:
                    fail("metric %s of %s has ragged columns" % (name, rel))
            if st == "ok" and len(r["final"]) == 0:
                fail("finished run %s has no final metrics" % rel)
    print("check_results: ok: %d runs read with h5py from %s" % (expected, folder))


if __name__ == "__main__":
    main()
