#pragma once
// Flags a run that stays finite but is plainly not training: a blow-up or a stall. NaN/inf
// divergence is the session's (it stops the run); these are warnings, the run keeps training.
//
// Fed once per step, after the update, with the batch loss and accuracy and every tensor's |w|
// and |g| (setTensor for each, then observe). Thresholds come from HealthSpec:
//  - smoothed loss: an EMA over smoothingSteps (alpha = 2/(N+1)) of the batch loss, each loss
//    clamped to blowupFactor x the current EMA first, so one wild mini-batch moves the EMA by
//    at most 1 + alpha(blowupFactor - 1) (x1.86 at the defaults) and cannot flag a blow-up on its
//    own; a real explosion (several such batches in a row) gets through in a few steps.
//  - blow-up: the smoothed loss exceeds blowupFactor x the step-0 loss, or, after burnInSteps,
//    blowupFactor x its best value while back within blowupFactor of the start (a run that
//    lost its progress, not a converged one wobbling near 0); or a tensor's |w| exceeds
//    weightGrowth x its step-0 value (tensors that start at 0, e.g. biases, have no ratio and
//    are skipped). The tensor named is the first that crossed weightGrowth, else the one that
//    grew most since step 0.
//  - stall, after burnInSteps, for patienceSteps consecutive steps: either every weight tensor's
//    |g| is below stallGradFactor x its step-0 value while the smoothed loss is still above half
//    its start (biases are left out: a dead network's output bias keeps a gradient from the
//    batches' label noise; a run that converged has a low loss), or, for classification, the
//    smoothed loss is within chanceTolerance x ln(classes) of ln(classes) with a smoothed
//    accuracy at most 1/classes + chanceTolerance.
// Each kind is raised once; no stall is raised after a blow-up. No allocation per step (only
// when a warning is raised); deterministic.

#include <optional>
#include <string>
#include <vector>

#include "engine/experiment.h"
#include "engine/metrics_store.h"

namespace larslab::engine {

struct HealthWarning {
  RunWarning kind = RunWarning::None;
  long step = 0;
  std::string tensor;  // blow-up: the tensor whose |w| grew first (may be empty)
  std::string detail;  // "blew up at step 120: smoothed loss 71.2 is 108x its start 0.657; ..."
};

class RunHealth {
 public:
  struct TensorInfo {
    std::string name;
    bool weight = true;  // a weight matrix/kernel (not a bias or normalisation parameter)
  };
  // classes: number of classes for classification, 0 for regression.
  RunHealth(const HealthSpec& spec, std::vector<TensorInfo> tensors, int classes);

  // |w| and |g| of tensor i at the step about to be observed.
  void setTensor(int i, double weightNorm, double gradNorm);
  // The step's batch loss and accuracy (NaN for regression). Returns a warning the first time a
  // kind is detected. Non-finite losses are ignored (divergence is reported elsewhere).
  std::optional<HealthWarning> observe(long step, double loss, double accuracy);

  [[nodiscard]] double smoothedLoss() const { return lossEma_; }

 private:
  std::optional<HealthWarning> blowUp(long step, bool byLoss, bool byBest);
  [[nodiscard]] bool gradientsCollapsed() const;
  [[nodiscard]] bool atChance() const;

  HealthSpec spec_;
  std::vector<TensorInfo> tensors_;
  int classes_;
  double alpha_;
  std::vector<double> w_, g_, w0_, g0_;
  bool started_ = false;
  double startLoss_ = 0.0;
  double lossEma_ = 0.0;
  double accEma_ = 0.0;
  double bestEma_ = 0.0;
  long bestStep_ = -1;
  int firstGrown_ = -1;  // first tensor that crossed weightGrowth
  long firstGrownStep_ = -1;
  long gradStreak_ = 0;
  long chanceStreak_ = 0;
  bool blownUp_ = false;
  bool stalled_ = false;
};

}  // namespace larslab::engine
