// ShardedBackprop: determinism across thread counts, sharding, evaluation and input checks.

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/backprop.h"
#include "nn/random.h"
#include "random_matrix.h"

namespace larslab::nn {
namespace {

using test::randomMatrix;

Matrix randomLabels(Eigen::Index rows, int classes, std::uint64_t seed) {
  Matrix y(rows, 1);
  for (Eigen::Index i = 0; i < rows; ++i)
    y(i, 0) = static_cast<Scalar>(mixSeed(seed, static_cast<std::uint64_t>(i)) % classes);
  return y;
}

LayerSpec make(std::string type, int size = 0) {
  LayerSpec l;
  l.type = std::move(type);
  if (l.type == "dense") l.units = size;
  if (l.type == "conv2d") l.filters = size;
  if (l.type == "maxpool2d") l.kernel = size;
  return l;
}

ModelSpec mlpWithBatchNormAndDropout() {
  ModelSpec spec;
  LayerSpec drop = make("dropout");
  drop.rate = 0.2;
  spec.layers = {make("dense", 32), make("batchnorm"), make("relu"), drop, make("dense", 16), make("gelu"),
                 make("dropout"), make("dense", 3)};
  return spec;
}

ModelSpec smallCnn() {
  ModelSpec spec;
  LayerSpec c1 = make("conv2d", 4);
  c1.padding = 1;
  LayerSpec c2 = make("conv2d", 6);
  c2.stride = 2;
  c2.padding = 1;
  spec.layers = {c1, make("batchnorm"), make("relu"), make("maxpool2d", 2), c2, make("relu"), make("flatten"),
                 make("dense", 12), make("tanh"), make("dense", 3)};
  return spec;
}

// A few steps of plain SGD (w -= lr * g) inside an arena of `threads` threads.
Vector train(const ModelSpec& spec, Shape input, int threads, int batch = 24, int steps = 6) {
  tbb::task_arena arena(threads);
  Vector result;
  arena.execute([&] {
    const Network net(spec, input);
    ShardedBackprop backprop(net, batch);
    ParameterStore params = net.initialParameters(7);
    ParameterStore grads(net.layout());
    for (int step = 0; step < steps; ++step) {
      const Matrix x = randomMatrix(batch, input.size(), 100 + step);
      const Matrix y = randomLabels(batch, 3, 200 + step);
      const BatchResult r = backprop.computeGradients(params, x, y, grads, 1000 + step);
      EXPECT_TRUE(std::isfinite(r.loss));
      params.flat().noalias() -= Scalar(0.1) * grads.flat();
    }
    result = params.flat();
  });
  return result;
}

void expectBitwiseEqual(const Vector& a, const Vector& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<std::size_t>(a.size())), 0);
}

TEST(ShardedBackprop, MlpBitwiseIdenticalWithOneAndTwoThreads) {
  const Shape input{6, 1, 1};
  const Vector one = train(mlpWithBatchNormAndDropout(), input, 1);
  const Vector two = train(mlpWithBatchNormAndDropout(), input, 2);
  expectBitwiseEqual(one, two);
  const Network net(mlpWithBatchNormAndDropout(), input);
  EXPECT_GT((one - net.initialParameters(7).flat()).norm(), 1e-3);  // training did something
}

TEST(ShardedBackprop, CnnBitwiseIdenticalWithOneAndTwoThreads) {
  const Shape input{2, 8, 8};
  const Vector one = train(smallCnn(), input, 1);
  const Vector two = train(smallCnn(), input, 2);
  expectBitwiseEqual(one, two);
  const Network net(smallCnn(), input);
  EXPECT_GT((one - net.initialParameters(7).flat()).norm(), 1e-3);
}

// Dense layers wide enough that ShardedBackprop forms their gradients in several blocks of
// output units (784 inputs: blocks of 80 units, so 80 + 80 + 40), with products large enough
// for OpenBLAS.
ModelSpec wideMlp() {
  ModelSpec spec;
  spec.layers = {make("dense", 200), make("relu"), make("dense", 100), make("tanh"), make("dense", 3)};
  return spec;
}

