#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quickstart experiment (embedded data, no download).
# Results: results/quickstart/experiment.h5 and results/quickstart/runs/*.h5 (resumable: run it again).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
exec build/genlab run experiments/quickstart.yaml "$@"
