"""A part of the script that `larslab-cli export-pytorch` writes: class SGD (optimizer types sgd,
momentum and nesterov). In scripts with such a run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class SGD(torch.optim.Optimizer):
    r"""Stochastic gradient descent in PyTorch's convention (torch.optim.SGD, dampening 0):

        d = g + weight_decay * w
        plain (momentum None):   w = w - lr * d
        heavy ball (momentum m): v = m * v + d;  w = w - lr * v          (Polyak 1964)
        nesterov:                v = m * v + d;  w = w - lr * (d + m * v) (Sutskever et al. 2013)
    """

    def __init__(self, params, lr, weight_decay=0.0, momentum=None, nesterov=False):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                w_norm, g_norm = norm(w), norm(g)
                u = decayed(g, w, group["weight_decay"])
                if m is not None:
                    if "momentum" not in state:
                        state["momentum"] = torch.zeros_like(w)
                    v = state["momentum"]
                    v.mul_(m).add_(u)
                    u = u + m * v if group["nesterov"] else v
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
