#!/usr/bin/env bash
# Installs the Debian 12 packages genlab needs to build and test. Idempotent: when every package is
# already installed it prints nothing and touches nothing (no apt-get update, no network).
# Packages: the list below plus $EXTRA_PACKAGES (space-separated) for scripts with extra needs.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libtbb-dev libhdf5-dev libyaml-cpp-dev libeigen3-dev
  catch2            # Catch2 v2 (tests)
  hdf5-tools        # h5dump, to inspect results by hand and in tests
  libopenmpi-dev openmpi-bin   # the MPI launcher (mpirun -n K genlab run ...) and its test
  python3 python3-h5py python3-numpy   # tests read results with h5py, as users would
  libopenblas0-pthread                 # numpy's BLAS for the export test's reader (Debian's default is the
                                       # reference BLAS, ~10x slower); genlab itself uses its own GEMM
)
# Optional extras for one script (e.g. the PyTorch comparison): EXTRA_PACKAGES="python3-torch ...".
read -r -a extra <<< "${EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
