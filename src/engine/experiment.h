#pragma once
// An experiment: one dataset, one model, several runs that differ only in their optimizer.
// Parsed from JSON (format in resources/docs/experiment-format.md) and validated with errors
// that name the file and the JSON path of the field.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/csv.h"
#include "nn/model_spec.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace larslab::engine {

struct DatasetSpec {
  // spirals, circles, xor, gaussians, moons, regression_sine, regression_saddle,
  // fashion_mnist, csv
  std::string kind = "spirals";
  int samples = 2000;         // synthetic: total points (train + test)
  double noise = 0.1;         // synthetic
  double testFraction = 0.2;  // synthetic and csv
  std::string path;           // csv file, or fashion_mnist directory (empty: Debian's default);
                              // a relative path is relative to baseDir
  std::string labelColumn;    // csv: name of the label column (empty: last column)
  std::vector<std::string> ignoreColumns;                     // csv: columns not read
  data::MissingPolicy missing = data::MissingPolicy::Error;   // csv: missing values
  bool standardize = true;    // csv: zero mean, unit variance features
  bool regression = false;    // csv: label column is a real-valued target
  int limit = 0;              // fashion_mnist: use only the first N training images (0: all)
  // Not in the file: the folder of the experiment file it was loaded from, which a relative
  // path is resolved against (empty: the current directory, as for built-in experiments).
  std::string baseDir;
};

// The data path as it is opened: `path` against baseDir when relative, else `path` itself.
std::string resolvedDataPath(const DatasetSpec& d);
// The CSV reader's options for a csv dataset; the seed fixes the split.
data::CsvOptions csvOptions(const DatasetSpec& d, std::uint64_t seed);

struct RunSpec {
  std::string name;  // unique within the experiment
  optim::OptimizerConfig optimizer;
  optim::ScheduleConfig schedule;  // totalSteps is filled from the experiment length
};

// When a run is flagged as blowing up or stalling (engine/run_health.h has the rules). The file's
// optional "health" section overrides these; the writer omits the defaults.
struct HealthSpec {
  double blowupFactor = 10.0;     // smoothed loss above this x its start (or x its best)
  double weightGrowth = 100.0;    // a tensor's |w| above this x its step-0 value
  double stallGradFactor = 1e-3;  // every weight tensor's |g| below this x its step-0 value
  double chanceTolerance = 0.05;  // "at chance": loss within this fraction of ln(classes)
  long burnInSteps = 100;         // no stall and no best-based blow-up before this step
  long patienceSteps = 100;       // a stall must last this many consecutive steps
  long smoothingSteps = 20;       // EMA span of the smoothed loss and accuracy
  bool operator==(const HealthSpec&) const = default;
};

// Length used when a file gives neither steps nor epochs.
inline constexpr long kDefaultSteps = 1000;

struct ExperimentSpec {
  int version = 1;
  std::string name = "experiment";
  std::string description;
  DatasetSpec dataset;
  nn::ModelSpec model;
  int batchSize = 64;
  long steps = 0;  // length in steps; if 0, epochs is used (both 0: kDefaultSteps)
  double epochs = 0.0;
  long evalEvery = 100;  // test evaluation every k steps, at step 0 and at the end
  std::uint64_t seed = 1;
  bool shuffle = true;
  HealthSpec health;
  std::vector<RunSpec> runs;
};

// One problem found while reading an experiment: where and what.
struct SpecIssue {
  std::string path;     // JSON path: "runs[1].optimizer.eta"
  std::string message;  // "must be > 0, got -1"
};

class SpecError : public std::runtime_error {
 public:
  SpecError(std::string file, std::vector<SpecIssue> issues);
  [[nodiscard]] const std::vector<SpecIssue>& issues() const { return issues_; }
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<SpecIssue> issues_;
};

// Parse + validate. `origin` names the source in error messages (a path, or "<built-in>").
// Collects every issue before throwing SpecError.
ExperimentSpec parseExperiment(const std::string& jsonText, const std::string& origin);
// Sets dataset.baseDir to the file's folder.
ExperimentSpec loadExperiment(const std::string& path);
std::string experimentToJson(const ExperimentSpec& spec);  // round-trips through parseExperiment
// Atomic save: write to a temporary file in the same directory, then rename. A relative data
// path is rewritten for the file's folder (relocateExperiment), so it names the same data.
void saveExperiment(const ExperimentSpec& spec, const std::string& path);
// The experiment as a file in `folder` must say it: a relative dataset path that would name a
// different file from there is rewritten relative to `folder` (absolute when `folder` is
// empty); baseDir becomes `folder`. The same folder leaves the path exactly as written.
ExperimentSpec relocateExperiment(ExperimentSpec spec, const std::string& folder);

// Opens the data of a valid experiment and lists every problem found in it: each problem of
// a CSV file (file, line, column) under the dataset's policy, the model's fit to the CSV
// file's columns and classes and the batch size to its training split; each missing
// Fashion-MNIST file. Nothing for synthetic data. Empty when the data loads.
std::vector<SpecIssue> checkExperimentData(const ExperimentSpec& spec);

// Checks one run built in code (the GUI's "add run", the session's commands) with the same
// rules as the file reader: name, optimizer type, preset, hyperparameter ranges, option
// choices, schedule. `path` prefixes the issue paths ("runs[2]"). Empty when valid.
std::vector<SpecIssue> validateRun(const RunSpec& run, const std::string& path = "run");
// "eta: must be in [0, 1], got -1" for one hyperparameter value; empty when valid.
std::string checkHyperparameter(const std::string& optimizerType, const std::string& name,
                                double value);

}  // namespace larslab::engine
