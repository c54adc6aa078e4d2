#include "nn/backprop.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "nn/float_mode.h"
#include "nn/gemm.h"
#include "nn/random.h"

namespace larslab::nn {
namespace {

std::string dims(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }

void checkInputs(const Network& network, const Matrix& x, const Matrix& y, const char* where) {
  const int inputs = network.inputShape().size();
  const int targetCols = network.loss().targetColumns(network.outputShape().size());
  if (x.cols() != inputs)
    throw std::invalid_argument(std::string(where) + ": x is " + dims(x) + ", the network expects " +
                                std::to_string(inputs) + " columns");
  if (y.rows() != x.rows() || y.cols() != targetCols)
    throw std::invalid_argument(std::string(where) + ": y is " + dims(y) + ", expected " + std::to_string(x.rows()) +
                                "x" + std::to_string(targetCols) + " for loss " + network.loss().name());
  try {
    network.loss().checkTargets(y, network.outputShape().size());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(where) + ": y: " + e.what());
  }
}

// Runs the layers over `in`; acts[i] receives the output of layer i.
void forwardLayers(const Network& network, const ParameterStore& params, const ConstMatrixRef& in,
                   std::vector<std::unique_ptr<LayerState>>& states, std::vector<Matrix>& acts, bool training,
                   std::uint64_t stepSeed, int shard) {
  const auto& layers = network.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    ForwardContext context;
    context.training = training;
    // Dropout masks depend on (step, shard, layer) only, never on the thread.
    context.seed = deriveSeed(deriveSeed(stepSeed, static_cast<std::uint64_t>(shard)), i);
    if (i == 0)
      layers[i]->forward(params, in, acts[i], *states[i], context);
    else
      layers[i]->forward(params, acts[i - 1], acts[i], *states[i], context);
  }
}

std::vector<std::unique_ptr<LayerState>> makeStates(const Network& network) {
  std::vector<std::unique_ptr<LayerState>> states;
  for (const auto& layer : network.layers()) states.push_back(layer->makeState());
  return states;
}

}  // namespace

struct ShardedBackprop::Impl {
  struct Shard {
    int begin = 0;
    int rows = 0;
    std::vector<std::unique_ptr<LayerState>> states;
    std::vector<Matrix> acts;    // output of layer i
    std::vector<Matrix> dActs;   // dL/d(output of layer i)
    ParameterStore grads;        // this shard's contribution, summed in shard order
    LossSum loss;
  };

  // A block of output units of a layer whose parameter gradients are formed for the whole batch
  // (Layer::batchGradientBlockUnits), with its own GEMM packing buffers.
  struct BatchGradientBlock {
    int layer = 0;
    int unitBegin = 0;
    int unitEnd = 0;
    GemmWorkspace gemm;
  };

  const Network& network;
  int batchSize;
  std::vector<Shard> shards;
  std::vector<int> statisticLayers;                        // layers with running statistics
  std::vector<std::vector<const LayerState*>> shardStates;  // per statistic layer, in shard order
  std::vector<BatchGradientBlock> batchBlocks;             // largest layers first
  // Per layer, per shard: its input and output gradient, refreshed every step (no allocation).
  std::vector<std::vector<GemmOperand>> shardInputs, shardOutputGradients;
  // [begin, end) of the flat gradient summed from the shards' copies: every tensor but those
  // formed for the whole batch, cut into pieces for the threads.
  std::vector<std::pair<Eigen::Index, Eigen::Index>> reducedPieces;

