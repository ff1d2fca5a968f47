#!/usr/bin/env bash
# Configures (first time only) and builds genlab into BUILD_DIR (default build/). Incremental on later calls.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options for the first configure]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
cmake --build "$build_dir" -j "${GENLAB_BUILD_JOBS:-2}" | grep -v -E '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0
