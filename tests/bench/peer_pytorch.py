#!/usr/bin/python3
"""PyTorch peer for the LARS Lab benchmarks (issue 6).

Runs the workloads of workloads.json (the same file the C++ benchmark reads) in PyTorch on
the CPU, for SGD with momentum, LARS and Adam, and prints one JSON object per line:

  {"kind": "env", ...}                      versions, threads, BLAS core, environment
  {"kind": "gemm", ...}                     torch.mm 1024^3 float32 GFLOP/s (reference only)
  {"kind": "train", "workload": ..., "optimizer": ..., "threads": ..., "samples_per_s": ...}

A training step is zero_grad + forward + cross-entropy + backward + optimizer.step, float32,
on ONE random batch of the workload's shape reused every step (random inputs in the range
of the real data and random labels: throughput does not depend on the values, and both
sides do the same). Each configuration is warmed up, then timed in `--repetitions` windows
of at least `--min-time` seconds; samples/s is the median over the windows, or the fastest
window with --best (what compare.py uses, as it does for the C++ side).

LARS is written out below as a per-tensor loop following You, Gitman, Ginsburg 2017,
Algorithm 1 (trust ratio eta*||w|| / (||g|| + beta*||w||), LR inside the momentum buffer),
which is how the published PyTorch implementations (torchlars, timm, apex LARC) work.

Threads: torch.set_num_threads(n) bounds OpenMP (oneDNN convolutions, elementwise ops);
Debian's torch calls the system BLAS (OpenBLAS, pthread build) for matrix products, whose
pool is sized separately, so the script sets it with openblas_set_num_threads(n) as well.

Usage: /usr/bin/python3 peer_pytorch.py [--threads 1,2] [--workloads a,b] [--optimizers ...]
       /usr/bin/python3 peer_pytorch.py --smoke      (2 timed steps per case: a rot check)
"""

import argparse
import ctypes
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIMIZERS = ("sgd_momentum", "lars", "adam")


class Lars(torch.optim.Optimizer):
    """LARS, You, Gitman, Ginsburg 2017 (arXiv 1708.03888), Algorithm 1, per tensor:

        lambda = eta * ||w|| / (||g|| + beta * ||w||)   (1 when either norm is 0)
        v <- m * v + lr * lambda * (g + beta * w)
        w <- w - v
    """

    def __init__(self, params, lr, momentum=0.9, weight_decay=1e-4, eta=1e-3):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            beta, eta = group["weight_decay"], group["eta"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                w_norm = torch.linalg.vector_norm(p)
                g_norm = torch.linalg.vector_norm(g)
                # Tensor ops only (no .item()): the ratio stays on the tensor path, as in timm.
                ratio = torch.where((w_norm > 0) & (g_norm > 0),
                                    eta * w_norm / (g_norm + beta * w_norm),
                                    torch.ones_like(w_norm))
                d = g.add(p, alpha=beta)
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = torch.zeros_like(p)
                buf.mul_(m).add_(d.mul_(ratio * lr))
                p.sub_(buf)


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def build_model(workload):
    """nn.Sequential from the workload's layer list, plus the FLOPs of one training step."""
    c, h, w = workload["input"]
    flat = c * h * w
    image = workload["layers"][0]["type"] == "conv2d"
    modules = []
    flops = 0
    first_param_layer = True
    batch = workload["batch"]
    for i, layer in enumerate(workload["layers"]):
        kind = layer["type"]
        if kind == "dense":
            if image:
                modules.append(nn.Flatten())
                image = False
            in_f = flat
            out_f = layer["units"]
            modules.append(nn.Linear(in_f, out_f))
            gemm = 2 * batch * in_f * out_f
            flops += gemm * (2 if first_param_layer else 3)
            first_param_layer = False
            flat = out_f
        elif kind == "conv2d":
            k, pad, stride = layer["kernel"], layer.get("padding", 0), layer.get("stride", 1)
            out_c = layer["filters"]
            modules.append(nn.Conv2d(c, out_c, k, stride=stride, padding=pad))
            ho = (h + 2 * pad - k) // stride + 1
            wo = (w + 2 * pad - k) // stride + 1
            gemm = 2 * batch * ho * wo * out_c * c * k * k
            flops += gemm * (2 if first_param_layer else 3)
            first_param_layer = False
            c, h, w = out_c, ho, wo
            flat = c * h * w
        elif kind == "maxpool2d":
            k = layer.get("kernel", 2)
            stride = layer.get("stride", 0) or k
            modules.append(nn.MaxPool2d(k, stride))
            h = (h - k) // stride + 1
            w = (w - k) // stride + 1
            flat = c * h * w
        elif kind == "flatten":
            modules.append(nn.Flatten())
            image = False
        elif kind == "relu":
            modules.append(nn.ReLU())
        elif kind == "tanh":
            modules.append(nn.Tanh())
        else:
            raise ValueError(f"workloads.json: workload {workload['name']} layer {i}: "
                             f"unsupported type '{kind}'")
    return nn.Sequential(*modules), flops


def make_optimizer(name, params, hp):
    if name == "sgd_momentum":
        return torch.optim.SGD(params, lr=hp["lr"], momentum=hp["momentum"],
                               weight_decay=hp["weight_decay"])
    if name == "lars":
        return Lars(params, lr=hp["lr"], momentum=hp["momentum"],
                    weight_decay=hp["weight_decay"], eta=hp["eta"])
    if name == "adam":
        return torch.optim.Adam(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]),
                                eps=hp["eps"], weight_decay=hp["weight_decay"])
    raise ValueError(f"unknown optimizer '{name}' (expected one of {', '.join(OPTIMIZERS)})")


