"""A part of the script that `larslab-cli export-pytorch` writes: class LAMB (optimizer type lamb).
In scripts with a lamb run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, is_vector, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class LAMB(torch.optim.Optimizer):
    r"""LAMB: layer-wise adaptive moments (You et al. 2019, arXiv 1904.00962, Algorithm 2, with
    its bias correction). For every tensor w with gradient g, at step t (1-based):

        m = beta1 * m + (1 - beta1) * g;    v = beta2 * v + (1 - beta2) * g^2
        r = (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * w
        w = w - lr * phi(||w||) / ||r|| * r

    phi = "identity": phi(x) = x; phi = "clamp": phi(x) = min(x, clamp_max). The ratio
    phi(||w||) / ||r|| is 1 when ||w|| or ||r|| is 0. exclude = "vectors": 1-D tensors get no
    weight decay and ratio 1 (a plain Adam step).
    """

    def __init__(self, params, lr, beta1, beta2, eps, weight_decay, clamp_max, phi="identity", exclude="none"):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                      clamp_max=clamp_max, phi=phi, exclude=exclude))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, b1, b2 = group["lr"], group["beta1"], group["beta2"]
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
                excluded = group["exclude"] == "vectors" and is_vector(w)
                beta = 0.0 if excluded else group["weight_decay"]
                w_norm, g_norm = norm(w), norm(g)
                m.mul_(b1).add_((1 - b1) * g)
                v.mul_(b2).add_((1 - b2) * (g * g))
                r = (m * (1 / (1 - b1 ** t))) / ((v * (1 / (1 - b2 ** t))).sqrt() + group["eps"])
                r = decayed(r, w, beta)
                ratio = 1.0
                if not excluded:
                    r_norm = norm(r)
                    if w_norm != 0 and r_norm != 0:
                        phi = min(w_norm, group["clamp_max"]) if group["phi"] == "clamp" else w_norm
                        ratio = phi / r_norm
                state["telemetry"] = apply_update(w, r * ratio * lr, w_norm, g_norm, ratio, lr * ratio)