  Impl(const Network& net, int batch, int shardCount) : network(net), batchSize(batch) {
    if (batch <= 0) throw std::invalid_argument("ShardedBackprop: batch size must be > 0, got " + std::to_string(batch));
    if (shardCount <= 0) throw std::invalid_argument("ShardedBackprop: shard count must be > 0, got " + std::to_string(shardCount));
    const int count = std::min(shardCount, batch);
    const int base = batch / count, extra = batch % count;
    const std::size_t layers = network.layers().size();
    shards.resize(count);
    int begin = 0;
    for (int s = 0; s < count; ++s) {
      Shard& shard = shards[s];
      shard.begin = begin;
      shard.rows = base + (s < extra ? 1 : 0);
      begin += shard.rows;
      shard.states = makeStates(network);
      shard.acts.resize(layers);
      shard.dActs.resize(layers);
      shard.grads = ParameterStore(network.layout());
    }
    for (std::size_t i = 0; i < layers; ++i) {
      const Layer& layer = *network.layers()[i];
      if (!layer.hasStatistics()) continue;
      const Shape shape = layer.inputShape();
      if (static_cast<long>(base) * shape.height * shape.width < 2)
        throw std::invalid_argument("ShardedBackprop: " + layer.name() + " needs at least 2 values per channel in every shard; batch " +
                                    std::to_string(batch) + " in " + std::to_string(count) + " shards gives " +
                                    std::to_string(base * shape.height * shape.width));
      statisticLayers.push_back(static_cast<int>(i));
      std::vector<const LayerState*> ptrs;
      for (const Shard& shard : shards) ptrs.push_back(shard.states[i].get());
      shardStates.push_back(std::move(ptrs));
    }
    planBatchGradients();
  }

  void planBatchGradients() {
    const auto& layers = network.layers();
    const ParameterLayout& layout = *network.layout();
    std::vector<bool> batchTensor(static_cast<std::size_t>(layout.count()), false);
    shardInputs.assign(layers.size(), {});
    shardOutputGradients.assign(layers.size(), {});
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const Layer& layer = *layers[i];
      const int block = layer.batchGradientBlockUnits();
      if (block <= 0 || layer.tensorIndices().empty()) continue;
      for (Shard& shard : shards) shard.states[i]->batchGradientsDeferred = true;
      for (const int t : layer.tensorIndices()) batchTensor[static_cast<std::size_t>(t)] = true;
      shardInputs[i].resize(shards.size());
      shardOutputGradients[i].resize(shards.size());
      const int units = layer.outputShape().size();
      for (int begin = 0; begin < units; begin += block)
        batchBlocks.push_back({static_cast<int>(i), begin, std::min(units, begin + block), {}});
    }
    // Largest blocks first, so that the last task to start is a small one.
    std::stable_sort(batchBlocks.begin(), batchBlocks.end(), [&](const BatchGradientBlock& a, const BatchGradientBlock& b) {
      const auto size = [&](const BatchGradientBlock& x) {
        return static_cast<long>(x.unitEnd - x.unitBegin) * layers[static_cast<std::size_t>(x.layer)]->inputShape().size();
      };
      return size(a) > size(b);
    });
    constexpr Eigen::Index kPiece = 1 << 15;
    for (int t = 0; t < layout.count(); ++t) {
      if (batchTensor[static_cast<std::size_t>(t)]) continue;
      const TensorInfo& info = layout.tensor(t);
      const auto begin = static_cast<Eigen::Index>(info.offset), end = begin + static_cast<Eigen::Index>(info.size);
      for (Eigen::Index b = begin; b < end; b += kPiece) {
        const Eigen::Index e = std::min(end, b + kPiece);
        if (!reducedPieces.empty() && reducedPieces.back().second == b && e - reducedPieces.back().first <= kPiece)
          reducedPieces.back().second = e;  // merge small neighbouring tensors into one piece
        else
          reducedPieces.emplace_back(b, e);
      }
    }
  }

  void runShard(Shard& shard, const ParameterStore& params, const Matrix& x, const Matrix& y, std::uint64_t stepSeed,
                int index) {
    const auto& layers = network.layers();
    const ConstMatrixRef in = x.middleRows(shard.begin, shard.rows);
    forwardLayers(network, params, in, shard.states, shard.acts, true, stepSeed, index);
    const std::size_t last = layers.size() - 1;
    shard.loss = network.loss().compute(shard.acts[last], y.middleRows(shard.begin, shard.rows), &shard.dActs[last],
                                        Scalar(1) / static_cast<Scalar>(batchSize));
    for (std::size_t i = last + 1; i-- > 0;) {
      Matrix* dIn = i > 0 ? &shard.dActs[i - 1] : nullptr;
      if (i == 0)
        layers[i]->backward(params, in, shard.acts[i], shard.dActs[i], dIn, shard.grads, *shard.states[i]);
      else
        layers[i]->backward(params, shard.acts[i - 1], shard.acts[i], shard.dActs[i], dIn, shard.grads, *shard.states[i]);
    }
  }
};