def openblas():
    """The OpenBLAS that torch loaded (None when torch uses another BLAS)."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0", mode=os.RTLD_NOLOAD | os.RTLD_GLOBAL)
    except OSError:
        return None
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    return lib


def set_threads(n, blas):
    torch.set_num_threads(n)
    if blas is not None:
        blas.openblas_set_num_threads(n)


def time_steps(step, batch, warmup_s, min_time, repetitions, min_steps, best=False):
    """Samples/s over `repetitions` windows of >= min_time s (and >= min_steps steps): the
    median, or with best=True the fastest window (robust when other processes share the cores).

    Returns (wall samples/s, wall ms/step, per-window wall samples/s, CPU samples/s). The CPU
    rate uses the process's CPU time: with 1 thread it is the step's own cost even when other
    processes share the cores; with more threads it also counts spinning workers.
    """
    t_end = time.perf_counter() + warmup_s
    step()
    while time.perf_counter() < t_end:
        step()
    rates, step_ms, cpu_rates = [], [], []
    for _ in range(repetitions):
        n = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while True:
            step()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time and n >= min_steps:
                break
        cpu = max(time.process_time() - c0, 1e-9)
        rates.append(n * batch / elapsed)
        step_ms.append(1e3 * elapsed / n)
        cpu_rates.append(n * batch / cpu)
    pick = max if best else statistics.median
    return pick(rates), (min if best else statistics.median)(step_ms), rates, pick(cpu_rates)


def bench_training(workload, opt_name, hp, threads, args, blas):
    set_threads(threads, blas)
    torch.manual_seed(1)
    model, flops = build_model(workload)
    batch = workload["batch"]
    c, h, w = workload["input"]
    if workload["layers"][0]["type"] == "conv2d":
        x = torch.rand(batch, c, h, w)
    elif c * h * w == 2:
        x = torch.randn(batch, 2)
    else:
        x = torch.rand(batch, c * h * w)
    y = torch.randint(0, workload["classes"], (batch,))
    opt = make_optimizer(opt_name, model.parameters(), hp)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    rate, ms, rates, cpu_rate = time_steps(step, batch, args.warmup, args.min_time,
                                           args.repetitions, args.min_steps, args.best)
    with torch.no_grad():
        final = F.cross_entropy(model(x), y).item()
    params = sum(p.numel() for p in model.parameters())
    return {"kind": "train", "workload": workload["name"], "optimizer": opt_name,
            "threads": threads, "batch": batch, "params": params, "flops_per_step": flops,
            "samples_per_s": rate, "step_ms": ms, "cpu_samples_per_s": cpu_rate, "gflops": flops * rate / batch / 1e9,
            "repetition_samples_per_s": rates, "finite": math.isfinite(final)}


def bench_gemm(threads, args, blas, n=1024):
    set_threads(threads, blas)
    a, b = torch.rand(n, n), torch.rand(n, n)
    c = torch.empty(n, n)
    _, ms, _, _ = time_steps(lambda: torch.mm(a, b, out=c), 1, args.warmup, args.min_time,
                             args.repetitions, args.min_steps, args.best)
    return {"kind": "gemm", "n": n, "threads": threads, "gflops": 2 * n ** 3 / (ms * 1e-3) / 1e9}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=os.path.join(HERE, "workloads.json"))
    ap.add_argument("--threads", default="2", help="comma-separated thread counts, e.g. 1,2")
    ap.add_argument("--workloads", default="", help="comma-separated names (default: all)")
    ap.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    ap.add_argument("--warmup", type=float, default=0.3, help="seconds of warm-up per case")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per timed window")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--min-steps", type=int, default=3)
    ap.add_argument("--best", action="store_true",
                    help="report the fastest window instead of the median")
    ap.add_argument("--no-gemm", action="store_true")
    ap.add_argument("--smoke", action="store_true",
                    help="2 timed steps per case, no warm-up: checks the script still runs")
    args = ap.parse_args()
    if args.smoke:
        args.warmup, args.min_time, args.repetitions, args.min_steps = 0.0, 0.0, 1, 2

    spec = load_spec(args.spec)
    wanted = [s for s in args.workloads.split(",") if s]
    names = [w["name"] for w in spec["workloads"]]
    for s in wanted:
        if s not in names:
            sys.exit(f"--workloads: unknown workload '{s}' (known: {', '.join(names)})")
    workloads = [w for w in spec["workloads"] if not wanted or w["name"] in wanted]
    optimizers = [s for s in args.optimizers.split(",") if s]
    for s in optimizers:
        if s not in OPTIMIZERS:
            sys.exit(f"--optimizers: unknown optimizer '{s}' (known: {', '.join(OPTIMIZERS)})")
    threads = [int(t) for t in args.threads.split(",") if t]

    blas = openblas()
    env = {"kind": "env", "torch": torch.__version__, "python": platform.python_version(),
           "threads": threads, "cpu_count": os.cpu_count(),
           "blas_core": blas.openblas_get_corename().decode() if blas else None,
           "blas_config": blas.openblas_get_config().decode() if blas else None,
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
           "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
           "data": "random inputs and labels of the workload's shape, one batch reused"}
    print(json.dumps(env), flush=True)

    if not args.no_gemm:
        for t in threads:
            print(json.dumps(bench_gemm(t, args, blas)), flush=True)
    failures = 0
    for workload in workloads:
        for opt_name in optimizers:
            for t in threads:
                row = bench_training(workload, opt_name, spec["optimizers"][opt_name], t, args, blas)
                failures += 0 if row["finite"] else 1
                print(json.dumps(row), flush=True)
    if failures:
        sys.exit(f"{failures} case(s) ended with a non-finite loss")


if __name__ == "__main__":
    main()
