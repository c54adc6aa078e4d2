#include "engine/range_test.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "engine/session.h"
#include "engine/text_util.h"
#include "optim/optimizer.h"

namespace larslab::engine {

double rangeTestValue(const RangeTestSpec& spec, long step) {
  if (spec.steps < 2) return spec.from;
  const long t = std::clamp(step, 0L, spec.steps - 1);
  const double fraction = static_cast<double>(t) / static_cast<double>(spec.steps - 1);
  return spec.from * std::pow(spec.to / spec.from, fraction);
}

std::vector<double> smoothRangeTestLosses(const std::vector<double>& losses) {
  const std::size_t n = losses.size();
  std::vector<double> despiked(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(losses[i])) {
      despiked[i] = losses[i];
      continue;
    }
    // A lone spike (a bad batch) must not look like the blow-up; a sustained rise survives.
    double window[5];
    int count = 0;
    for (std::size_t j = (i >= 2 ? i - 2 : 0); j <= std::min(n - 1, i + 2); ++j)
      if (std::isfinite(losses[j])) window[count++] = losses[j];
    std::nth_element(window, window + count / 2, window + count);
    despiked[i] = window[count / 2];
  }
  // EMA with beta = 1 - 2/(span+1); dividing by 1 - beta^(k+1) removes the start-up bias
  // toward zero.
  const double beta = 1.0 - 2.0 / (kRangeTestSmoothingSpan + 1.0);
  std::vector<double> smoothed(n);
  double average = 0.0;
  double weight = 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(despiked[i])) {
      // Past a non-finite loss the run is over; keep the marker so readers see where.
      for (std::size_t j = i; j < n; ++j) smoothed[j] = std::numeric_limits<double>::infinity();
      break;
    }
    average = beta * average + (1.0 - beta) * despiked[i];
    weight *= beta;
    smoothed[i] = average / (1.0 - weight);
  }
  return smoothed;
}

RangeTestSuggestion suggestRangeTestValue(const std::vector<double>& values,
                                          const std::vector<double>& losses) {
  RangeTestSuggestion s;
  const std::size_t n = std::min(values.size(), losses.size());
  if (n < 3) {
    s.reason = "too few steps for a suggestion";
    return s;
  }
  const std::vector<double> smoothed = smoothRangeTestLosses(losses);
  const auto burnIn = static_cast<std::size_t>(std::ceil(kRangeTestBurnInFraction * n));
  // The window ends where the loss blows up.
  std::size_t end = n;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(smoothed[i]) || (i > burnIn && smoothed[i] > kRangeTestBlowUpFactor * best)) {
      end = i;
      s.blowUpStep = static_cast<long>(i);
      break;
    }
    best = std::min(best, smoothed[i]);
  }
  if (end <= burnIn + 1) {
    s.reason = "the loss blew up during the burn-in; lower the bounds";
    return s;
  }
  double steepest = 0.0;
  std::size_t at = 0;
  std::size_t minimumAt = burnIn;
  for (std::size_t i = burnIn + 1; i < end; ++i) {
    const double slope =
        (smoothed[i] - smoothed[i - 1]) / (std::log(values[i]) - std::log(values[i - 1]));
    if (slope < steepest) {
      steepest = slope;
      at = i;
    }
    if (smoothed[i] < smoothed[minimumAt]) minimumAt = i;
  }
  if (at > 0) {
    s.step = static_cast<long>(at);
    s.value = values[at];
    s.reason = "steepest descent of the smoothed loss";
  } else {
    s.step = static_cast<long>(minimumAt);
    s.value = values[minimumAt] / 10.0;
    s.reason = "the smoothed loss never falls after the burn-in: its minimum's value / 10";
  }
  return s;
}

