"""A part of the script that `larslab-cli export-pytorch` writes: class LARS (optimizer types lars
and larc), with its convention options. In scripts with a lars or larc run.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch

from .optim_common import apply_update, decayed, divide, is_vector, norm
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


class LARS(torch.optim.Optimizer):
    r"""LARS: layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, arXiv 1708.03888,
    Algorithm 1) and the conventions in which its public implementations differ. For every
    tensor w with gradient g, weight decay beta, trust coefficient eta, global LR lr, momentum m:

        d     = g + beta * w
        ratio = eta * ||w|| / (||g|| + beta * ||w|| + eps)    denominator = "grad_plus_decay" (paper)
        ratio = eta * ||w|| / (||g + beta * w|| + eps)         denominator = "norm_of_sum" (optax)
        f     = ratio                                          clipping = "none"
        f     = min(ratio / lr, 1)                             clipping = "larc" (local LR min(ratio, lr))
        v     = m * v + lr * f * d;   w = w - v                lr_placement = "inside" (paper)
        v     = m * v + f * d;        w = w - lr * v           lr_placement = "outside" (PyTorch SGD style)

    momentum_kind = "nesterov": the step is u + m * v instead of v, u being the term just added
    to v (times lr when the LR is outside). A zero norm (||w|| = 0, or the norm the denominator
    tests, ||g|| or ||g + beta * w||, = 0): zero_norm = "ratio_one" sets ratio = 1 (decay and
    clipping still apply); zero_norm = "skip" applies neither adaptation, clipping nor weight
    decay this step (apex LARC). exclude = "vectors": 1-D tensors get ratio 1 and no decay.
    The local LR applied to a tensor is lr * f; the paper's bound is eta / beta.
    """

    def __init__(self, params, lr, momentum, weight_decay, eta, eps, denominator="grad_plus_decay",
                 lr_placement="inside", zero_norm="ratio_one", clipping="none", exclude="none",
                 momentum_kind="heavy_ball"):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, eps=eps,
                                      denominator=denominator, lr_placement=lr_placement, zero_norm=zero_norm,
                                      clipping=clipping, exclude=exclude, momentum_kind=momentum_kind))

    @staticmethod
    def trust_ratio(group, w_norm, g_norm, d_norm, beta, lr):
        """(ratio before clipping, factor f that scales d, weight decay actually applied)."""
        grad_plus_decay = group["denominator"] == "grad_plus_decay"
        tested = g_norm if grad_plus_decay else d_norm
        if w_norm == 0 or tested == 0:
            if group["zero_norm"] == "skip":
                return 1.0, 1.0, 0.0
            ratio = 1.0
        else:
            denominator = g_norm + beta * w_norm if grad_plus_decay else d_norm
            ratio = group["eta"] * w_norm / (denominator + group["eps"])
        factor = min(divide(ratio, lr), 1.0) if group["clipping"] == "larc" else ratio
        return ratio, factor, beta

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            nesterov = group["momentum_kind"] == "nesterov"
            for w in group["params"]:
                g = w.grad
                state = self.state[w]
                if "momentum" not in state:
                    state["momentum"] = torch.zeros_like(w)
                v = state["momentum"]
                excluded = group["exclude"] == "vectors" and is_vector(w)
                beta = 0.0 if excluded else group["weight_decay"]
                w_norm, g_norm = norm(w), norm(g)
                d = decayed(g, w, beta)
                ratio, factor = 1.0, 1.0
                if not excluded:
                    ratio, factor, beta = self.trust_ratio(group, w_norm, g_norm, norm(d), beta, lr)
                    d = decayed(g, w, beta)  # "skip" drops the decay
                if group["lr_placement"] == "inside":
                    u = d * factor * lr
                    v.mul_(m).add_(u)
                    u = u + m * v if nesterov else v
                else:
                    u = d * factor
                    v.mul_(m).add_(u)
                    u = (u + m * v if nesterov else v) * lr
                state["telemetry"] = apply_update(w, u, w_norm, g_norm, ratio, lr * factor)
