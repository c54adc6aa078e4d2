#pragma once
// The PyTorch exporter's optimizer part: which Python class implements each optimizer of the
// registry and how the script calls it, the script's RUNS table and its make_optimizer().

#include <string>
#include <vector>

#include "engine/experiment.h"
#include "optim/optimizer.h"

namespace larslab::engine {

struct ExportedRun {
  const RunSpec* spec = nullptr;
  optim::ResolvedOptimizerConfig optimizer;  // defaults, then the preset, then the run's values
};

// Every run of `spec`, resolved. Throws std::invalid_argument naming the run and field when the
// experiment has no run or a run uses an optimizer, hyperparameter or option choice the script
// does not implement (the exporter must then be extended together with the registry).
std::vector<ExportedRun> resolveExportedRuns(const ExperimentSpec& spec);

// The RUNS table: every run's optimizer, hyperparameters, options and schedule.
std::string runsCode(const std::vector<ExportedRun>& runs);

// What the optimizer classes share, the classes the runs use (resources/pytorch/optim_*.py),
// then make_optimizer().
std::string optimizersCode(const std::vector<ExportedRun>& runs);

}  // namespace larslab::engine
