"""A part of the script that `larslab-cli export-pytorch` writes: schedule_factor, LARS Lab's
learning-rate schedules. In every script.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import math
import sys
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


# ---------------------------------------------------------------------------------------------
# Learning-rate schedule
# ---------------------------------------------------------------------------------------------
def schedule_factor(schedule, step, total_steps):
    """LARS Lab's multiplier of the base LR at step t (0-based): lr_t = lr * factor.

    With W = warmup_steps > 0 the first W steps ramp linearly, factor = (t + 1) / W, and the
    schedule then runs on the remaining steps as if they started at 0, over S = T - W steps
    (T = total_steps, s = min(t - W, S), f = final_factor):
        constant    1
        polynomial  f + (1 - f) * (1 - s / S) ** power          (LARS paper: f = 0, power 2)
        cosine      f + (1 - f) * (1 + cos(pi * s / S)) / 2
        step        gamma ** ((t - W) // step_size)
    """
    warmup = schedule["warmup_steps"]
    if step < warmup:
        return (step + 1) / warmup
    t = step - warmup
    kind = schedule["kind"]
    if kind == "constant":
        return 1.0
    if kind == "step":
        return schedule["gamma"] ** (t // schedule["step_size"])
    horizon = total_steps - warmup
    if horizon <= 0:
        sys.exit(f"a {kind} schedule needs more steps ({total_steps}) than warm-up steps ({warmup})")
    progress = min(t, horizon) / horizon
    if kind == "polynomial":
        shape = (1.0 - progress) ** schedule["power"]
    else:
        shape = 0.5 * (1.0 + math.cos(math.pi * progress))
    f = schedule["final_factor"]
    return f + (1.0 - f) * shape