TEST(ShardedBackprop, WideMlpBitwiseIdenticalWithOneAndTwoThreads) {
  const Shape input{784, 1, 1};
  const Network net(wideMlp(), input);
  ASSERT_EQ(net.layers()[0]->batchGradientBlockUnits(), 80);
  const Vector one = train(wideMlp(), input, 1, 64, 4);
  const Vector two = train(wideMlp(), input, 2, 64, 4);
  expectBitwiseEqual(one, two);
  EXPECT_GT((one - net.initialParameters(7).flat()).norm(), 1e-3);
}

// The whole-batch gradients of dense layers (blocks of units, shards added in order) against
// the layers' own backward() over the whole batch at once.
TEST(ShardedBackprop, WholeBatchDenseGradientsMatchTheLayersOwnBackward) {
  const Shape input{784, 1, 1};
  const Network net(wideMlp(), input);
  const int batch = 40;
  const Matrix x = randomMatrix(batch, input.size(), 11);
  const Matrix y = randomLabels(batch, 3, 12);
  ParameterStore params = net.initialParameters(5);
  ParameterStore sharded(net.layout());
  ShardedBackprop(net, batch, 4).computeGradients(params, x, y, sharded, 0);

  const auto& layers = net.layers();
  std::vector<std::unique_ptr<LayerState>> states;
  for (const auto& l : layers) states.push_back(l->makeState());
  std::vector<Matrix> acts(layers.size()), dActs(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i)
    layers[i]->forward(params, i == 0 ? ConstMatrixRef(x) : ConstMatrixRef(acts[i - 1]), acts[i], *states[i], {});
  net.loss().compute(acts.back(), y, &dActs.back(), Scalar(1) / batch);
  ParameterStore reference(net.layout());
  for (std::size_t i = layers.size(); i-- > 0;)
    layers[i]->backward(params, i == 0 ? ConstMatrixRef(x) : ConstMatrixRef(acts[i - 1]), acts[i], dActs[i],
                        i == 0 ? nullptr : &dActs[i - 1], reference, *states[i]);
  ASSERT_GT(reference.flat().norm(), 1e-3);
  for (int t = 0; t < net.layout()->count(); ++t) {
    SCOPED_TRACE(net.layout()->tensor(t).name);
    const Vector a = sharded.vector(t), b = reference.vector(t);
    EXPECT_LT((a - b).norm(), 1e-5 * b.norm() + 1e-9);
  }
}

TEST(ShardedBackprop, ShardCountIsCappedAtBatchSize) {
  const Network net(mlpWithBatchNormAndDropout(), Shape{6, 1, 1});
  EXPECT_EQ(ShardedBackprop(net, 64).shardCount(), ShardedBackprop::kDefaultShards);
  EXPECT_EQ(ShardedBackprop(net, 64, 3).shardCount(), 3);
  ModelSpec noBn;
  noBn.layers = {make("dense", 4), make("relu"), make("dense", 2)};
  const Network small(noBn, Shape{6, 1, 1});
  EXPECT_EQ(ShardedBackprop(small, 3).shardCount(), 3);
  EXPECT_EQ(ShardedBackprop(small, 3).batchSize(), 3);
}

TEST(ShardedBackprop, GradientDoesNotDependOnShardCountWithoutBatchStatistics) {
  ModelSpec spec;
  spec.layers = {make("dense", 16), make("relu"), make("dense", 8), make("sigmoid"), make("dense", 3)};
  const Network net(spec, Shape{5, 1, 1});
  const Matrix x = randomMatrix(10, 5, 1);
  const Matrix y = randomLabels(10, 3, 2);
  ParameterStore params = net.initialParameters(3);
  ParameterStore g1(net.layout()), g4(net.layout());
  ShardedBackprop one(net, 10, 1), four(net, 10, 4);  // four: shards of 3, 3, 2, 2 rows
  const BatchResult r1 = one.computeGradients(params, x, y, g1, 0);
  const BatchResult r4 = four.computeGradients(params, x, y, g4, 0);
  EXPECT_NEAR(r1.loss, r4.loss, 1e-6);
  EXPECT_EQ(r1.correct, r4.correct);
  EXPECT_EQ(r4.count, 10);
  EXPECT_LT((g1.flat() - g4.flat()).norm(), 1e-5 * g1.flat().norm());
  EXPECT_GT(g1.flat().norm(), 1e-3);
  const BatchResult eval = ShardedBackprop::evaluate(net, params, x, y);
  EXPECT_NEAR(eval.loss, r1.loss, 1e-6);  // no dropout/BN: training and inference agree
}

