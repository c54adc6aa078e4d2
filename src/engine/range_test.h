#pragma once
// Range test (the "LR finder" of Smith 2017, "Cyclical Learning Rates for Training Neural
// Networks", section 3.3): one short run whose hyperparameter (the LR for any optimizer, or
// LARS's trust coefficient eta) grows log-uniformly every step between two bounds, and the
// training loss read against that value. Where the loss falls fastest is a good value; where it
// blows up is too large.
//
// Value at step t of T (0-based):  v(t) = from * (to / from)^(t / (T - 1)),  so v(0) = from and
// v(T-1) = to. The value is set before step t trains, so the loss recorded at step t is the loss
// of the weights that steps 0..t-1 produced with values v(0)..v(t-1).
//
// Suggestion, robust to early spikes:
//  1. the losses are despiked (median of 5 neighbours), then smoothed by an exponential moving
//     average with bias correction (as fastai's finder does), span kRangeTestSmoothingSpan;
//  2. the first kRangeTestBurnInFraction of the steps are ignored (the loss there says more about
//     the initial weights than about the value);
//  3. the search stops where the smoothed loss first exceeds kRangeTestBlowUpFactor x its minimum
//     so far (or the loss is not finite);
//  4. inside that window the suggestion is the value where the smoothed loss falls fastest per
//     unit of log(value); if it never falls, the value at its minimum divided by 10.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/experiment.h"

namespace larslab::engine {

inline constexpr double kRangeTestBlowUpFactor = 4.0;
inline constexpr double kRangeTestBurnInFraction = 0.1;
inline constexpr int kRangeTestSmoothingSpan = 20;

struct RangeTestSpec {
  std::string run;             // the experiment's run to test (empty: the first)
  std::string hyperparameter;  // "lr", "eta", ... any hyperparameter the optimizer has
  double from = 1e-4;          // > 0
  double to = 10.0;            // > from
  long steps = 200;            // >= 2
};

// v(t) as documented above; t is clamped to [0, steps-1].
double rangeTestValue(const RangeTestSpec& spec, long step);

// Despike (median of 5) then bias-corrected EMA. Non-finite losses stay non-finite.
std::vector<double> smoothRangeTestLosses(const std::vector<double>& losses);

struct RangeTestSuggestion {
  long step = -1;      // index into values/losses; -1 when there is no suggestion
  double value = 0.0;  // the suggested hyperparameter value
  long blowUpStep = -1;  // where the search stopped because the loss blew up (-1: never)
  std::string reason;  // one line: "steepest descent of the smoothed loss" or why there is none
};

// The suggestion for a curve of `values` (increasing, > 0) and their raw losses.
RangeTestSuggestion suggestRangeTestValue(const std::vector<double>& values,
                                          const std::vector<double>& losses);

struct RangeTestResult {
  RangeTestSpec spec;
  std::string optimizer;          // the tested run's optimizer type
  std::vector<double> values;     // per step actually trained
  std::vector<double> losses;     // training (batch) loss per step
  std::vector<double> smoothed;   // smoothRangeTestLosses(losses)
  RangeTestSuggestion suggestion;
  std::string status;             // "finished", "diverged at step k: ...", "cancelled"
};

// Checks a range test against an experiment: the run exists, the hyperparameter is one of its
// optimizer's and both bounds are within its range, from < to, steps >= 2. Issues use the
// command-line / file names ("hyperparameter", "from", "to", "steps", "run").
std::vector<SpecIssue> checkRangeTest(const ExperimentSpec& experiment, const RangeTestSpec& spec);

// Trains the one run from the experiment's initial weights and batches for spec.steps steps
// (the experiment's own length and evaluation are ignored; the run's LR schedule is replaced by
// a constant one so that the value is exactly v(t)). Throws SpecError when checkRangeTest finds
// a problem. `progress(done, total)` is called after each step; `cancel` stops between steps.
RangeTestResult runRangeTest(const ExperimentSpec& experiment, const RangeTestSpec& spec,
                             int threads = 0,
                             const std::function<void(long, long)>& progress = {},
                             const std::atomic<bool>* cancel = nullptr);

// CSV: step,value,loss,smoothed_loss (one row per step), then nothing else: the suggestion is
// derived, so a reader recomputes it.
std::string rangeTestCsv(const RangeTestResult& result);

}  // namespace larslab::engine
