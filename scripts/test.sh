#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test; then the same suite under AddressSanitizer +
# UndefinedBehaviorSanitizer in build-asan/ (skip that part with GENLAB_SANITIZE=0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== build (Release) =="
bash scripts/build.sh build
echo "== tests (Release) =="
(cd build && ctest -j 2 --output-on-failure)

if [ "${GENLAB_SANITIZE:-1}" != "0" ]; then
  echo "== build (ASan + UBSan) =="
  bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENLAB_SANITIZE=ON
  echo "== tests (ASan + UBSan) =="
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest -j 2 --output-on-failure)
fi
