#pragma once
// Kept copies of one run's weights, so that a view can redraw the model as it was at an earlier
// step (the decision boundary of a 2-D dataset at the scrubbed step).
//
// The writer (the task that trains the run) records the weights after every update; a copy is
// kept every `interval` updates (and at step 0) and after the run's last update, so memory is
// bounded by the number of kept copies, not the run's length; while training, the latest copy
// is at most `interval` updates old. Readers on any thread get immutable shared copies, never the live weights.
// Step convention (metrics_store.h): the weights "at step s" are those after s updates, the
// ones row s of the store was measured on.

#include <memory>
#include <mutex>
#include <vector>

#include "nn/parameters.h"

namespace larslab::engine {

class WeightHistory {
 public:
  struct Snapshot {
    long step = 0;  // updates applied
    nn::ParameterStore params;
  };

  // `interval` >= 1: updates between kept copies.
  explicit WeightHistory(long interval);
  // A history of at most about `maxCopies` copies over `totalSteps` updates.
  static long intervalFor(long totalSteps, long maxCopies = 256);

  // Writer: the weights after `step` updates. Copies only when a copy is due, or for the run's
  // `last` update (finished or diverged), which becomes the latest copy.
  void record(long step, const nn::ParameterStore& params, bool last = false);

  // The kept copy nearest to `step` at or before it, or the latest one when `step` < 0 or
  // beyond it; nullptr before anything was recorded.
  [[nodiscard]] std::shared_ptr<const Snapshot> at(long step) const;
  [[nodiscard]] long interval() const { return interval_; }

 private:
  long interval_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const Snapshot>> kept_;  // steps 0, interval, 2 interval, ...
  std::shared_ptr<const Snapshot> latest_;
};

}  // namespace larslab::engine
