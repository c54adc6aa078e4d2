#pragma once
// Forward/backward over a minibatch on TBB. The batch is cut into a FIXED number of shards
// (not one per thread); each shard has its own pre-allocated buffers and gradient slice, and
// shard gradients are summed in shard order. Results are therefore bitwise identical for any
// thread count. No heap allocation per step once the first step has run.
// Call from inside a tbb::task_arena to bound the number of threads.

#include <cstdint>
#include <memory>

#include "nn/network.h"

namespace larslab::nn {

struct BatchResult {
  double loss = 0.0;    // mean loss over the batch
  int correct = 0;      // classification: argmax == label (0 for regression)
  int count = 0;        // samples
  [[nodiscard]] double accuracy() const { return count ? static_cast<double>(correct) / count : 0.0; }
};

class ShardedBackprop {
 public:
  static constexpr int kDefaultShards = 4;

  ShardedBackprop(const Network& network, int batchSize, int shards = kDefaultShards);
  ~ShardedBackprop();
  ShardedBackprop(const ShardedBackprop&) = delete;
  ShardedBackprop& operator=(const ShardedBackprop&) = delete;

  // x: batchSize rows; y: class index column (cross-entropy) or target rows (mse).
  // Writes the gradient of the MEAN loss into `grads` (same layout as params) and updates
  // BatchNorm running statistics in `params`. `stepSeed` seeds dropout masks.
  BatchResult computeGradients(ParameterStore& params, const Matrix& x, const Matrix& y,
                               ParameterStore& grads, std::uint64_t stepSeed);

  // Inference mode (dropout off, BatchNorm running statistics), in chunks.
  static BatchResult evaluate(const Network& network, const ParameterStore& params,
                              const Matrix& x, const Matrix& y, int chunkRows = 1024);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace larslab::nn
