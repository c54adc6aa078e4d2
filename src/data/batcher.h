#pragma once
// Seeded minibatches over a Dataset. Epoch e visits the samples in a permutation that depends
// only on (seed, e), so any step of a run can be reproduced and runs compared under the same
// seed see the same batches in the same order. Every batch is full: an epoch has
// floor(N / batchSize) batches and the leftover samples of that epoch's order are skipped
// (they land elsewhere in the next epoch's permutation).

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "nn/tensor.h"

namespace larslab::data {

class Batcher {
 public:
  // Keeps a reference to `dataset`, which must outlive the batcher. shuffle = false visits
  // the samples in their stored order every epoch. Throws std::invalid_argument when
  // batchSize < 1 or batchSize exceeds the dataset size.
  Batcher(const Dataset& dataset, int batchSize, std::uint64_t seed, bool shuffle = true);
  Batcher(Dataset&&, int, std::uint64_t, bool = true) = delete;  // would dangle

  // Fills x (batchSize x D) and y (batchSize x targets.cols()) with the next batch. Allocates
  // nothing when x and y already have those sizes.
  void next(nn::Matrix& x, nn::Matrix& y);

  [[nodiscard]] long step() const { return step_; }  // batches returned so far
  [[nodiscard]] long epoch() const { return step_ / batchesPerEpoch_; }  // epoch of the next batch
  [[nodiscard]] int batchesPerEpoch() const { return batchesPerEpoch_; }
  [[nodiscard]] int batchSize() const { return batchSize_; }
  // Back to step 0; the batches then repeat exactly.
  void reset();

 private:
  void shuffleFor(long epoch);

  const Dataset* dataset_;
  int batchSize_;
  std::uint64_t seed_;
  bool shuffle_;
  int batchesPerEpoch_;
  long step_ = 0;
  std::vector<int> order_;  // this epoch's sample order
};

}  // namespace larslab::data
