// Layer kernels alone, forward and backward, on one thread and one shard's rows: what a
// ShardedBackprop worker runs. Shapes are the ones the training workloads use (a batch of
// the workload cut into its 4 default shards), so a slow kernel here explains a slow
// workload in bench_training.cpp.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench_common.h"
#include "nn/layers.h"

namespace larslab::bench {
namespace {

// One layer with its parameters, gradients, state and a random input of `rows` samples.
struct LayerFixture {
  nn::ParameterLayout layout;
  std::unique_ptr<nn::Layer> layer;
  nn::ParameterStore params, grads;
  std::unique_ptr<nn::LayerState> state;
  nn::Matrix in, out, dOut, dIn;
  nn::ForwardContext context{true, 1};

  LayerFixture(std::unique_ptr<nn::Layer> l, int rows) : layer(std::move(l)) {
    layer->registerTensors(layout);
    auto shared = std::make_shared<const nn::ParameterLayout>(layout);
    params = nn::ParameterStore(shared);
    grads = nn::ParameterStore(shared);
    params.setZero();
    layer->initialize(params, 7);
    state = layer->makeState();
    in = randomNormal(rows, layer->inputShape().size(), 3);
    dOut = randomNormal(rows, layer->outputShape().size(), 4);
    layer->forward(params, in, out, *state, context);  // size the buffers once
  }
  void forward() { layer->forward(params, in, out, *state, context); }
  void backward(bool withInputGradient) {
    layer->backward(params, in, out, dOut, withInputGradient ? &dIn : nullptr, grads, *state);
  }
};

void setRates(benchmark::State& state, int rows, double flopsPerIteration) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * rows);
  if (flopsPerIteration > 0.0)
    state.counters["GFLOPS"] =
        benchmark::Counter(flopsPerIteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Args: in, out, rows.
void BM_DenseForward(benchmark::State& state) {
  const int in = static_cast<int>(state.range(0)), out = static_cast<int>(state.range(1));
  const int rows = static_cast<int>(state.range(2));
  LayerFixture f(std::make_unique<nn::Dense>("dense1", nn::Shape{in, 1, 1}, out, nn::InitSpec{}), rows);
  for (auto _ : state) {
    f.forward();
    benchmark::DoNotOptimize(f.out.data());
  }
  setRates(state, rows, 2.0 * rows * in * out);
}

void BM_DenseBackward(benchmark::State& state) {
  const int in = static_cast<int>(state.range(0)), out = static_cast<int>(state.range(1));
  const int rows = static_cast<int>(state.range(2));
  LayerFixture f(std::make_unique<nn::Dense>("dense1", nn::Shape{in, 1, 1}, out, nn::InitSpec{}), rows);
  for (auto _ : state) {
    f.backward(true);
    benchmark::DoNotOptimize(f.grads.flat().data());
    benchmark::DoNotOptimize(f.dIn.data());
  }
  setRates(state, rows, 4.0 * rows * in * out);  // dW and dIn
}

// Args: in channels, size, filters, rows; kernel 5, padding 2, stride 1 as in fmnist_cnn.
std::unique_ptr<nn::Layer> makeConv(const benchmark::State& state) {
  const int c = static_cast<int>(state.range(0)), size = static_cast<int>(state.range(1));
  return std::make_unique<nn::Conv2D>("conv1", nn::Shape{c, size, size}, static_cast<int>(state.range(2)), 5, 1,
                                      2, nn::InitSpec{});
}

double convFlops(const benchmark::State& state) {
  const double c = state.range(0), size = state.range(1), filters = state.range(2), rows = state.range(3);
  return 2.0 * rows * size * size * filters * c * 25.0;
}

void BM_Conv2DForward(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(3));
  LayerFixture f(makeConv(state), rows);
  for (auto _ : state) {
    f.forward();
    benchmark::DoNotOptimize(f.out.data());
  }
  setRates(state, rows, convFlops(state));
}

void BM_Conv2DBackward(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(3));
  const bool withInputGradient = state.range(0) > 1;  // the first conv of a network has none
  LayerFixture f(makeConv(state), rows);
  for (auto _ : state) {
    f.backward(withInputGradient);
    benchmark::DoNotOptimize(f.grads.flat().data());
  }
  setRates(state, rows, convFlops(state) * (withInputGradient ? 2.0 : 1.0));
}

// Args: channels, size (1 = flat features), rows.
std::unique_ptr<nn::Layer> makeBatchNorm(const benchmark::State& state) {
  const int c = static_cast<int>(state.range(0)), size = static_cast<int>(state.range(1));
  return std::make_unique<nn::BatchNorm>("bn1", nn::Shape{c, size, size}, 0.1, 1e-5);
}

void BM_BatchNormForward(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(2));
  LayerFixture f(makeBatchNorm(state), rows);
  for (auto _ : state) {
    f.forward();
    benchmark::DoNotOptimize(f.out.data());
  }
  setRates(state, rows, 0.0);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * f.in.size() * 2 *
                          static_cast<std::int64_t>(sizeof(nn::Scalar)));
}

void BM_BatchNormBackward(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(2));
  LayerFixture f(makeBatchNorm(state), rows);
  for (auto _ : state) {
    f.backward(true);
    benchmark::DoNotOptimize(f.dIn.data());
  }
  setRates(state, rows, 0.0);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * f.in.size() * 4 *
                          static_cast<std::int64_t>(sizeof(nn::Scalar)));
}

// Dense: fmnist_mlp layers 1 and 2 on a 64-row shard, fmnist_mlp_b4096 layer 1 on a
// 1024-row shard, a deep_mlp hidden layer on 64 rows, a spirals_mlp hidden layer on 16 rows.
void denseArgs(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->ArgNames({"in", "out", "rows"});
  b->Args({784, 512, 64})->Args({512, 256, 64})->Args({784, 256, 1024})->Args({64, 64, 64})->Args({32, 32, 16});
}
// Conv: fmnist_cnn conv1 (1->16 on 28x28) and conv2 (16->32 on 14x14), 32-row shards.
void convArgs(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->ArgNames({"inC", "size", "filters", "rows"});
  b->Args({1, 28, 16, 32})->Args({16, 14, 32, 32});
}
// BatchNorm: after a 512-unit dense layer (64 rows) and after conv1 (16 x 28 x 28, 32 rows).
void batchNormArgs(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->ArgNames({"channels", "size", "rows"});
  b->Args({512, 1, 64})->Args({16, 28, 32});
}

BENCHMARK(BM_DenseForward)->Apply(denseArgs);
BENCHMARK(BM_DenseBackward)->Apply(denseArgs);
BENCHMARK(BM_Conv2DForward)->Apply(convArgs);
BENCHMARK(BM_Conv2DBackward)->Apply(convArgs);
BENCHMARK(BM_BatchNormForward)->Apply(batchNormArgs);
BENCHMARK(BM_BatchNormBackward)->Apply(batchNormArgs);

}  // namespace
}  // namespace larslab::bench
