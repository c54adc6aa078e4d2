"""A part of the script that `larslab-cli export-pytorch` writes: the training loop and main(),
what the script does when it runs. In every script, last.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import argparse
import collections
import math
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

# The configuration, load_data, the model and make_optimizer: src/engine/pytorch_export*.cpp
from .experiment import (BATCH_SIZE, EPOCHS, EVAL_EVERY, LOSS, RUNS, SEED, SHUFFLE, STEPS, TENSORS,
                         build_model, load_data, make_optimizer)
from .initial_weights import load_initial_weights
from .metric_log import MetricLog
from .schedule import schedule_factor
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
Context = collections.namedtuple("Context", "rank world_size distributed")


def setup_distributed():
    """DistributedDataParallel when launched by torchrun (WORLD_SIZE > 1), on CPU with gloo."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Context(0, 1, False)
    dist.init_process_group(backend="gloo")
    if BATCH_SIZE % world_size != 0:
        sys.exit(f"batch size {BATCH_SIZE} is not divisible by the {world_size} processes")
    return Context(dist.get_rank(), world_size, True)


def batch_loss(outputs, targets):
    """Per-sample losses, as LARS Lab defines them."""
    if LOSS == "cross_entropy":
        return F.cross_entropy(outputs, targets, reduction="none")
    return F.mse_loss(outputs, targets, reduction="none").mean(dim=1)  # mean over outputs


def correct_count(outputs, targets):
    return int((outputs.argmax(dim=1) == targets).sum()) if LOSS == "cross_entropy" else 0


@torch.no_grad()
def evaluate(model, x, y):
    """Test loss and accuracy (NaN for regression), inference mode, in chunks of 1024 rows."""
    model.eval()
    total, correct = 0.0, 0
    for begin in range(0, len(x), 1024):
        outputs = model(x[begin:begin + 1024])
        total += batch_loss(outputs, y[begin:begin + 1024]).double().sum().item()
        correct += correct_count(outputs, y[begin:begin + 1024])
    accuracy = correct / len(x) if LOSS == "cross_entropy" else math.nan
    return total / len(x), accuracy


