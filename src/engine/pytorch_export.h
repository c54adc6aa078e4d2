#pragma once
// The bridge to PyTorch: an experiment as ONE standalone, readable Python 3 script (torch >= 1.13)
// that builds the same model (same tensor names: dense1.weight, bn1.gamma, ...), loads the same
// data, and trains every run with the same optimizer convention, written out in the script, and
// the same schedule. It writes run_metrics.csv, tensor_metrics.csv, evaluations.csv and
// events.csv in the engine's format (csv_export.h), so `larslab` can open its logs. It trains
// with DistributedDataParallel (gloo, DistributedSampler) when launched by torchrun.
//
// Data interchange: LARS Lab's synthetic generators and its CSV split use LARS Lab's own RNG,
// which the script cannot reproduce, so the script loads the data LARS Lab generated from .npy
// files (writeDatasetNpy). Fashion-MNIST is read directly from the Debian gzip IDX files; the
// split is fixed (first `limit` training images), so no files are needed.
// Initial weights: `--init-weights DIR` loads DIR/<run>/initial/<tensor>.npy as written by
// `larslab-cli run --save-weights DIR` (saveParametersNpy). With shuffling off and the same
// initial weights the script reproduces LARS Lab's losses and per-tensor telemetry up to float32
// rounding (see tests/engine/pytorch/ for the measured agreement).
//
// The script's fixed parts are Python files, resources/pytorch/*.py, embedded at build time;
// pytorch_export_{optimizers,model,data}.cpp write the experiment-specific parts and
// pytorch_export.cpp assembles them.

#include <iosfwd>
#include <string>

#include "data/dataset.h"
#include "engine/experiment.h"

namespace larslab::engine {

struct PytorchExportOptions {
  // Default of the script's --data option: a directory with the .npy files of writeDatasetNpy.
  // A relative path is resolved against the script's own directory when the script runs.
  // Empty: no default (the script then needs --data for synthetic and CSV datasets).
  std::string dataDir;
};

// The script's text. Throws std::invalid_argument naming the run/field when the experiment uses
// something the exporter cannot express (an optimizer, hyperparameter or option it does not
// know: the exporter must then be extended together with the registry), and std::runtime_error
// when a CSV dataset cannot be read (its header gives the model's input size).
std::string exportPytorchScript(const ExperimentSpec& spec, const PytorchExportOptions& options = {});

// exportPytorchScript written atomically to `path` (temporary file + rename), made executable.
void writePytorchScript(const ExperimentSpec& spec, const std::string& path, const PytorchExportOptions& options = {});
// A script's text written as writePytorchScript writes it.
void writePytorchScriptText(const std::string& path, const std::string& text);

// train_x.npy (N x D), train_y.npy (N x K), test_x.npy, test_y.npy into `directory` (created if
// missing), float32, rows in the split's stored order: the order LARS Lab's batcher visits when
// shuffling is off. K = 1 (the class index, stored as a float) for classification, else the
// number of regression targets.
void writeDatasetNpy(const data::DatasetSplit& split, const std::string& directory);

// Data the script cannot rebuild by itself: true for synthetic and CSV datasets (LARS Lab's RNG
// draws or splits them), false for Fashion-MNIST.
bool pytorchScriptNeedsData(const DatasetSpec& dataset);

// `larslab-cli export-pytorch EXPERIMENT.json -o SCRIPT.py [--data-dir DIR]`:
// writes the script and, when the dataset needs it (or dataDir is given), the dataset as .npy
// (default directory: "<script stem>_data" next to the script), baked in as the script's default
// --data. Prints what it wrote to `out`; on bad input prints a one-line reason to `err`.
// Returns the CLI exit status: 0 success, 1 bad input, 3 could not write.
struct ExportPytorchRequest {
  std::string experiment;  // experiment JSON file
  std::string script;      // output .py path
  std::string dataDir;     // empty: automatic (see above)
};
int runExportPytorch(const ExportPytorchRequest& request, std::ostream& out, std::ostream& err);

}  // namespace larslab::engine
