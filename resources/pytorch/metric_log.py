"""A part of the script that `larslab-cli export-pytorch` writes: MetricLog, the metric log in LARS
Lab's CSV format. In every script.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import math
import os

import numpy as np

# TENSORS: the model part, src/engine/pytorch_export_model.cpp
from .experiment import TENSORS
# export-pytorch writes its TENSOR_METRICS line from the per-tensor metric table (src/optim/tensor_metrics.h,
# src/engine/pytorch_export_metrics.cpp); the lines here keep this file checkable on its own.
# ---- export-pytorch copies everything below this line into the script, byte for byte ----


# ---------------------------------------------------------------------------------------------
# Metric log: LARS Lab's CSV format (resources/docs/metrics-format.md), so LARS Lab can open it
# ---------------------------------------------------------------------------------------------
TENSOR_METRICS = ("weight_norm", "grad_norm", "trust_ratio", "local_lr", "update_norm", "update_ratio", "update_to_data")


def format_number(value, float32=False):
    """The shortest text that reads back as the same float32 (or float64) value, choosing fixed
    or scientific notation as C++'s std::to_chars does; nan, inf and -inf for non-finite values."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    v = np.float32(value) if float32 else np.float64(value)
    fixed = np.format_float_positional(v, unique=True, trim="-")
    if v != 0 and float(v).is_integer():
        fixed = str(int(v))  # to_chars prints a large integer's exact digits, not padding zeros
    scientific = np.format_float_scientific(v, unique=True, trim="-", exp_digits=2)
    return fixed if len(fixed) <= len(scientific) else scientific


def csv_field(text):
    """One CSV field, quoted when it holds a comma, a quote, CR or LF."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class MetricLog:
    """run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv. A row of step k holds
    the batch loss and accuracy before update k, the global LR of update k and its telemetry."""

    def __init__(self):
        self.runs = ["run,step,epoch,loss,accuracy,lr"]
        self.tensors = ["run,step,tensor,kind," + ",".join(TENSOR_METRICS)]
        self.evaluations = ["run,step,test_loss,test_accuracy"]
        self.events = ["step,run,kind,detail"]

    def step(self, run, step, epoch, loss, accuracy, lr, telemetry):
        name = csv_field(run)
        self.runs.append(",".join([name, str(step), format_number(epoch)]
                                  + [format_number(v, float32=True) for v in (loss, accuracy, lr)]))
        for (tensor, kind), t in zip(TENSORS, telemetry):
            self.tensors.append(",".join([name, str(step), csv_field(tensor), kind]
                                         + [format_number(v, float32=True) for v in t]))

    def evaluation(self, run, step, loss, accuracy):
        self.evaluations.append(f"{csv_field(run)},{step},{format_number(loss)},{format_number(accuracy)}")

    def event(self, step, run, kind, detail):
        self.events.append(f"{step},{csv_field(run)},{csv_field(kind)},{csv_field(detail)}")

    def write(self, directory):
        """Each file atomically: written to a temporary file, then renamed."""
        os.makedirs(directory, exist_ok=True)
        for name, lines in (("run_metrics.csv", self.runs), ("tensor_metrics.csv", self.tensors),
                            ("evaluations.csv", self.evaluations), ("events.csv", self.events)):
            path = os.path.join(directory, name)
            with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(path + ".tmp", path)
