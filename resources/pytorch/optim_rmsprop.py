"""A part of the script that `larslab-cli export-pytorch` writes: class RMSprop (optimizer type
rmsprop). In scripts with an rmsprop run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class RMSprop(torch.optim.Optimizer):
    r"""RMSProp (Tieleman & Hinton 2012) in PyTorch's form (torch.optim.RMSprop, not centered):

        d = g + weight_decay * w
        s = alpha * s + (1 - alpha) * d^2
        v = momentum * v + d / (sqrt(s) + eps);   w = w - lr * v
    """

    def __init__(self, params, lr, alpha, eps, momentum, weight_decay):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, alpha, m = group["lr"], group["alpha"], group["momentum"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "mean_square" not in state:
                    state["mean_square"] = torch.zeros_like(w)
                    state["momentum"] = torch.zeros_like(w)
                s, v = state["mean_square"], state["momentum"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, group["weight_decay"])
                s.mul_(alpha).add_((1 - alpha) * (d * d))
                v.mul_(m).add_(d / (s.sqrt() + group["eps"]))
                state["telemetry"] = apply_update(w, v * lr, w_norm, g_norm, 1.0, lr)