ShardedBackprop::ShardedBackprop(const Network& network, int batchSize, int shards)
    : impl_(std::make_unique<Impl>(network, batchSize, shards)) {}

ShardedBackprop::~ShardedBackprop() = default;

int ShardedBackprop::batchSize() const { return impl_->batchSize; }
int ShardedBackprop::shardCount() const { return static_cast<int>(impl_->shards.size()); }

BatchResult ShardedBackprop::computeGradients(ParameterStore& params, const Matrix& x, const Matrix& y,
                                              ParameterStore& grads, std::uint64_t stepSeed) {
  Impl& impl = *impl_;
  const auto total = static_cast<Eigen::Index>(impl.network.layout()->totalSize());
  if (x.rows() != impl.batchSize)
    throw std::invalid_argument("ShardedBackprop::computeGradients: x has " + std::to_string(x.rows()) +
                                " rows, the batch size is " + std::to_string(impl.batchSize));
  checkInputs(impl.network, x, y, "ShardedBackprop::computeGradients");
  if (params.flat().size() != total || grads.flat().size() != total)
    throw std::invalid_argument("ShardedBackprop::computeGradients: params/grads have " +
                                std::to_string(params.flat().size()) + "/" + std::to_string(grads.flat().size()) +
                                " values, the network's layout has " + std::to_string(total));

  const FlushDenormals flush;  // this thread's serial part; every task below sets it too
  const int shardCount = static_cast<int>(impl.shards.size());
  // One task per shard: which thread runs a shard does not matter, the shard's work is serial.
  tbb::parallel_for(
      tbb::blocked_range<int>(0, shardCount, 1),
      [&](const tbb::blocked_range<int>& range) {
        const FlushDenormals taskFlush;
        for (int s = range.begin(); s != range.end(); ++s) impl.runShard(impl.shards[s], params, x, y, stepSeed, s);
      },
      tbb::simple_partitioner());

  // Whole-batch parameter gradients (dense layers), in fixed blocks of output units: each block
  // is the shards' contributions added in shard order, whichever thread runs it.
  if (!impl.batchBlocks.empty()) {
    for (std::size_t i = 0; i < impl.shardInputs.size(); ++i) {
      if (impl.shardInputs[i].empty()) continue;
      for (std::size_t s = 0; s < impl.shards.size(); ++s) {
        const Impl::Shard& shard = impl.shards[s];
        impl.shardInputs[i][s] = i == 0 ? plain(x.middleRows(shard.begin, shard.rows)) : plain(shard.acts[i - 1]);
        impl.shardOutputGradients[i][s] = plain(shard.dActs[i]);
      }
    }
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, impl.batchBlocks.size(), 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          const FlushDenormals taskFlush;
          for (std::size_t b = range.begin(); b != range.end(); ++b) {
            Impl::BatchGradientBlock& block = impl.batchBlocks[b];
            const auto layer = static_cast<std::size_t>(block.layer);
            impl.network.layers()[layer]->accumulateBatchGradients(impl.shardInputs[layer], impl.shardOutputGradients[layer],
                                                                   block.unitBegin, block.unitEnd, grads, block.gemm);
          }
        },
        tbb::simple_partitioner());
  }

  // The other tensors: a fixed-order sum of the shards' copies, every element
  // ((g0 + g1) + g2) + g3 whatever the partition.
  Vector& out = grads.flat();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, impl.reducedPieces.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      const FlushDenormals taskFlush;
                      for (std::size_t p = range.begin(); p != range.end(); ++p) {
                        const auto [begin, end] = impl.reducedPieces[p];
                        const Eigen::Index length = end - begin;
                        VectorMap target(out.data() + begin, length);
                        target = ConstVectorMap(impl.shards[0].grads.flat().data() + begin, length);
                        for (int s = 1; s < shardCount; ++s)
                          target += ConstVectorMap(impl.shards[s].grads.flat().data() + begin, length);
                      }
                    });

  for (std::size_t k = 0; k < impl.statisticLayers.size(); ++k)
    impl.network.layers()[impl.statisticLayers[k]]->updateStatistics(params, impl.shardStates[k]);

  BatchResult result;
  double lossSum = 0.0;
  for (const auto& shard : impl.shards) {
    lossSum += shard.loss.sum;
    result.correct += shard.loss.correct;
  }
  result.count = impl.batchSize;
  result.loss = lossSum / impl.batchSize;
  return result;
}

