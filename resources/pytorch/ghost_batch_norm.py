"""A part of the script that `larslab-cli export-pytorch` writes: GhostBatchNorm, BatchNorm as LARS
Lab computes it, per shard. In scripts whose model has a batchnorm layer.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import torch
import torch.nn as nn
# ---- export-pytorch copies everything below this line into the script, byte for byte ----

class GhostBatchNorm(nn.Module):
    """BatchNorm exactly as LARS Lab computes it (tensors gamma, beta, running_mean, running_var).

    LARS Lab cuts every minibatch into a fixed number of shards (SHARDS, so that its results do
    not depend on the thread count) and, in training, normalises each shard with that shard's
    own mean and biased variance: "ghost batch normalisation". torch.nn.BatchNorm1d/2d would
    normalise with the whole batch instead, and the losses would differ. The running statistics
    are updated once per step with the mean and unbiased variance of the whole batch, with
    PyTorch's convention running = (1 - momentum) * running + momentum * batch_statistic.
    Statistics are per channel over (batch, height, width); per feature for flat input.
    Under DistributedDataParallel each process normalises its own samples in ghost_batches
    shards (SHARDS // world size, so the shards keep LARS Lab's size).
    """

    def __init__(self, num_features, eps, momentum, ghost_batches):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.ghost_batches = ghost_batches
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    @torch.no_grad()
    def reset_parameters(self):
        self.gamma.fill_(1.0)
        self.beta.zero_()
        self.running_mean.zero_()
        self.running_var.fill_(1.0)

    def forward(self, x):
        v = x.reshape(x.shape[0], self.num_features, -1)  # (N, C, spatial): channel-major rows
        if self.training:
            # Shards as LARS Lab cuts them: the first N % k shards get one row more.
            shards = torch.tensor_split(v, min(self.ghost_batches, v.shape[0]), dim=0)
            xhat = torch.cat([(s - s.mean(dim=(0, 2), keepdim=True))
                              * torch.rsqrt(s.var(dim=(0, 2), unbiased=False, keepdim=True) + self.eps)
                              for s in shards])
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * v.mean(dim=(0, 2)))
                self.running_var.mul_(1 - m).add_(m * v.var(dim=(0, 2), unbiased=True))
        else:
            xhat = (v - self.running_mean[None, :, None]) * torch.rsqrt(self.running_var[None, :, None] + self.eps)
        return (xhat * self.gamma[None, :, None] + self.beta[None, :, None]).reshape(x.shape)
