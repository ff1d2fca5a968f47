#!/usr/bin/env bash
# Puts Fashion-MNIST's four IDX files into $GENLAB_DATA/fashion-mnist (default ~/.cache/genlab/fashion-mnist)
# and verifies their SHA-256 against datasets/fashion_mnist.sha256 (the uncompressed files; they match the
# publisher's gzip MD5 checksums). Source: Debian's package dataset-fashion-mnist (installed with apt-get
# when run as root and missing), or with FROM_URL=1 the publisher's URLs. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${GENLAB_DATA:-$HOME/.cache/genlab}/fashion-mnist
deb=/usr/share/datasets/fashion-mnist
mkdir -p "$dest"
if (cd "$dest" && sha256sum --quiet -c "$here/fashion_mnist.sha256" >/dev/null 2>&1); then
  echo "fetch_fashion_mnist: $dest already holds verified Fashion-MNIST"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${FROM_URL:-0}" = 1 ]; then
  src=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com
  for f in $(awk '{print $2}' "$here/fashion_mnist.sha256"); do
    echo "fetch_fashion_mnist: downloading $f.gz"
    curl -fL --progress-bar -o "$tmp/$f.gz" "$src/$f.gz"
  done
else
  if [ ! -d "$deb" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "fetch_fashion_mnist: run as root to install dataset-fashion-mnist, or FROM_URL=1" >&2; exit 1; }
    echo "fetch_fashion_mnist: apt-get install dataset-fashion-mnist"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
  fi
  cp "$deb"/*-ubyte.gz "$tmp/"
fi
for f in $(awk '{print $2}' "$here/fashion_mnist.sha256"); do
  [ -f "$tmp/$f.gz" ] || { echo "fetch_fashion_mnist: $f.gz missing from the source" >&2; exit 1; }
  gunzip -c "$tmp/$f.gz" > "$dest/$f.part"
  mv "$dest/$f.part" "$dest/$f"
done
(cd "$dest" && sha256sum -c "$here/fashion_mnist.sha256") ||
  { echo "fetch_fashion_mnist: checksum mismatch in $dest" >&2; exit 1; }
echo "fetch_fashion_mnist: Fashion-MNIST verified in $dest"
