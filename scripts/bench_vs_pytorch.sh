#!/usr/bin/env bash
# Training throughput of genlab (framework/bench/train_bench.cpp) against the PyTorch references of
# ../shared/bench/peers, on this machine, in the same run, interleaved (genlab, then PyTorch, per model and
# thread count, REPS times), and the ratios; GEMM throughput against torch.matmul (same OpenBLAS) as well. The PyTorch side runs in the peers' "tuned" configuration (its
# best here: OpenBLAS's AVX-512 kernel, tcmalloc, passive OpenMP waiting); genlab runs in the environment as
# given. Needs python3-torch, libopenblas0-pthread (the BLAS torch should find: with only the reference BLAS, or
# BLIS, as libblas.so.3 the peer runs 3x slower) and libtcmalloc-minimal4 (installed here if missing) and MNIST for the peers
# (datasets/fetch_mnist.sh). Long: ~10 minutes with REPS=3.
#   bash scripts/bench_vs_pytorch.sh [results_dir]        REPS, MODELS ("made nice"), THREADS ("1 2") optional;
#   BUILD (default build/) names the build to measure, so a long run can keep using build/ meanwhile
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:-$root/../shared/bench/peers}
out=${1:-$root/results/bench-$(date +%Y%m%d-%H%M%S)}
REPS=${REPS:-3}
MODELS=${MODELS:-"made nice"}
THREADS=${THREADS:-"1 2"}
[ -f "$peers/bench.py" ] || { echo "bench_vs_pytorch: no PyTorch references at $peers" >&2; exit 1; }
EXTRA_PACKAGES="python3-torch libopenblas0-pthread libtcmalloc-minimal4" bash "$root/scripts/install-deps.sh"
build=${BUILD:-$root/build}
bash "$root/scripts/build.sh" "$build" >/dev/null
bash "$root/datasets/fetch_mnist.sh" >/dev/null
export MNIST_DIR=${GENLAB_DATA:-$HOME/.cache/genlab}/mnist
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
case "$blas" in *openblas*) ;; *) echo "bench_vs_pytorch: warning: libblas.so.3 is $blas, not OpenBLAS: PyTorch will be slow" >&2 ;; esac
tc=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 | head -1)
mkdir -p "$out"
tuned() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_PRELOAD="$tc" OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4 "$@"; }
for rep in $(seq 1 "$REPS"); do
  echo "bench_vs_pytorch: rep $rep GEMM" >&2
  "$build/framework/bench/genlab_bench_gemm" --json | sed "s/^{/{\"rep\": $rep, /" >> "$out/genlab_gemm.jsonl"
  for t in $THREADS; do
    tuned /usr/bin/python3 "$peers/torch_gemm.py" --threads "$t" --trials 5 --shapes 100,784,500 200,392,1000 \
      200,1000,1000 | tail -n +2 >> "$out/torch_gemm.csv"
  done
  for m in $MODELS; do
    for t in $THREADS; do
      echo "bench_vs_pytorch: rep $rep $m $t threads" >&2
      "$build/framework/bench/genlab_bench_train" --models "$m" --threads "$t" --json |
        sed "s/^{/{\"who\": \"genlab\", \"rep\": $rep, /" >> "$out/genlab.jsonl"
      tuned /usr/bin/python3 "$peers/bench.py" --model "$m" --threads "$t" --mode speed --tag "tuned,rep$rep" \
        --out "$out/pytorch.jsonl" >/dev/null
    done
  done
done
/usr/bin/python3 "$root/scripts/report_bench.py" "$out"