TEST(ShardedBackprop, BatchNormRunningStatisticsUseTheWholeBatch) {
  ModelSpec spec;
  LayerSpec bn = make("batchnorm");
  bn.momentum = 0.25;
  spec.layers = {bn, make("dense", 2)};
  const Network net(spec, Shape{3, 1, 1});
  Matrix x = randomMatrix(12, 3, 5);
  x.col(1).array() += 4;
  const Matrix y = randomLabels(12, 2, 6);
  ParameterStore params = net.initialParameters(1);
  ParameterStore grads(net.layout());
  ShardedBackprop backprop(net, 12, 4);
  backprop.computeGradients(params, x, y, grads, 0);
  const Eigen::VectorXd mean = x.cast<double>().colwise().mean().transpose();
  const Eigen::VectorXd var =
      ((x.cast<double>().rowwise() - mean.transpose()).array().square().colwise().sum() / (12 - 1)).transpose();
  const ConstVectorMap runningMean = std::as_const(params).vector(net.layout()->indexOf("bn1.running_mean"));
  const ConstVectorMap runningVar = std::as_const(params).vector(net.layout()->indexOf("bn1.running_var"));
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(runningMean[c], 0.25 * mean[c], 1e-5);  // (1 - m) * 0 + m * batch mean
    EXPECT_NEAR(runningVar[c], 0.75 + 0.25 * var[c], 1e-5);  // (1 - m) * 1 + m * unbiased variance
  }
  EXPECT_TRUE(std::as_const(grads).vector(net.layout()->indexOf("bn1.running_mean")).isZero());
}

