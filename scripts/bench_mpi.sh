#!/usr/bin/env bash
# Sweep throughput of the launch modes on this machine, one after the other in one invocation:
# one process with --jobs 2, mpirun -n 1 (--jobs 2), mpirun -n 2 (--jobs 1 each), mpirun -n 3 (--jobs 1,
# oversubscribed). Two sweeps: RUNS empty runs (streaming median of 1 element: what is measured is the
# launcher's and the result store's cost per run) and RUNS/4 runs of ~0.2 s (a real workload).
#   scripts/bench_mpi.sh [BUILD_DIR]     (RUNS=200 REPS=3 by default; prints the median of REPS)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
runs=${RUNS:-200}
reps=${REPS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v mpirun >/dev/null || { echo "bench_mpi: mpirun not found (apt-get install openmpi-bin)" >&2; exit 1; }
"$build/genlab" --version | grep -q "MPI: Open MPI" || { echo "bench_mpi: genlab built without MPI" >&2; exit 1; }

sweep() {  # NAME N STREAM_LENGTH
  local values
  values=$(seq -s, 1 "$2")
  printf 'name: %s\nalgorithm: {name: streaming_median, n: %s, checks: 1, exhaustive_below: 0}\n' "$1" "$3"
  printf 'sweep:\n  grid:\n    seed: [%s]\n' "$values"
}
sweep empty "$runs" 1 > "$work/empty.yaml"
sweep work $((runs / 4)) 3000000 > "$work/work.yaml"

mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
declare -A cmd=(
  [process_j2]="$build/genlab run EXP --jobs 2"
  [mpirun_n1_j2]="${mpi[*]} -n 1 $build/genlab run EXP --jobs 2"
  [mpirun_n2_j1]="${mpi[*]} -n 2 $build/genlab run EXP --jobs 1"
  [mpirun_n3_j1]="${mpi[*]} -n 3 $build/genlab run EXP --jobs 1"
)
modes=(process_j2 mpirun_n1_j2 mpirun_n2_j1 mpirun_n3_j1)

echo "sweep  runs  mode  median_s  runs_per_s  ms_per_run"
for exp in empty work; do
  n=$runs
  [ "$exp" = work ] && n=$((runs / 4))
  for mode in "${modes[@]}"; do
    times=()
    for ((r = 0; r < reps; r++)); do
      rm -rf "$work/results"
      start=$(date +%s.%N)
      (cd "$work" && ${cmd[$mode]//EXP/$work/$exp.yaml} > "$work/log" 2>&1) || { cat "$work/log"; exit 1; }
      end=$(date +%s.%N)
      times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
    done
    med=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((reps + 1) / 2))p")
    awk -v e="$exp" -v n="$n" -v m="$mode" -v t="$med" 'BEGIN { printf "%s  %d  %s  %.2f  %.1f  %.2f\n", e, n, m, t, n / t, 1000 * t / n }'
  done
done