struct Inference::Impl {
  struct Workspace {
    std::vector<std::unique_ptr<LayerState>> states;
    std::vector<Matrix> acts;
  };
  const Network& network;
  int chunkRows;
  tbb::enumerable_thread_specific<Workspace> workspaces;
  std::vector<LossSum> sums;  // per chunk

  Impl(const Network& net, int rows) : network(net), chunkRows(rows) {
    if (rows <= 0) throw std::invalid_argument("chunkRows must be > 0, got " + std::to_string(rows));
  }

  void checkParams(const ParameterStore& params, const char* where) const {
    if (params.flat().size() != static_cast<Eigen::Index>(network.layout()->totalSize()))
      throw std::invalid_argument(std::string(where) + ": params do not match the network's layout");
  }

  // Runs `visit(chunk, rowBegin, lastActivation)` for every chunk, in the chunk's task. A
  // chunk's forward makes no TBB calls, so a thread never interleaves two chunks on its
  // workspace.
  template <typename Visit>
  void forEachChunk(const ParameterStore& params, const Matrix& x, Visit&& visit) {
    const Eigen::Index rows = x.rows();
    const Eigen::Index chunks = (rows + chunkRows - 1) / chunkRows;
    tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, chunks, 1), [&](const tbb::blocked_range<Eigen::Index>& r) {
      const FlushDenormals flush;
      Workspace& ws = workspaces.local();
      if (ws.states.empty()) {
        ws.states = makeStates(network);
        ws.acts.resize(network.layers().size());
      }
      for (Eigen::Index c = r.begin(); c != r.end(); ++c) {
        const Eigen::Index begin = c * chunkRows;
        const Eigen::Index count = std::min<Eigen::Index>(chunkRows, rows - begin);
        forwardLayers(network, params, x.middleRows(begin, count), ws.states, ws.acts, false, 0, 0);
        visit(c, begin, ws.acts.back());
      }
    });
  }
};

Inference::Inference(const Network& network, int chunkRows) : impl_(std::make_unique<Impl>(network, chunkRows)) {}
Inference::~Inference() = default;

BatchResult Inference::evaluate(const ParameterStore& params, const Matrix& x, const Matrix& y) {
  Impl& impl = *impl_;
  checkInputs(impl.network, x, y, "Inference::evaluate");
  impl.checkParams(params, "Inference::evaluate");
  BatchResult result;
  result.count = static_cast<int>(x.rows());
  if (x.rows() == 0) return result;
  impl.sums.assign(static_cast<std::size_t>((x.rows() + impl.chunkRows - 1) / impl.chunkRows), LossSum{});
  impl.forEachChunk(params, x, [&](Eigen::Index chunk, Eigen::Index begin, const Matrix& out) {
    impl.sums[chunk] = impl.network.loss().compute(out, y.middleRows(begin, out.rows()), nullptr, Scalar(1));
  });
  double lossSum = 0.0;
  for (const LossSum& s : impl.sums) {
    lossSum += s.sum;
    result.correct += s.correct;
  }
  result.loss = lossSum / static_cast<double>(x.rows());
  return result;
}

void Inference::predict(const ParameterStore& params, const Matrix& x, Matrix& out) {
  Impl& impl = *impl_;
  if (x.cols() != impl.network.inputShape().size())
    throw std::invalid_argument("Inference::predict: x is " + dims(x) + ", the network expects " +
                                std::to_string(impl.network.inputShape().size()) + " columns");
  impl.checkParams(params, "Inference::predict");
  out.resize(x.rows(), impl.network.outputShape().size());
  impl.forEachChunk(params, x, [&](Eigen::Index, Eigen::Index begin, const Matrix& chunkOut) {
    out.middleRows(begin, chunkOut.rows()) = chunkOut;
  });
}

BatchResult ShardedBackprop::evaluate(const Network& network, const ParameterStore& params, const Matrix& x,
                                      const Matrix& y, int chunkRows) {
  return Inference(network, chunkRows).evaluate(params, x, y);
}

void ShardedBackprop::predict(const Network& network, const ParameterStore& params, const Matrix& x, Matrix& out,
                              int chunkRows) {
  Inference(network, chunkRows).predict(params, x, out);
}

}  // namespace larslab::nn