std::vector<SpecIssue> checkRangeTest(const ExperimentSpec& experiment,
                                      const RangeTestSpec& spec) {
  std::vector<SpecIssue> issues;
  const RunSpec* run = nullptr;
  for (const RunSpec& r : experiment.runs)
    if (spec.run.empty() || r.name == spec.run) {
      run = &r;
      break;
    }
  if (run == nullptr) {
    std::string names;
    for (const RunSpec& r : experiment.runs) names += (names.empty() ? "" : ", ") + r.name;
    issues.push_back({"run", "no run named '" + spec.run + "' (runs: " + names + ")"});
    return issues;
  }
  const optim::OptimizerInfo* info = optim::findOptimizer(run->optimizer.type);
  bool known = false;
  std::string names;
  if (info != nullptr)
    for (const auto& h : info->hyperparameters) {
      names += (names.empty() ? "" : ", ") + h.name;
      known = known || h.name == spec.hyperparameter;
    }
  if (!known)
    issues.push_back({"hyperparameter", "'" + spec.hyperparameter + "' is not a hyperparameter of " +
                                            run->optimizer.type + " (it has: " + names + ")"});
  if (!(spec.from > 0.0))
    issues.push_back({"from", "must be > 0, got " + formatNumber(spec.from)});
  if (!(spec.to > spec.from))
    issues.push_back({"to", "must be > from (" + formatNumber(spec.from) + "), got " +
                                formatNumber(spec.to)});
  if (spec.steps < 2)
    issues.push_back({"steps", "must be >= 2, got " + std::to_string(spec.steps)});
  if (known) {
    for (const auto& [field, value] : {std::pair{"from", spec.from}, std::pair{"to", spec.to}}) {
      const std::string problem =
          checkHyperparameter(run->optimizer.type, spec.hyperparameter, value);
      if (!problem.empty()) issues.push_back({field, problem});
    }
  }
  return issues;
}

RangeTestResult runRangeTest(const ExperimentSpec& experiment, const RangeTestSpec& spec,
                             int threads, const std::function<void(long, long)>& progress,
                             const std::atomic<bool>* cancel) {
  if (auto issues = checkRangeTest(experiment, spec); !issues.empty())
    throw SpecError("range test", std::move(issues));
  ExperimentSpec one = experiment;
  one.runs.clear();
  for (const RunSpec& r : experiment.runs)
    if (spec.run.empty() || r.name == spec.run) {
      one.runs.push_back(r);
      break;
    }
  RunSpec& run = one.runs.front();
  run.schedule = optim::ScheduleConfig{};  // constant: the value is exactly v(t)
  run.optimizer.hyperparameters[spec.hyperparameter] = spec.from;
  one.steps = spec.steps;
  one.epochs = 0.0;
  one.evalEvery = 0;

  RangeTestResult result;
  result.spec = spec;
  result.spec.run = run.name;
  result.optimizer = run.optimizer.type;
  Session session(one, SessionOptions{threads});
  const auto store = session.metrics();
  for (long t = 0; t < spec.steps; ++t) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      result.status = "cancelled";
      break;
    }
    if (t > 0) session.submit(SetHyperparameter{run.name, spec.hyperparameter, rangeTestValue(spec, t)});
    const bool more = session.step();
    if (progress) progress(t + 1, spec.steps);
    if (!more) break;
  }
  const long trained = store->stepCount(0);
  std::vector<float> loss;
  store->read(0, RunMetric::Loss, 0, trained, loss);
  for (long t = 0; t < trained; ++t) {
    result.values.push_back(rangeTestValue(spec, t));
    result.losses.push_back(loss[static_cast<std::size_t>(t)]);
  }
  result.smoothed = smoothRangeTestLosses(result.losses);
  result.suggestion = suggestRangeTestValue(result.values, result.losses);
  if (result.status.empty()) {
    const RunStatusInfo status = store->status(0);
    result.status = status.diverged ? status.describe() : "finished";
  }
  return result;
}

std::string rangeTestCsv(const RangeTestResult& result) {
  std::ostringstream out;
  out << "step," << result.spec.hyperparameter << ",loss,smoothed_loss\n";
  for (std::size_t t = 0; t < result.values.size(); ++t)
    out << t << ',' << formatNumber(result.values[t]) << ',' << formatNumber(result.losses[t])
        << ',' << formatNumber(result.smoothed[t]) << '\n';
  return out.str();
}

}  // namespace larslab::engine
