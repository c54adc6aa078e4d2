#include "engine/weight_history.h"

#include <algorithm>

namespace larslab::engine {

WeightHistory::WeightHistory(long interval) : interval_(std::max(1L, interval)) {}

long WeightHistory::intervalFor(long totalSteps, long maxCopies) {
  return std::max(1L, (totalSteps + maxCopies - 1) / std::max(1L, maxCopies));
}

void WeightHistory::record(long step, const nn::ParameterStore& params, bool last) {
  // Copying every update would cost more than the update itself for a small model.
  const bool kept = step % interval_ == 0;
  if (!kept && !last) return;
  std::lock_guard lock(mutex_);
  auto snapshot = std::make_shared<const Snapshot>(Snapshot{step, params});
  if (kept) kept_.push_back(snapshot);
  latest_ = std::move(snapshot);
}

std::shared_ptr<const WeightHistory::Snapshot> WeightHistory::at(long step) const {
  std::lock_guard lock(mutex_);
  if (step < 0 || !latest_ || step >= latest_->step) return latest_;
  const auto it = std::upper_bound(kept_.begin(), kept_.end(), step,
                                   [](long s, const std::shared_ptr<const Snapshot>& k) { return s < k->step; });
  return it == kept_.begin() ? nullptr : *(it - 1);
}

}  // namespace larslab::engine
