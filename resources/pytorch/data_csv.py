"""A part of the script that `larslab-cli export-pytorch` writes: load_csv, a CSV dataset split
with NumPy's RNG when no --data is given. In scripts of csv experiments.

Above the marker line, not exported: what this part takes from the rest of the script, so that
pyflakes can check the file on its own (tests/engine/pytorch/CMakeLists.txt). `from .name` is
another part: name.py here, or .experiment, the part the C++ exporter writes for the experiment."""
import csv

import numpy as np
# ---- export-pytorch copies everything below this line into the script, byte for byte ----

# LARS Lab's missing values (data/csv.h isMissingValue): an empty field, NA, N/A, NaN or null in
# any letter case; in a classification label column only an empty field.
MISSING_VALUES = {"", "na", "n/a", "nan", "null"}


def load_csv(path, label_column, regression, standardize, test_fraction, seed, ignore_columns=(), missing="error"):
    """The CSV file read as LARS Lab reads it (header row; every column but the label and the
    ignored ones is a numeric feature; integer labels become classes in numeric order, text
    labels in sorted order; missing values dropped with their row (drop_rows) or, after the
    split, replaced by the train split's column mean (fill_train_mean); stratified split;
    z-scores with the train split's statistics). The split is drawn with NumPy's RNG, NOT LARS
    Lab's: pass --data with the files of `larslab-cli export-pytorch` to train on LARS Lab's
    exact split."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[field.strip() for field in row] for row in csv.reader(f) if row]
    header, rows = rows[0], rows[1:]
    label = header.index(label_column) if label_column else len(header) - 1
    used = [i for i, name in enumerate(header) if i != label and name not in ignore_columns]

    def is_missing(value, is_label=False):
        return value == "" if is_label and not regression else value.lower() in MISSING_VALUES

    if missing == "drop_rows":
        rows = [r for r in rows if not is_missing(r[label], True) and not any(is_missing(r[i]) for i in used)]
    features = np.array([[np.nan if is_missing(r[i]) else float(r[i]) for i in used] for r in rows],
                        dtype=np.float64).reshape(len(rows), len(used))
    labels = [r[label] for r in rows]
    if regression:
        targets = np.array([float(v) for v in labels], dtype=np.float32).reshape(-1, 1)
        groups = [np.arange(len(rows))]
    else:
        try:
            values = [int(v) for v in labels]
        except ValueError:
            values = labels
        classes = sorted(set(values))
        index = {c: i for i, c in enumerate(classes)}
        targets = np.array([index[v] for v in values], dtype=np.float32).reshape(-1, 1)
        groups = [np.flatnonzero(targets[:, 0] == i) for i in range(len(classes))]
    rng = np.random.default_rng(seed)
    test = []
    for members in groups:
        members = rng.permutation(members)
        n = len(members)
        k = min(max(int(round(n * test_fraction)), 1), n - 1) if n >= 2 else 0
        test.extend(members[:k])
    test = np.array(sorted(test), dtype=np.int64)
    train = np.setdiff1d(np.arange(len(rows)), test)
    train, test = rng.permutation(train), rng.permutation(test)
    train_x, test_x = features[train], features[test]
    if missing == "fill_train_mean":
        # After the split and before standardising: the test rows do not shape the mean.
        mean = np.nanmean(train_x, axis=0)
        train_x, test_x = np.where(np.isnan(train_x), mean, train_x), np.where(np.isnan(test_x), mean, test_x)
    if standardize:
        mean = train_x.mean(axis=0)
        std = train_x.std(axis=0)
        scale = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 1.0)  # constant column: centre only
        train_x, test_x = (train_x - mean) * scale, (test_x - mean) * scale
    return [train_x.astype(np.float32), targets[train], test_x.astype(np.float32), targets[test]]
