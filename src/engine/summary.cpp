#include "engine/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/text_util.h"

namespace larslab::engine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// JSON has no NaN/inf: those become null.
nlohmann::ordered_json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string pad(const std::string& text, std::size_t width, bool right = false) {
  if (text.size() >= width) return text;
  return right ? std::string(width - text.size(), ' ') + text
               : text + std::string(width - text.size(), ' ');
}

}  // namespace

std::vector<RunSummary> summarizeRuns(const MetricsStore& store) {
  std::vector<RunSummary> out;
  std::vector<float> loss, accuracy;
  for (int run = 0; run < store.runCount(); ++run) {
    RunSummary s;
    s.name = store.runName(run);
    s.status = store.status(run);
    s.steps = store.stepCount(run);
    s.trainWindow = std::clamp(s.steps / 20, std::min(1L, s.steps), 100L);
    store.read(run, RunMetric::Loss, s.steps - s.trainWindow, s.steps, loss);
    store.read(run, RunMetric::Accuracy, s.steps - s.trainWindow, s.steps, accuracy);
    double sumLoss = 0.0, sumAcc = 0.0;
    for (std::size_t i = 0; i < loss.size(); ++i) {
      sumLoss += loss[i];
      sumAcc += accuracy[i];
    }
    s.trainLoss = loss.empty() ? kNaN : sumLoss / static_cast<double>(loss.size());
    s.trainAccuracy = accuracy.empty() ? kNaN : sumAcc / static_cast<double>(accuracy.size());
    const std::vector<EvalPoint> evals = store.evaluations(run);
    s.testLoss = evals.empty() ? kNaN : evals.back().loss;
    s.testAccuracy = evals.empty() ? kNaN : evals.back().accuracy;
    s.testStep = evals.empty() ? -1 : evals.back().step;
    out.push_back(std::move(s));
  }
  return out;
}

std::string summaryJson(const ExperimentSpec& spec, const std::vector<RunSummary>& runs,
                        const SessionFacts& facts) {
  nlohmann::ordered_json root;
  root["experiment"] = spec.name;
  root["total_steps"] = facts.totalSteps;
  root["threads"] = facts.threads;
  root["seconds"] = facts.seconds;
  root["steps_per_second"] =
      number(facts.seconds > 0 ? static_cast<double>(facts.totalSteps) / facts.seconds : kNaN);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const RunSummary& r : runs) {
    nlohmann::ordered_json o;
    o["name"] = r.name;
    const auto spec_it = std::find_if(spec.runs.begin(), spec.runs.end(),
                                      [&](const RunSpec& s) { return s.name == r.name; });
    if (spec_it != spec.runs.end()) {
      o["optimizer"] = spec_it->optimizer.type;
      if (!spec_it->optimizer.preset.empty()) o["preset"] = spec_it->optimizer.preset;
      nlohmann::ordered_json h = nlohmann::ordered_json::object();
      for (const auto& [name, value] : spec_it->optimizer.hyperparameters) h[name] = value;
      o["hyperparameters"] = h;
      nlohmann::ordered_json opts = nlohmann::ordered_json::object();
      for (const auto& [name, value] : spec_it->optimizer.options) opts[name] = value;
      o["options"] = opts;
    }
    o["steps"] = r.steps;
    o["status"] = r.status.diverged ? "diverged" : (r.status.finished ? "finished" : "stopped");
    o["diverged_at_step"] = r.status.diverged ? nlohmann::ordered_json(r.status.divergedAtStep)
                                              : nlohmann::ordered_json(nullptr);
    o["reason"] = r.status.reason;
    // Only for a flagged run, so a healthy run's summary stays as it was.
    if (r.status.warning != RunWarning::None) {
      o["warning"] = r.status.warning == RunWarning::BlowUp ? "blew_up" : "stalled";
      o["warning_step"] = r.status.warningAtStep;
      o["warning_tensor"] = r.status.warningTensor;
      o["warning_detail"] = r.status.warningDetail;
    }
    o["final_train_loss"] = number(r.trainLoss);
    o["final_train_accuracy"] = number(r.trainAccuracy);
    o["train_window_steps"] = r.trainWindow;
    o["final_test_loss"] = number(r.testLoss);
    o["final_test_accuracy"] = number(r.testAccuracy);
    o["test_step"] = r.testStep;
    list.push_back(o);
  }
  root["runs"] = list;
  return root.dump(2) + "\n";
}

std::string summaryTable(const std::vector<RunSummary>& runs) {
  std::size_t nameWidth = 3;
  for (const RunSummary& r : runs) nameWidth = std::max(nameWidth, r.name.size());
  std::string text = pad("run", nameWidth) + "  " + pad("steps", 7, true) + "  " +
                     pad("train loss", 10, true) + "  " + pad("train acc", 9, true) + "  " +
                     pad("test loss", 10, true) + "  " + pad("test acc", 8, true) + "  status\n";
  for (const RunSummary& r : runs) {
    text += pad(r.name, nameWidth) + "  " + pad(std::to_string(r.steps), 7, true) + "  " +
            pad(fixed(r.trainLoss, 4), 10, true) + "  " + pad(fixed(r.trainAccuracy, 4), 9, true) +
            "  " + pad(fixed(r.testLoss, 4), 10, true) + "  " +
            pad(fixed(r.testAccuracy, 4), 8, true) + "  " + r.status.describe() + "\n";
  }
  return text;
}

}  // namespace larslab::engine
