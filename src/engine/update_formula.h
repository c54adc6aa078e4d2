#pragma once
// One optimizer update written out for one tensor at one step, with the numbers substituted:
//   λ = η‖w‖/(‖g‖ + β‖w‖) = 0.001 × 8.483 / (0.3061 + 0 × 8.483) = 0.02772
//   local LR = γλ = 5 × 0.02772 = 0.1386
// The lines follow what the optimizer's chain does (optim/optimizers.cpp, transforms.cpp) under
// the run's conventions at that step. Every number is the store's (‖w‖, ‖g‖, trust ratio,
// local LR, ‖Δw‖, ‖Δw‖/‖w‖, the global LR), a hyperparameter in force at that step, or derived
// exactly from those (‖g + βw‖ = η‖w‖/λ, LAMB's ‖r‖ = φ(‖w‖)/ratio, said so in the line's
// explanation); what the store does not keep (momentum buffer, Adam moments) stays symbolic.
// Numbers are printed with text::formatShort (at most 4 significant digits).

#include <optional>
#include <string>
#include <vector>

#include "engine/metrics_store.h"
#include "nn/parameters.h"
#include "optim/optimizer.h"
#include "optim/tensor_metrics.h"

namespace larslab::engine {

struct FormulaLine {
  std::string math;         // UTF-8, symbols ‖ η β γ λ: "local LR = γλ = 5 × 0.02772 = 0.1386"
  std::string explanation;  // one sentence for a student
};

struct UpdateFormula {
  std::string title;  // "LARS (paper conventions)"
  std::vector<FormulaLine> lines;
  std::string unavailable;  // why there is no formula (lines empty then); empty otherwise
};

// What the formula of one tensor at one step is written from.
struct FormulaInputs {
  optim::ResolvedOptimizerConfig config;  // the run's optimizer as it was at that step
  nn::TensorKind kind = nn::TensorKind::Weight;
  long optimizerStep = 1;          // t: the optimizer's 1-based step count (Adam bias correction)
  double globalLr = 0.0;           // γ of that step (RunMetric::LearningRate)
  optim::TensorTelemetry metrics;  // the stored per-tensor metrics of that step
};

// Throws std::invalid_argument when config.info is null.
UpdateFormula updateFormula(const FormulaInputs& in);

// The optimizer of `run` as it was at `step`: the store's experiment record (the config now, with
// the values its optimizer holds) with every Set and Option event of that run after `step`
// rolled back (an event at step s applies from update s on). optimizerStep counts from the last
// Option event at or before `step` (which cleared the optimizer state). nullopt when the store
// has no record of the run (a log read from disk, a removed run).
struct OptimizerAtStep {
  optim::OptimizerConfig config;  // every hyperparameter explicit
  long optimizerStep = 1;
};
std::optional<OptimizerAtStep> optimizerAtStep(const MetricsStore& store, const std::string& run, long step);

// updateFormula for tensor `tensor` of run `run` at `step` (< stepCount(run)), read from the
// store; `unavailable` says why when it cannot be written.
UpdateFormula updateFormulaAt(const MetricsStore& store, int run, int tensor, long step);

}  // namespace larslab::engine
