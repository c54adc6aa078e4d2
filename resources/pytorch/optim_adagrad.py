"""A part of the script that `larslab-cli export-pytorch` writes: class Adagrad (optimizer type
adagrad). In scripts with an adagrad run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class Adagrad(torch.optim.Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer 2011) as torch.optim.Adagrad (no LR decay, accumulator 0):

        d = g + weight_decay * w;   s = s + d^2;   w = w - lr * d / (sqrt(s) + eps)
    """

    def __init__(self, params, lr, eps, weight_decay):
        super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr = group["lr"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "sum_of_squares" not in state:
                    state["sum_of_squares"] = torch.zeros_like(w)
                s = state["sum_of_squares"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, group["weight_decay"])
                s.add_(d * d)
                u = d / (s.sqrt() + group["eps"])
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
