#include "data/batcher.h"

#include <numeric>
#include <stdexcept>
#include <string>

#include "nn/random.h"

namespace larslab::data {

Batcher::Batcher(const Dataset& dataset, int batchSize, std::uint64_t seed, bool shuffle)
    : dataset_(&dataset), batchSize_(batchSize), seed_(seed), shuffle_(shuffle) {
  if (batchSize < 1) {
    throw std::invalid_argument("batcher: batch size must be >= 1, got " + std::to_string(batchSize));
  }
  if (batchSize > dataset.size()) {
    throw std::invalid_argument("batcher: batch size " + std::to_string(batchSize) +
                                " is larger than dataset '" + dataset.name + "' (" +
                                std::to_string(dataset.size()) + " samples)");
  }
  batchesPerEpoch_ = dataset.size() / batchSize;
  order_.resize(static_cast<std::size_t>(dataset.size()));
  shuffleFor(0);
}

void Batcher::shuffleFor(long epoch) {
  // Always start from the identity so the order is a function of (seed, epoch) alone.
  std::iota(order_.begin(), order_.end(), 0);
  if (!shuffle_) return;
  nn::Rng rng(nn::mixSeed(seed_, static_cast<std::uint64_t>(epoch)));
  rng.shuffle(order_);
}

void Batcher::reset() {
  step_ = 0;
  shuffleFor(0);
}

void Batcher::next(nn::Matrix& x, nn::Matrix& y) {
  const int inBatch = static_cast<int>(step_ % batchesPerEpoch_);
  if (inBatch == 0 && step_ > 0) shuffleFor(step_ / batchesPerEpoch_);
  const nn::Matrix& features = dataset_->features;
  const nn::Matrix& targets = dataset_->targets;
  x.resize(batchSize_, features.cols());  // no-op when the size is unchanged
  y.resize(batchSize_, targets.cols());
  const int first = inBatch * batchSize_;
  for (int i = 0; i < batchSize_; ++i) {
    const int sample = order_[static_cast<std::size_t>(first + i)];
    x.row(i) = features.row(sample);
    y.row(i) = targets.row(sample);
  }
  ++step_;
}

}  // namespace larslab::data