def first_nonfinite(model):
    """LARS Lab's divergence test on the parameters: the first tensor holding inf or NaN."""
    for name, tensor in model.state_dict().items():
        bad = tensor[~torch.isfinite(tensor)]
        if bad.numel():
            value = bad[0].item()
            return f"parameter {name} is " + ("NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    return None


def train_run(run, initial_state, data, total_steps, shuffle, ctx, log):
    """Trains one run from `initial_state`; appends its rows to `log` (rank 0)."""
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(SEED)  # the same dropout masks for every run (not LARS Lab's masks)
    model = build_model(ctx)
    model.load_state_dict(initial_state)
    net = DistributedDataParallel(model) if ctx.distributed else model
    params = dict(model.named_parameters())
    optimizer = make_optimizer(run, [params[name] for name, _ in TENSORS])
    base_lr = run["hyperparameters"]["lr"]

    # Batches as LARS Lab draws them: every batch full, floor(N / B) batches per epoch, the
    # leftover samples skipped; without shuffling, the stored order every epoch. Under DDP each
    # process takes every world_size-th sample of the same order, so the processes together see
    # the same global batch of BATCH_SIZE samples (and DDP averages their gradients).
    train_set = TensorDataset(train_x, train_y)
    sampler = DistributedSampler(train_set, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=shuffle,
                                 seed=SEED, drop_last=True)
    loader = DataLoader(train_set, batch_size=BATCH_SIZE // ctx.world_size, sampler=sampler, drop_last=True)
    batches_per_epoch = len(train_x) // BATCH_SIZE

    name = run["name"]
    report_every = max(1, total_steps // 10)
    if ctx.rank == 0:
        log.evaluation(name, 0, *evaluate(model, test_x, test_y))
    step, epoch = 0, 0
    while step < total_steps:
        sampler.set_epoch(epoch)
        for x, y in loader:
            if step >= total_steps:
                break
            model.train()
            optimizer.zero_grad(set_to_none=True)
            outputs = net(x)
            losses = batch_loss(outputs, y)
            losses.mean().backward()  # DDP averages the gradients of the processes
            lr = base_lr * schedule_factor(run["schedule"], step, total_steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()

            sums = torch.tensor([losses.detach().double().sum().item(), correct_count(outputs, y), len(x)],
                                dtype=torch.float64)
            if ctx.distributed:
                dist.all_reduce(sums)
            loss = (sums[0] / sums[2]).item()
            accuracy = (sums[1] / sums[2]).item() if LOSS == "cross_entropy" else math.nan
            telemetry = [optimizer.state[params[tensor]]["telemetry"] for tensor, _ in TENSORS]
            if ctx.rank == 0:
                log.step(name, step, step / batches_per_epoch, loss, accuracy, lr, telemetry)
            step += 1

            problem = None if math.isfinite(loss) else "loss is " + ("NaN" if math.isnan(loss) else "inf")
            problem = problem or first_nonfinite(model)
            if problem:
                if ctx.rank == 0:
                    log.event(step - 1, name, "diverged", f"diverged at step {step - 1}: {problem}")
                    print(f"{name}: diverged at step {step - 1}: {problem}", flush=True)
                return
            if ctx.rank == 0 and ((EVAL_EVERY > 0 and step % EVAL_EVERY == 0) or step == total_steps):
                log.evaluation(name, step, *evaluate(model, test_x, test_y))
            if ctx.rank == 0 and (step % report_every == 0 or step == total_steps):
                print(f"{name}: step {step}/{total_steps}  loss {loss:.4f}  lr {lr:.4g}", flush=True)
        epoch += 1


def experiment_steps(batches_per_epoch):
    """The experiment's length: STEPS, else ceil(EPOCHS * batches per epoch), else 1000."""
    if STEPS > 0:
        return STEPS
    if EPOCHS > 0:
        return max(1, math.ceil(EPOCHS * batches_per_epoch))
    return 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="append", metavar="NAME",
                        help="train this run of the experiment (repeatable; default: every run)")
    parser.add_argument("--steps", type=int, help="train this many steps instead of the experiment's length")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="visit the training samples in their stored order every epoch")
    parser.add_argument("--init-weights", metavar="DIR",
                        help="start from LARS Lab's initial weights: DIR/<run>/initial/<tensor>.npy "
                             "(larslab-cli run --save-weights DIR), or DIR/<tensor>.npy")
    parser.add_argument("--data", metavar="DIR", help="directory with LARS Lab's data as .npy (train_x.npy, ...)")
    parser.add_argument("--out", metavar="DIR", default="pytorch-metrics",
                        help="where to write the metric log (default: %(default)s)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads(N)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = [run["name"] for run in RUNS]
    for name in args.run or []:
        if name not in names:
            parser.error(f"--run {name}: no such run (runs: {', '.join(names)})")
    runs = [run for run in RUNS if not args.run or run["name"] in args.run]
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be >= 1")

    ctx = setup_distributed()
    data = load_data(args.data)
    if not BATCH_SIZE <= len(data[0]):
        sys.exit(f"batch size {BATCH_SIZE} exceeds the {len(data[0])} training samples")
    total_steps = args.steps or experiment_steps(len(data[0]) // BATCH_SIZE)
    shuffle = SHUFFLE and not args.no_shuffle
    log = MetricLog()
    for run in runs:
        model = build_model(ctx)
        if args.init_weights:
            directory = os.path.join(args.init_weights, run["name"], "initial")
            load_initial_weights(model, directory if os.path.isdir(directory) else args.init_weights)
        else:
            torch.manual_seed(SEED)  # every run starts from the same weights, as in LARS Lab
            model.reset_parameters()
        train_run(run, model.state_dict(), data, total_steps, shuffle, ctx, log)
        if ctx.rank == 0:
            log.write(args.out)
    if ctx.rank == 0:
        print(f"metrics written to {args.out}/", flush=True)
    if ctx.distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
