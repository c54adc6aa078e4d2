"""A part of the script that `larslab-cli export-pytorch` writes: load_npy_dataset, the data LARS
Lab generated and split, as .npy files. In every script.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import os
import sys

import numpy as np
# ---- export-pytorch copies everything below this line into the script, byte for byte ----

def load_npy_dataset(directory):
    """The dataset exactly as LARS Lab generated and split it: train_x.npy (N x D), train_y.npy
    (N x K), test_x.npy, test_y.npy, float32, rows in LARS Lab's order. Written by
    `larslab-cli export-pytorch` next to this script (or by --data-dir)."""
    arrays = []
    for name in ("train_x", "train_y", "test_x", "test_y"):
        path = os.path.join(directory, name + ".npy")
        if not os.path.isfile(path):
            sys.exit(f"{path}: missing. Write LARS Lab's data with `larslab-cli export-pytorch "
                     f"EXPERIMENT.json -o SCRIPT.py --data-dir DIR` and pass --data DIR")
        arrays.append(np.load(path).astype(np.float32, copy=False))
    return arrays
