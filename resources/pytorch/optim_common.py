"""A part of the script that `larslab-cli export-pytorch` writes: what every optimizer class uses
(Telemetry, norm, divide, std, log10, apply_update, is_vector, decayed). In every script.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import collections
import math

import torch
# export-pytorch writes the Telemetry field names and the values apply_update returns from the per-tensor metric table (src/optim/tensor_metrics.h,
# src/engine/pytorch_export_metrics.cpp); the lines here keep this file checkable on its own.
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


# ---------------------------------------------------------------------------------------------
# Optimizers: LARS Lab's update rules, written out. Each step mirrors LARS Lab's composition
# operation by operation in float32, with norms accumulated in float64, so that the two agree
# to rounding. "Layer" = one parameter tensor: a dense layer's weight and bias are two layers.
# After step(), self.state[w]["telemetry"] holds what the step did to tensor w.
# ---------------------------------------------------------------------------------------------
Telemetry = collections.namedtuple(
    "Telemetry", "weight_norm grad_norm trust_ratio local_lr update_norm update_ratio update_to_data")
# weight_norm   ||w|| before the update       grad_norm     ||g||, the raw gradient (before decay)
# trust_ratio   layer-wise ratio before clipping, 1 where the optimizer has none
# local_lr      learning rate actually applied to the tensor (global LR x ratio, after clipping)
# update_norm   ||w_new - w_old||             update_ratio  ||w_new - w_old|| / ||w_old||
# update_to_data  log10(std(w_new - w_old) / std(w_old)), cs231n's update-to-data ratio


def norm(x):
    """||x||, accumulated in float64 as LARS Lab's telemetry is."""
    return torch.linalg.vector_norm(x, dtype=torch.float64).item()


def divide(a, b):
    """a / b with IEEE results for b = 0 (+-inf, NaN for 0/0), as in C++."""
    if b != 0:
        return a / b
    return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)


def std(x):
    """Population standard deviation in float64 (the ratio of two is the same with N - 1)."""
    x = x.double()
    return torch.sqrt(torch.mean((x - torch.mean(x)) ** 2)).item()


def log10(x):
    """log10 with IEEE results: -inf at 0, NaN below 0 or for NaN, as C++'s std::log10."""
    if x > 0:
        return math.log10(x)
    return -math.inf if x == 0 else math.nan


def apply_update(w, u, weight_norm, grad_norm, trust_ratio, local_lr):
    """w <- w - u in float32; returns the Telemetry, ||dw|| measured on the values stored."""
    new = w - u
    change = new.double() - w.double()
    update_norm = norm(change)
    update_to_data = log10(divide(std(change), std(w)))
    w.copy_(new)
    return Telemetry(weight_norm, grad_norm, trust_ratio, local_lr, update_norm, divide(update_norm, weight_norm), update_to_data)


def is_vector(w):
    """LARS Lab's exclude = "vectors" excludes biases and BatchNorm gamma/beta: the 1-D tensors."""
    return w.dim() == 1


def decayed(g, w, beta):
    """g + beta * w (L2 weight decay); g itself when beta is 0, as in LARS Lab."""
    return g + beta * w if beta != 0 else g
