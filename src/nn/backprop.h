#pragma once
// Forward/backward over a minibatch on TBB. The batch is cut into a FIXED number of shards
// (not one per thread); each shard has its own pre-allocated buffers and gradient slice, and
// shard gradients are summed in shard order. Results are therefore bitwise identical for any
// thread count. No heap allocation per step once the first step has run.
// Dropout masks depend only on (stepSeed, shard, layer index). In training, BatchNorm
// normalises each shard with its own statistics ("ghost batch norm", see nn/layers.h), so the
// shard count is part of the model's definition; it never depends on the thread count.
// Every task flushes denormal floats to zero (nn/float_mode.h), whichever thread runs it.
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

  // Keeps a reference to `network`, which must outlive this object. Throws
  // std::invalid_argument for batchSize/shards < 1, or when a BatchNorm layer would see fewer
  // than 2 values per channel in a shard.
  ShardedBackprop(const Network& network, int batchSize, int shards = kDefaultShards);
  ~ShardedBackprop();
  ShardedBackprop(const ShardedBackprop&) = delete;
  ShardedBackprop& operator=(const ShardedBackprop&) = delete;

  // x: batchSize rows; y: class index column (cross-entropy) or target rows (mse).
  // Writes the gradient of the MEAN loss into `grads` (same layout as params) and updates
  // BatchNorm running statistics in `params`. `stepSeed` seeds dropout masks.
  BatchResult computeGradients(ParameterStore& params, const Matrix& x, const Matrix& y,
                               ParameterStore& grads, std::uint64_t stepSeed);

  // One-off Inference (below): allocates its buffers per call.
  static BatchResult evaluate(const Network& network, const ParameterStore& params,
                              const Matrix& x, const Matrix& y, int chunkRows = 1024);
  static void predict(const Network& network, const ParameterStore& params, const Matrix& x, Matrix& out,
                      int chunkRows = 1024);

  [[nodiscard]] int batchSize() const;
  [[nodiscard]] int shardCount() const;  // min(shards, batchSize)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Inference mode (dropout off, BatchNorm running statistics) in chunks of rows processed in
// parallel and combined in chunk order, so results never depend on threads. Each thread keeps
// its layer buffers between calls: repeated evaluations of a test set (every few steps of a
// run) do not allocate, which matters for CNNs whose activations are tens of MB per chunk.
// Use one object per concurrent caller; calls on one object must not overlap.
class Inference {
 public:
  Inference(const Network& network, int chunkRows = 256);
  ~Inference();
  Inference(const Inference&) = delete;
  Inference& operator=(const Inference&) = delete;

  // Mean loss and correct count over the rows of x.
  BatchResult evaluate(const ParameterStore& params, const Matrix& x, const Matrix& y);
  // Network outputs (logits for cross-entropy), one row per row of x.
  void predict(const ParameterStore& params, const Matrix& x, Matrix& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace larslab::nn
