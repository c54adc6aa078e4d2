#include "engine/run_health.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace larslab::engine {

namespace {

// Three significant digits: a sentence for people, not a number to read back.
std::string sig3(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

}  // namespace

RunHealth::RunHealth(const HealthSpec& spec, std::vector<TensorInfo> tensors, int classes)
    : spec_(spec),
      tensors_(std::move(tensors)),
      classes_(classes),
      alpha_(2.0 / (static_cast<double>(std::max(1L, spec.smoothingSteps)) + 1.0)),
      w_(tensors_.size(), 0.0),
      g_(tensors_.size(), 0.0),
      w0_(tensors_.size(), 0.0),
      g0_(tensors_.size(), 0.0) {}

void RunHealth::setTensor(int i, double weightNorm, double gradNorm) {
  w_[static_cast<std::size_t>(i)] = weightNorm;
  g_[static_cast<std::size_t>(i)] = gradNorm;
}

std::optional<HealthWarning> RunHealth::observe(long step, double loss, double accuracy) {
  if (!std::isfinite(loss)) return std::nullopt;
  const double factor = spec_.blowupFactor;
  if (!started_) {
    started_ = true;
    startLoss_ = loss;
    lossEma_ = loss;
    accEma_ = accuracy;
    bestEma_ = std::numeric_limits<double>::infinity();
    w0_ = w_;  // same size: no allocation
    g0_ = g_;
  } else {
    const double clamped = lossEma_ > 0.0 ? std::min(loss, factor * lossEma_) : loss;
    lossEma_ += alpha_ * (clamped - lossEma_);
    if (std::isfinite(accuracy)) accEma_ += alpha_ * (accuracy - accEma_);
  }
  if (step >= spec_.burnInSteps && lossEma_ < bestEma_) {
    bestEma_ = lossEma_;
    bestStep_ = step;
  }
  for (std::size_t t = 0; t < tensors_.size() && firstGrown_ < 0; ++t)
    if (w0_[t] > 0.0 && w_[t] > spec_.weightGrowth * w0_[t]) {
      firstGrown_ = static_cast<int>(t);
      firstGrownStep_ = step;
    }

  if (!blownUp_) {
    const bool byStart = startLoss_ > 0.0 && lossEma_ > factor * startLoss_;
    const bool byBest = step >= spec_.burnInSteps && std::isfinite(bestEma_) && bestEma_ > 0.0 &&
                        lossEma_ > factor * bestEma_ && lossEma_ * factor >= startLoss_;
    if (byStart || byBest || firstGrown_ >= 0) return blowUp(step, byStart || byBest, !byStart && byBest);
  }
  if (blownUp_ || stalled_ || step < spec_.burnInSteps) return std::nullopt;

  gradStreak_ = gradientsCollapsed() ? gradStreak_ + 1 : 0;
  chanceStreak_ = atChance() ? chanceStreak_ + 1 : 0;
  if (gradStreak_ < spec_.patienceSteps && chanceStreak_ < spec_.patienceSteps) return std::nullopt;
  stalled_ = true;
  HealthWarning w;
  w.kind = RunWarning::Stall;
  w.step = step;
  const std::string last = " for the last " + std::to_string(spec_.patienceSteps) + " steps";
  if (gradStreak_ >= spec_.patienceSteps) {
    w.detail = warningPrefix(w.kind, step) + ": every weight tensor's |g| is below " +
               sig3(spec_.stallGradFactor) + " x its step-0 value" + last + " (smoothed loss " +
               sig3(lossEma_) + ", start " + sig3(startLoss_) + ")";
  } else {
    w.detail = warningPrefix(w.kind, step) + ": the loss is at chance" + last + " (smoothed loss " +
               sig3(lossEma_) + " = ln " + std::to_string(classes_) + " = " +
               sig3(std::log(static_cast<double>(classes_))) + ", accuracy " + sig3(accEma_) +
               " = 1/" + std::to_string(classes_) + ")";
  }
  return w;
}

std::optional<HealthWarning> RunHealth::blowUp(long step, bool byLoss, bool byBest) {
  blownUp_ = true;
  // The tensor that grew first, else the one that grew most so far.
  int tensor = firstGrown_;
  if (tensor < 0) {
    double most = 0.0;
    for (std::size_t t = 0; t < tensors_.size(); ++t)
      if (w0_[t] > 0.0 && w_[t] / w0_[t] > most) {
        most = w_[t] / w0_[t];
        tensor = static_cast<int>(t);
      }
  }
  HealthWarning w;
  w.kind = RunWarning::BlowUp;
  w.step = step;
  w.detail = warningPrefix(w.kind, step) + ": ";
  if (byLoss) {
    const double reference = byBest ? bestEma_ : startLoss_;
    w.detail += "smoothed loss " + sig3(lossEma_) + " is " + sig3(lossEma_ / reference) + "x its " +
                (byBest ? "best " + sig3(bestEma_) + " (step " + std::to_string(bestStep_) + ")"
                        : "start " + sig3(startLoss_));
  } else {
    const auto t = static_cast<std::size_t>(firstGrown_);
    w.detail += "|w| of " + tensors_[t].name + " grew " + sig3(w_[t] / w0_[t]) +
                "x since step 0 (threshold " + sig3(spec_.weightGrowth) + "x; smoothed loss " +
                sig3(lossEma_) + ", start " + sig3(startLoss_) + ")";
  }
  if (tensor >= 0) {
    const auto t = static_cast<std::size_t>(tensor);
    w.tensor = tensors_[t].name;
    w.detail += "; first to grow: " + w.tensor + " (|w| " + sig3(w0_[t]) + " -> " + sig3(w_[t]) +
                (firstGrown_ >= 0 ? ", past " + sig3(spec_.weightGrowth) + "x at step " +
                                        std::to_string(firstGrownStep_)
                                  : std::string()) +
                ")";
  }
  return w;
}

bool RunHealth::gradientsCollapsed() const {
  if (!(lossEma_ > 0.5 * startLoss_)) return false;  // a low loss: converged, not stalled
  const bool anyWeight =
      std::any_of(tensors_.begin(), tensors_.end(), [](const TensorInfo& t) { return t.weight; });
  bool any = false;
  for (std::size_t t = 0; t < tensors_.size(); ++t) {
    if (anyWeight && !tensors_[t].weight) continue;
    any = true;
    if (g0_[t] > 0.0 ? g_[t] > spec_.stallGradFactor * g0_[t] : g_[t] > 0.0) return false;
  }
  return any;
}

bool RunHealth::atChance() const {
  if (classes_ < 2 || !std::isfinite(accEma_)) return false;
  const double chanceLoss = std::log(static_cast<double>(classes_));
  return std::fabs(lossEma_ - chanceLoss) <= spec_.chanceTolerance * chanceLoss &&
         accEma_ <= 1.0 / classes_ + spec_.chanceTolerance;
}

}  // namespace larslab::engine
