#!/usr/bin/python3
"""Writes the seed inputs of the fuzz targets that are not plain files of the repository
(those are passed as corpora directly: resources/experiments, studies, lessons).

    /usr/bin/python3 tests/fuzz/make_seeds.py build/release/larslab-cli

Seeds are small on purpose: libFuzzer mutates small inputs faster. A crash the fuzzers find is
added by hand to corpus/<target>/ as a regression case (named crash-<what>); this script never
removes those.
"""
import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target: str, name: str, data: bytes) -> None:
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def csv_seeds() -> None:
    # The first byte picks the options (fuzz_csv.cpp): 0 classification, 1 regression,
    # 0x10 label column "label", 0x04 drop rows, 0x08 fill with the train mean.
    fixtures = os.path.join(ROOT, "tests", "fixtures", "csv")
    for name in sorted(os.listdir(fixtures)):
        data = open(os.path.join(fixtures, name), "rb").read()
        flags = 0x03 if name.startswith("regression") else 0x02
        write("fuzz_csv", name, bytes([flags]) + data)
    write("fuzz_csv", "missing_fill.csv", bytes([0x0A]) + b"a,b,label\n1,NA,x\n2,3,y\n,4,x\n5,6,y\n7,8,x\n")
    write("fuzz_csv", "label_named.csv", bytes([0x32]) + b"id,label,f\n1,a,0.5\n2,b,1.5\n3,a,2\n4,b,3\n")


def idx_seeds() -> None:
    # First byte (fuzz_idx.cpp): bit 0 the file as it is (gzip), else the payload to compress;
    # bit 1 labels (1-D) instead of images (3-D).
    fixtures = os.path.join(ROOT, "tests", "fixtures", "idx")
    for name in sorted(os.listdir(fixtures)):
        data = open(os.path.join(fixtures, name), "rb").read()
        labels = 2 if ".idx1" in name else 0
        write("fuzz_idx", "raw-" + name, bytes([1 | labels]) + data)
        try:
            write("fuzz_idx", "payload-" + name.replace(".gz", ""), bytes([labels]) + gzip.decompress(data))
        except (OSError, EOFError, zlib.error):
            pass  # the damaged gzip fixtures have no payload


def npy_seeds() -> None:
    arrays = {
        "vector": np.arange(3, dtype="<f4"),
        "matrix": np.arange(6, dtype="<f4").reshape(2, 3),
        "conv": np.zeros((2, 1, 3, 3), dtype="<f4"),
        "scalar": np.array(1.5, dtype="<f4"),
        "empty": np.zeros((0, 4), dtype="<f4"),
    }
    for name, a in arrays.items():
        for version in [(1, 0), (2, 0), (3, 0)]:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, a, version=version)
            write("fuzz_npy", f"{name}-v{version[0]}.npy", buf.getvalue())
    # What the reader must refuse, each for a reason of its own.
    for name, a in {"float64": np.zeros(2), "fortran": np.asfortranarray(np.zeros((2, 2), "<f4"))}.items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, a)
        write("fuzz_npy", f"{name}.npy", buf.getvalue())


TINY_EXPERIMENT = b"""{"version": 1, "dataset": {"kind": "moons", "samples": 64},
 "model": {"layers": [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 2}]},
 "steps": 3, "batch_size": 16, "eval_every": 1,
 "runs": [{"name": "LARS", "optimizer": {"type": "lars", "lr": 0.1, "eta": 0.001}},
          {"name": "SGD", "optimizer": {"type": "sgd", "lr": 10}}]}"""


def metrics_log_seeds(cli: str) -> None:
    # A real log of a tiny run (two runs, three steps, an evaluation at each), as the CLI writes it.
    separator = b"\n#next-file\n"
    with tempfile.TemporaryDirectory() as out:
        experiment = os.path.join(out, "tiny.json")
        with open(experiment, "wb") as f:
            f.write(TINY_EXPERIMENT)
        subprocess.run([cli, "run", experiment, "--out", out, "--threads", "1"], check=True,
                       stdout=subprocess.DEVNULL)
        parts = []
        for name in ["run_metrics.csv", "tensor_metrics.csv", "evaluations.csv", "events.csv"]:
            path = os.path.join(out, name)
            parts.append(open(path, "rb").read() if os.path.exists(path) else b"")
        write("fuzz_metrics_log", "tiny-run.log", separator.join(parts))
        write("fuzz_metrics_log", "run-metrics-only.log", parts[0])


def option_seeds() -> None:
    lines = {
        "screenshot": "--screenshot\nshot.png\n--steps\n300\n--size\n1366x768",
        "lesson": "--lesson\ntrust-coefficient\n--lesson-step\n2",
        "view": "--view\nprofile\n--step\n120\n--screenshot\nx.png",
        "study": "--study\nstudy-dir\n--study-point\nlars_b128_s1",
        "file": "experiment.json\n--threads\n2\n--smoothing\n0.6\n--text-scale\n150\n--maximize\ntrust_ratio",
    }
    for name, text in lines.items():
        write("fuzz_app_options", name, text.encode())


def json_seeds() -> None:
    # A small file per format besides the built-in ones, so that short mutations reach the
    # validators quickly.
    write("fuzz_experiment", "csv-dataset.json",
          b'{"version":1,"dataset":{"kind":"csv","path":"data.csv","label_column":"label"},'
          b'"model":{"layers":[{"type":"dense","units":2}]},"steps":10,"batch_size":4,'
          b'"runs":[{"name":"LARS","optimizer":{"type":"lars","lr":0.1,"eta":0.001}}]}')
    write("fuzz_study", "small.json",
          b'{"version":1,"name":"s","experiment":"../experiments/default.json","batch_sizes":[64,128],"seeds":[1]}')
    write("fuzz_lesson", "small.json",
          b'{"version":1,"title":"t","experiment":"../experiments/default.json",'
          b'"steps":[{"title":"a","text":"$\\\\eta$","actions":[{"train_to":5}]}]}')


def main() -> None:
    if len(sys.argv) != 2 or not shutil.which(sys.argv[1]):
        sys.exit("usage: make_seeds.py PATH/TO/larslab-cli")
    csv_seeds()
    idx_seeds()
    npy_seeds()
    metrics_log_seeds(sys.argv[1])
    option_seeds()
    json_seeds()


if __name__ == "__main__":
    main()