TEST(ShardedBackprop, EvaluateIsChunkInvariantAndMatchesPredict) {
  const Network net(smallCnn(), Shape{2, 8, 8});
  ParameterStore params = net.initialParameters(11);
  // Non-trivial running statistics so that eval mode is exercised.
  ParameterStore grads(net.layout());
  ShardedBackprop backprop(net, 16);
  backprop.computeGradients(params, randomMatrix(16, 128, 3), randomLabels(16, 3, 4), grads, 5);
  const Matrix x = randomMatrix(37, 128, 12);
  const Matrix y = randomLabels(37, 3, 13);
  const BatchResult whole = ShardedBackprop::evaluate(net, params, x, y);
  const BatchResult chunked = ShardedBackprop::evaluate(net, params, x, y, 5);
  EXPECT_NEAR(whole.loss, chunked.loss, 1e-5);
  EXPECT_EQ(whole.correct, chunked.correct);
  EXPECT_EQ(whole.count, 37);
  Matrix logits;
  ShardedBackprop::predict(net, params, x, logits, 8);
  ASSERT_EQ(logits.rows(), 37);
  ASSERT_EQ(logits.cols(), 3);
  int correct = 0;
  for (Eigen::Index i = 0; i < 37; ++i) {
    Eigen::Index arg;
    logits.row(i).maxCoeff(&arg);
    correct += arg == static_cast<Eigen::Index>(y(i, 0));
  }
  EXPECT_EQ(correct, whole.correct);
  // Inference does not look at the other rows: one row alone gives the same logits.
  Matrix single;
  ShardedBackprop::predict(net, params, x.middleRows(20, 1), single);
  EXPECT_TRUE(single.row(0).isApprox(logits.row(20), 1e-5f));
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Denormal floats make x86 arithmetic up to 200x slower; the engine flushes them to zero in
// every task, whichever thread runs it, and leaves the caller's floating-point mode as it was.
TEST(ShardedBackprop, DenormalsAreFlushedInEveryTaskAndTheCallersModeIsRestored) {
  ModelSpec spec;
  spec.layers = {make("dense", 1)};
  spec.loss = "mse";
  const Network net(spec, Shape{1, 1, 1});
  ParameterStore params = net.initialParameters(1);
  params.flat().setZero();
  params.vector(net.layers()[0]->tensorIndices()[0])[0] = 1;  // out = x
  const Scalar tiny = std::numeric_limits<Scalar>::denorm_min() * 1000;
  ASSERT_LT(tiny, std::numeric_limits<Scalar>::min());
  const Matrix x = Matrix::Constant(64, 1, tiny);
  tbb::task_arena arena(2);
  Matrix out;
  arena.execute([&] { Inference(net, 4).predict(params, x, out); });  // 16 chunks over both threads
  EXPECT_EQ(out.cwiseAbs().maxCoeff(), 0.0f) << "a denormal input must be read as zero";
  // Training too: with y = 0 the mean squared error of a denormal output is exactly zero.
  ShardedBackprop backprop(net, 64);
  ParameterStore grads(net.layout());
  BatchResult r;
  arena.execute([&] { r = backprop.computeGradients(params, x, Matrix::Zero(64, 1), grads, 0); });
  EXPECT_EQ(r.loss, 0.0);
  EXPECT_EQ(grads.flat().cwiseAbs().maxCoeff(), 0.0f);
  // The caller's own arithmetic keeps denormals.
  volatile Scalar half = tiny;
  EXPECT_GT(half * Scalar(0.5), Scalar(0));
}

TEST(ShardedBackprop, RejectsMismatchedInputs) {
  const Network net(mlpWithBatchNormAndDropout(), Shape{6, 1, 1});
  ShardedBackprop backprop(net, 8);
  ParameterStore params = net.initialParameters(1);
  ParameterStore grads(net.layout());
  EXPECT_EQ(errorOf([&] { backprop.computeGradients(params, Matrix(8, 5), Matrix(8, 1), grads, 0); }),
            "ShardedBackprop::computeGradients: x is 8x5, the network expects 6 columns");
  EXPECT_EQ(errorOf([&] { backprop.computeGradients(params, Matrix(7, 6), Matrix(7, 1), grads, 0); }),
            "ShardedBackprop::computeGradients: x has 7 rows, the batch size is 8");
  EXPECT_EQ(errorOf([&] { backprop.computeGradients(params, Matrix::Zero(8, 6), Matrix::Zero(8, 3), grads, 0); }),
            "ShardedBackprop::computeGradients: y is 8x3, expected 8x1 for loss cross_entropy");
  Matrix badLabels = Matrix::Zero(8, 1);
  badLabels(5, 0) = 3;
  EXPECT_EQ(errorOf([&] { backprop.computeGradients(params, Matrix::Zero(8, 6), badLabels, grads, 0); }),
            "ShardedBackprop::computeGradients: y: cross_entropy: label 3 in row 5 is not an integer in [0, 3)");
  badLabels(5, 0) = 1.5f;
  EXPECT_EQ(errorOf([&] { (void)ShardedBackprop::evaluate(net, params, Matrix::Zero(8, 6), badLabels); }),
            "Inference::evaluate: y: cross_entropy: label 1.5 in row 5 is not an integer in [0, 3)");
  EXPECT_EQ(errorOf([&] { ShardedBackprop(net, 7); }),
            "ShardedBackprop: bn1 needs at least 2 values per channel in every shard; batch 7 in 4 shards gives 1");
  EXPECT_EQ(errorOf([&] { ShardedBackprop(net, 0); }), "ShardedBackprop: batch size must be > 0, got 0");
}

}  // namespace
}  // namespace larslab::nn
