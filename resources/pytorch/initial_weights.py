"""A part of the script that `larslab-cli export-pytorch` writes: load_initial_weights, to start
from the weights of `larslab-cli run --save-weights`. In every script.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import os
import sys

import numpy as np
import torch
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


def load_initial_weights(model, directory):
    """Fills every tensor of the model (parameters and BatchNorm statistics) from
    <directory>/<tensor>.npy, as written by `larslab-cli run --save-weights DIR` into
    DIR/<run>/initial/."""
    state = model.state_dict()
    for name, tensor in state.items():
        path = os.path.join(directory, name + ".npy")
        if not os.path.isfile(path):
            sys.exit(f"{path}: missing (expected one .npy file per tensor: {', '.join(state)})")
        array = np.load(path)
        if tuple(array.shape) != tuple(tensor.shape):
            sys.exit(f"{path}: shape {tuple(array.shape)}, but {name} has shape {tuple(tensor.shape)}")
        tensor.copy_(torch.from_numpy(array.astype(np.float32, copy=False)))
    model.load_state_dict(state)
