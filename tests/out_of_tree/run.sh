#!/usr/bin/env bash
# Builds tests/out_of_tree/plugin against genlab's build tree with find_package(genlab), then loads the
# result with the real genlab and runs an experiment with it.
#   run.sh GENLAB_BUILD_DIR GENLAB_BINARY WORK_DIR
set -euo pipefail
genlab_build=$1 genlab=$2 work=$3
src=$(cd "$(dirname "$0")/plugin" && pwd)
rm -rf "$work" && mkdir -p "$work"
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -Dgenlab_DIR="$genlab_build" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/build/plugins/genlab_counter.so"
"$genlab" plugins --plugin-path "$work/build/plugins" | grep -q 'uniform_mean  \[algorithm\]'
cat > "$work/exp.yaml" <<'YAML'
name: oot
algorithm: {name: uniform_mean, n: 20000}
YAML
(cd "$work" && "$genlab" run exp.yaml --plugin-path "$work/build/plugins" > run.log)
grep -q '1 ok, 0 failed' "$work/run.log"
echo "out-of-tree plugin built with find_package(genlab), loaded and run"
