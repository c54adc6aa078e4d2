"""A part of the script that `larslab-cli export-pytorch` writes: class Adam (optimizer types adam
and adamw). In scripts with such a run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class Adam(torch.optim.Optimizer):
    r"""Adam (Kingma & Ba 2015, Algorithm 1) with L2 weight decay, and AdamW (Loshchilov & Hutter
    2019, decoupled weight decay) when decoupled=True. At step t (1-based):

        Adam:   d = g + weight_decay * w
                m = beta1 * m + (1 - beta1) * d;  v = beta2 * v + (1 - beta2) * d^2
                w = w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
        AdamW:  m, v from the raw g;
                w = w - lr * ((m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * w)
    """

    def __init__(self, params, lr, beta1, beta2, eps, weight_decay, decoupled=False):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                      decoupled=decoupled))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, b1, b2, beta = group["lr"], group["beta1"], group["beta2"], group["weight_decay"]
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "step" not in state:
                    state["step"] = 0
                    state["first_moment"] = torch.zeros_like(w)
                    state["second_moment"] = torch.zeros_like(w)
                state["step"] += 1
                t = state["step"]
                m, v = state["first_moment"], state["second_moment"]
                w_norm, g_norm = norm(w), norm(g)
                d = g if group["decoupled"] else decayed(g, w, beta)
                m.mul_(b1).add_((1 - b1) * d)
                v.mul_(b2).add_((1 - b2) * (d * d))
                u = (m * (1 / (1 - b1 ** t))) / ((v * (1 / (1 - b2 ** t))).sqrt() + group["eps"])
                if group["decoupled"]:
                    u = decayed(u, w, beta)
                state["telemetry"] = apply_update(w, u * lr, w_norm, g_norm, 1.0, lr)
