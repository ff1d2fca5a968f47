"""Decodes a PNG written by `genlab inpaint -o` with Python's zlib (independently of genlab's encoder),
checks every chunk's CRC, and compares each tile with the arrays stored in the run file.
usage: check_png_grid.py GRID.png RUN.h5 ARRAY_PREFIX"""
import struct
import sys
import zlib

import h5py
import numpy as np


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "bad signature"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, f"CRC mismatch in {kind}"
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 0), "expected 8-bit greyscale"
            size = (w, h)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h = size
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, w + 1)
    assert (raw[:, 0] == 0).all(), "unexpected filter type"
    return raw[:, 1:]


def main():
    png, run, prefix = sys.argv[1:4]
    img = read_png(png)
    with h5py.File(run, "r") as f:
        x = f[f"arrays/{prefix}_input"][()]
        obs = f[f"arrays/{prefix}_observed"][()]
        draws = f[f"arrays/{prefix}_draws"][()]
    n, k = x.shape[0], draws.shape[0] // x.shape[0]
    cols = 2 + k
    assert img.shape == (n * 29 + 1, cols * 29 + 1), f"grid is {img.shape}"

    def tile(r, c):
        return img[1 + r * 29:1 + r * 29 + 28, 1 + c * 29:1 + c * 29 + 28].reshape(-1)

    level = lambda v: np.round(255 * np.clip(v, 0, 1)).astype(np.uint8)
    for i in range(n):
        assert (tile(i, 0) == level(x[i])).all(), f"row {i}: original"
        assert (tile(i, 1) == level(x[i] * obs[i] + 0.5 * (1 - obs[i]))).all(), f"row {i}: observed"
        for d in range(k):
            assert (tile(i, 2 + d) == level(draws[i * k + d])).all(), f"row {i}: completion {d}"
    print(f"ok: {n} rows x {cols} tiles match the arrays")


if __name__ == "__main__":
    main()
