"""A part of the script that `larslab-cli export-pytorch` writes: read_idx and load_fashion_mnist,
Fashion-MNIST from the Debian gzip IDX files. In scripts of fashion_mnist experiments.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import gzip
import os
import sys

import numpy as np
# ---- export-pytorch copies everything below this line into the script, byte for byte ----

def read_idx(path):
    """One gzip IDX file (Fashion-MNIST's format): a big-endian header, then unsigned bytes."""
    if not os.path.isfile(path):
        sys.exit(f"{path}: missing (Debian: apt install dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes (magic {magic:#x})")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(directory, limit):
    """Fashion-MNIST as LARS Lab reads it: pixels / 255 as float32, images flattened row by row,
    the first `limit` training images (0: all), the whole test set."""
    scale = np.float32(1) / np.float32(255)
    parts = []
    for prefix, keep in (("train", limit), ("t10k", 0)):
        images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
        if keep > 0:
            images, labels = images[:keep], labels[:keep]
        parts.append(images.reshape(len(images), -1).astype(np.float32) * scale)
        parts.append(labels.astype(np.float32).reshape(-1, 1))
    return parts
