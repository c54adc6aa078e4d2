#pragma once
// A batch-size study: every run of one experiment trained at every batch size of a list and for
// every seed, for the same number of epochs, with the learning rate and the warm-up scaled with
// the batch size (format in resources/docs/study-format.md). Parsed and validated like
// experiment files: SpecError with the JSON path of every bad field.
//
// Warm-up is expressed in epochs, as the LARS paper does, and becomes
// round(warmup_epochs * steps_per_epoch) steps at each batch size; a warm-up fixed in steps
// would take most of the few steps of a large batch (the old `sweep` skipped LARS there).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/experiment.h"

namespace larslab::engine {

// One axis of a grid study: "batch_size" or a hyperparameter every run's optimizer has
// ("lr", "eta", "momentum", ...), and the values it takes.
struct StudyAxis {
  std::string parameter;
  std::vector<double> values;
};

// A grid study trains every run at every (x, y) pair, at one batch size unless batch_size is an
// axis; an lr value holds at base_batch_size and is scaled by lr_scaling like a run's own lr.
struct StudyGrid {
  StudyAxis x, y;
};

struct StudySpec {
  int version = 1;
  std::string name = "study";
  std::string description;
  // The experiment file as written in the study ("" when inline) and the experiment itself.
  std::string experimentPath;
  ExperimentSpec experiment;
  std::vector<int> batchSizes;
  double epochs = 0.0;                 // 0 in a file: the experiment's length in epochs
  std::string lrScaling = "none";      // none, linear, sqrt
  int baseBatchSize = 0;               // 0 in a file: the experiment's batch size
  std::optional<double> warmupEpochs;  // none: each run's warm-up kept at its length in epochs
  std::vector<std::uint64_t> seeds;    // empty in a file: the experiment's seed
  std::optional<double> targetAccuracy;
  std::optional<StudyGrid> grid;       // none: a batch-size study
  std::string baseDir;  // the folder of the study file (a relative experiment path's base)
};

// One training run of the study: a complete single-run experiment.
struct StudyConfiguration {
  std::string id;  // "lars_b1024_s1": unique, usable as a folder name
  std::string run;
  std::string optimizer;
  int batchSize = 0;
  double lr = 0.0;
  double eta = 0.0;  // NaN when the optimizer has no eta
  std::uint64_t seed = 0;
  double gridX = std::numeric_limits<double>::quiet_NaN();  // this configuration's grid values (NaN in a batch-size study)
  double gridY = std::numeric_limits<double>::quiet_NaN();
  long totalSteps = 0;
  ExperimentSpec experiment;  // runs = {the run}, with scaled lr and warm-up
};

inline constexpr const char* kLrScalings[] = {"none", "linear", "sqrt"};

// The multiplier of the base LR at batch size `batch`: 1, batch/base or sqrt(batch/base).
double lrScaleFactor(const std::string& rule, int batch, int baseBatch);
// Samples in the training split of a dataset (CSV files are read for it).
long trainingSplitSize(const DatasetSpec& dataset, std::uint64_t seed);

// `baseDir` resolves a relative experiment path (empty: the current directory).
StudySpec parseStudy(const std::string& jsonText, const std::string& origin,
                     const std::string& baseDir = "");
StudySpec loadStudy(const std::string& path);
// The study with defaults filled in and the experiment inline, relocated for `folder` (the
// folder the text will be saved in); parseStudy reads it back to the same study.
std::string studyToJson(const StudySpec& spec, const std::string& folder = "");

// One configuration per (run, batch size, seed), in that nesting order; in a grid study one per
// (run, y value, x value, seed).
std::vector<StudyConfiguration> expandStudy(const StudySpec& spec);

}  // namespace larslab::engine
