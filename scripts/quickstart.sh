#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quickstart experiments (embedded data, no download):
# the streaming-median benchmark, then Gaussian mixtures trained on 2D toy densities.
# Results: results/quickstart*/experiment.h5 and runs/*.h5 (resumable: run it again).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
build/genlab run experiments/quickstart.yaml "$@"
echo
exec build/genlab run experiments/quickstart_density.yaml "$@"
