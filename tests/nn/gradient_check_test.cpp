// Finite-difference gradient checks (central differences, double precision: this test links
// larslab_nn_f64) for every layer, both losses and whole networks. Each layer is checked
// through the scalar L = sum(out .* R) with a fixed random R, so dL/d(out) = R.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/backprop.h"
#include "nn/layers.h"
#include "nn/loss.h"
#include "nn/network.h"
#include "nn/random.h"
#include "random_matrix.h"

namespace larslab::nn {
namespace {

static_assert(sizeof(Scalar) == sizeof(double), "gradient checks need the double build (larslab_nn_f64)");

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-7;  // on |analytic - numeric| / max(1, |analytic|, |numeric|)

using test::randomMatrix;

double relativeError(double a, double b) { return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)}); }

double centralDifference(Scalar& value, const std::function<double()>& f) {
  const Scalar saved = value;
  value = saved + kStep;
  const double plus = f();
  value = saved - kStep;
  const double minus = f();
  value = saved;
  return (plus - minus) / (2 * kStep);
}

// A layer with its own layout and parameters, checked against finite differences.
struct LayerHarness {
  std::unique_ptr<Layer> layer;
  std::shared_ptr<ParameterLayout> layout = std::make_shared<ParameterLayout>();
  ParameterStore params;
  ParameterStore grads;
  std::unique_ptr<LayerState> state;

  explicit LayerHarness(std::unique_ptr<Layer> l) : layer(std::move(l)) {
    layer->registerTensors(*layout);
    params = ParameterStore(layout);
    grads = ParameterStore(layout);
    layer->initialize(params, 7);
    // Random values everywhere (also biases and BN gamma/beta) so no gradient is trivially 0.
    for (int t : layer->tensorIndices()) {
      if (!layout->tensor(t).trainable()) continue;
      VectorMap v = params.vector(t);
      v += randomMatrix(v.size(), 1, 1000 + t, 0.5).col(0);
    }
    state = layer->makeState();
  }

  double objective(const Matrix& x, const Matrix& r, const ForwardContext& context) {
    Matrix out;
    auto s = layer->makeState();
    layer->forward(params, x, out, *s, context);
    return (out.array() * r.array()).sum();
  }

  // Checks dL/dx and dL/d(every trainable parameter).
  void check(Matrix x, const ForwardContext& context, std::uint64_t seed = 3) {
    Matrix out;
    layer->forward(params, x, out, *state, context);
    ASSERT_EQ(out.rows(), x.rows());
    ASSERT_EQ(out.cols(), layer->outputShape().size());
    const Matrix r = randomMatrix(out.rows(), out.cols(), seed);
    Matrix dIn;
    grads.setZero();
    layer->backward(params, x, out, r, &dIn, grads, *state);
    ASSERT_EQ(dIn.rows(), x.rows());
    ASSERT_EQ(dIn.cols(), x.cols());

    double worst = 0.0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double numeric = centralDifference(x.data()[i], [&] { return objective(x, r, context); });
      const double err = relativeError(dIn.data()[i], numeric);
      worst = std::max(worst, err);
      ASSERT_LT(err, kTolerance) << layer->name() << " input " << i << ": analytic " << dIn.data()[i]
                                 << " numeric " << numeric;
    }
    int checkedParams = 0;
    for (int t : layer->tensorIndices()) {
      const TensorInfo& info = layout->tensor(t);
      if (!info.trainable()) continue;
      VectorMap p = params.vector(t);
      const ConstVectorMap g = std::as_const(grads).vector(t);
      for (Eigen::Index i = 0; i < p.size(); ++i, ++checkedParams) {
        const double numeric = centralDifference(p[i], [&] { return objective(x, r, context); });
        const double err = relativeError(g[i], numeric);
        worst = std::max(worst, err);
        ASSERT_LT(err, kTolerance) << info.name << "[" << i << "]: analytic " << g[i] << " numeric " << numeric;
      }
    }
    // Gradient must not be trivially zero.
    EXPECT_GT(dIn.norm(), 1e-3);
    ::testing::Test::RecordProperty("worst_relative_error", std::to_string(worst));
  }
};

const ForwardContext kTrain{true, 42};
const ForwardContext kEval{false, 0};

TEST(GradientCheck, Dense) {
  LayerHarness h(std::make_unique<Dense>("dense1", Shape{5, 1, 1}, 4, InitSpec{InitKind::Glorot}));
  h.check(randomMatrix(3, 5, 11), kTrain);
}

TEST(GradientCheck, DenseOnImageInput) {
  LayerHarness h(std::make_unique<Dense>("dense1", Shape{2, 3, 2}, 3, InitSpec{InitKind::He}));
  h.check(randomMatrix(2, 12, 12), kTrain);
}

TEST(GradientCheck, Conv2DPaddingStride1) {
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{2, 5, 4}, 3, 3, 1, 1, InitSpec{InitKind::He}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{3, 5, 4}));
  h.check(randomMatrix(2, 40, 13), kTrain);
}

// "Same" padding with stride 1 takes the contiguous im2col/col2im path (the CNN workloads'
// 5x5 / padding 2); the second case has a kernel wider than the input.
TEST(GradientCheck, Conv2DSamePadding5x5) {
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{2, 6, 7}, 3, 5, 1, 2, InitSpec{InitKind::He}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{3, 6, 7}));
  h.check(randomMatrix(2, 84, 17), kTrain);
}

TEST(GradientCheck, Conv2DSamePaddingKernelWiderThanInput) {
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{2, 3, 2}, 2, 5, 1, 2, InitSpec{InitKind::Glorot}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{2, 3, 2}));
  h.check(randomMatrix(3, 12, 18), kTrain);
}

TEST(GradientCheck, Conv2DPaddingStride2) {
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{2, 7, 6}, 3, 3, 2, 1, InitSpec{InitKind::He}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{3, 4, 3}));
  h.check(randomMatrix(2, 84, 14), kTrain);
}

TEST(GradientCheck, Conv2DStride3NoPaddingSkipsInputs) {
  // Kernel 2 with stride 3 never touches some rows/columns: their gradient must be exactly 0.
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{1, 8, 8}, 2, 2, 3, 0, InitSpec{InitKind::Glorot}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{2, 3, 3}));
  h.check(randomMatrix(2, 64, 15), kTrain);
}

TEST(GradientCheck, Conv2DLargePadding) {
  LayerHarness h(std::make_unique<Conv2D>("conv1", Shape{1, 3, 3}, 2, 3, 2, 2, InitSpec{InitKind::Glorot}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{2, 3, 3}));
  h.check(randomMatrix(3, 9, 16), kTrain);
}

TEST(GradientCheck, MaxPool2D) {
  LayerHarness h(std::make_unique<MaxPool2D>("pool1", Shape{2, 6, 4}, 2, 2));
  h.check(randomMatrix(2, 48, 17), kTrain);
}

TEST(GradientCheck, MaxPool2DOverlapping) {
  LayerHarness h(std::make_unique<MaxPool2D>("pool1", Shape{2, 5, 5}, 3, 2));
  EXPECT_EQ(h.layer->outputShape(), (Shape{2, 2, 2}));
  h.check(randomMatrix(2, 50, 18), kTrain);
}

TEST(GradientCheck, BatchNormTrainFlat) {
  LayerHarness h(std::make_unique<BatchNorm>("bn1", Shape{4, 1, 1}, 0.1, 1e-5));
  h.check(randomMatrix(6, 4, 19, 2.0), kTrain);
}

TEST(GradientCheck, BatchNormTrainConv) {
  LayerHarness h(std::make_unique<BatchNorm>("bn1", Shape{3, 2, 3}, 0.1, 1e-5));
  h.check(randomMatrix(3, 18, 20, 2.0), kTrain);
}

TEST(GradientCheck, BatchNormEvalConv) {
  LayerHarness h(std::make_unique<BatchNorm>("bn1", Shape{3, 2, 2}, 0.1, 1e-5));
  const int rm = h.layout->indexOf("bn1.running_mean");
  const int rv = h.layout->indexOf("bn1.running_var");
  h.params.vector(rm) << 0.3, -0.2, 0.1;
  h.params.vector(rv) << 1.5, 0.5, 2.0;
  h.check(randomMatrix(2, 12, 21), kEval);
}

TEST(GradientCheck, DropoutFixedMask) {
  LayerHarness h(std::make_unique<Dropout>("drop1", Shape{10, 1, 1}, 0.4));
  const Matrix x = randomMatrix(4, 10, 22);
  Matrix out;
  h.layer->forward(h.params, x, out, *h.state, kTrain);
  const int zeros = static_cast<int>((out.array() == 0).count());
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, 40);
  h.check(x, kTrain);
}

TEST(GradientCheck, Flatten) {
  LayerHarness h(std::make_unique<Flatten>("flatten1", Shape{2, 2, 3}));
  EXPECT_EQ(h.layer->outputShape(), (Shape{12, 1, 1}));
  h.check(randomMatrix(2, 12, 23), kTrain);
}

class ActivationGradient : public ::testing::TestWithParam<ActivationKind> {};

TEST_P(ActivationGradient, MatchesFiniteDifferences) {
  LayerHarness h(std::make_unique<Activation>("act1", Shape{7, 1, 1}, GetParam(), 0.05));
  h.check(randomMatrix(5, 7, 24, 2.0), kTrain);
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationGradient,
                         ::testing::Values(ActivationKind::Identity, ActivationKind::ReLU, ActivationKind::LeakyReLU,
                                           ActivationKind::Tanh, ActivationKind::Sigmoid, ActivationKind::GELU),
                         [](const ::testing::TestParamInfo<ActivationKind>& info) {
                           return std::string(activationKindName(info.param));
                         });

void checkLoss(const Loss& loss, Matrix out, const Matrix& target) {
  const Scalar scale = 0.25;
  Matrix dOut;
  loss.compute(out, target, &dOut, scale);
  ASSERT_EQ(dOut.rows(), out.rows());
  ASSERT_EQ(dOut.cols(), out.cols());
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    const double numeric =
        centralDifference(out.data()[i], [&] { return scale * loss.compute(out, target, nullptr, 1).sum; });
    ASSERT_LT(relativeError(dOut.data()[i], numeric), kTolerance)
        << loss.name() << " element " << i << ": analytic " << dOut.data()[i] << " numeric " << numeric;
  }
  EXPECT_GT(dOut.norm(), 1e-3);
}

TEST(GradientCheck, SoftmaxCrossEntropy) {
  Matrix labels(4, 1);
  labels << 0, 2, 1, 2;
  checkLoss(SoftmaxCrossEntropy(), randomMatrix(4, 3, 25, 3.0), labels);
}

TEST(GradientCheck, SoftmaxCrossEntropyLargeLogits) {
  // Without the max subtracted, exp(800) overflows even in double.
  Matrix logits = randomMatrix(3, 4, 26);
  logits.array() += 800.0;
  Matrix labels(3, 1);
  labels << 3, 0, 1;
  checkLoss(SoftmaxCrossEntropy(), logits, labels);
  EXPECT_TRUE(std::isfinite(SoftmaxCrossEntropy().compute(logits, labels, nullptr, 1).sum));
}

TEST(GradientCheck, MeanSquaredError) {
  checkLoss(MeanSquaredError(), randomMatrix(4, 3, 27), randomMatrix(4, 3, 28));
}

ModelSpec smallCnnSpec() {
  ModelSpec spec;
  auto add = [&](std::string type, auto&& configure) {
    LayerSpec l;
    l.type = std::move(type);
    configure(l);
    spec.layers.push_back(l);
  };
  auto none = [](LayerSpec&) {};
  add("conv2d", [](LayerSpec& l) { l.filters = 3; l.kernel = 3; l.padding = 1; });
  add("batchnorm", none);
  add("leaky_relu", none);
  add("conv2d", [](LayerSpec& l) { l.filters = 2; l.kernel = 2; l.stride = 2; });
  add("tanh", none);
  add("maxpool2d", [](LayerSpec& l) { l.kernel = 2; l.stride = 1; });
  add("flatten", none);
  add("dense", [](LayerSpec& l) { l.units = 5; });
  add("batchnorm", none);
  add("gelu", none);
  add("dropout", [](LayerSpec& l) { l.rate = 0.3; });
  add("dense", [](LayerSpec& l) { l.units = 4; });
  add("sigmoid", none);
  add("dense", [](LayerSpec& l) { l.units = 3; });
  spec.loss = "cross_entropy";
  return spec;
}

// Whole network, layers chained by hand so that the input gradient is checked as well.
TEST(GradientCheck, WholeNetworkInputAndParameters) {
  const Network net(smallCnnSpec(), Shape{2, 6, 6});
  ParameterStore params = net.initialParameters(5);
  ParameterStore grads(net.layout());
  Matrix x = randomMatrix(4, 72, 29);
  Matrix labels(4, 1);
  labels << 0, 1, 2, 1;
  const auto& layers = net.layers();
  const Scalar scale = 1.0 / 4;

  auto run = [&](bool backward, Matrix* dX) {
    std::vector<std::unique_ptr<LayerState>> states;
    std::vector<Matrix> acts(layers.size()), dActs(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
      states.push_back(layers[i]->makeState());
      const ForwardContext context{true, 1234 + i};
      layers[i]->forward(params, i == 0 ? x : acts[i - 1], acts[i], *states[i], context);
    }
    const LossSum loss = net.loss().compute(acts.back(), labels, backward ? &dActs.back() : nullptr, scale);
    if (backward) {
      for (std::size_t i = layers.size(); i-- > 0;) {
        Matrix* dIn = i > 0 ? &dActs[i - 1] : dX;
        layers[i]->backward(params, i == 0 ? x : acts[i - 1], acts[i], dActs[i], dIn, grads, *states[i]);
      }
    }
    return loss.sum * scale;
  };

  Matrix dX;
  run(true, &dX);
  ASSERT_EQ(dX.rows(), x.rows());
  ASSERT_EQ(dX.cols(), x.cols());
  EXPECT_GT(dX.norm(), 1e-4);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double numeric = centralDifference(x.data()[i], [&] { return run(false, nullptr); });
    ASSERT_LT(relativeError(dX.data()[i], numeric), kTolerance) << "input " << i;
  }
  const ParameterLayout& layout = *net.layout();
  for (int t = 0; t < layout.count(); ++t) {
    if (!layout.tensor(t).trainable()) continue;
    VectorMap p = params.vector(t);
    const ConstVectorMap g = std::as_const(grads).vector(t);
    // A bias feeding a BatchNorm has an exactly zero gradient (the mean is subtracted again);
    // every other tensor must get a real one.
    const bool feedsBatchNorm = layout.tensor(t).name == "conv1.bias" || layout.tensor(t).name == "dense1.bias";
    if (feedsBatchNorm)
      EXPECT_LT(g.norm(), 1e-12) << layout.tensor(t).name;
    else
      EXPECT_GT(g.norm(), 1e-6) << layout.tensor(t).name;
    for (Eigen::Index i = 0; i < p.size(); ++i) {
      const double numeric = centralDifference(p[i], [&] { return run(false, nullptr); });
      ASSERT_LT(relativeError(g[i], numeric), kTolerance) << layout.tensor(t).name << "[" << i << "]";
    }
  }
}

// Through ShardedBackprop: shard sums + 1/batch scaling must give the gradient of the mean loss
// that computeGradients reports (ghost BatchNorm per shard, dropout seeded by step).
void checkShardedGradients(const ModelSpec& spec, Shape input, int batch, int shards, const Matrix& y) {
  const Network net(spec, input);
  ShardedBackprop backprop(net, batch, shards);
  ParameterStore params = net.initialParameters(9);
  ParameterStore grads(net.layout());
  const Matrix x = randomMatrix(batch, input.size(), 30);
  const std::uint64_t stepSeed = 77;
  ParameterStore scratch = params;
  ParameterStore scratchGrads(net.layout());
  backprop.computeGradients(scratch, x, y, grads, stepSeed);
  const ParameterLayout& layout = *net.layout();
  for (int t = 0; t < layout.count(); ++t) {
    if (!layout.tensor(t).trainable()) continue;
    const ConstVectorMap g = std::as_const(grads).vector(t);
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      const double numeric = centralDifference(params.vector(t)[i], [&] {
        scratch = params;
        return backprop.computeGradients(scratch, x, y, scratchGrads, stepSeed).loss;
      });
      ASSERT_LT(relativeError(g[i], numeric), kTolerance) << layout.tensor(t).name << "[" << i << "]";
    }
  }
}

TEST(GradientCheck, ShardedBackpropCrossEntropy) {
  Matrix y(7, 1);
  y << 0, 1, 2, 1, 0, 2, 2;
  checkShardedGradients(smallCnnSpec(), Shape{2, 6, 6}, 7, 3, y);
}

TEST(GradientCheck, ShardedBackpropMse) {
  ModelSpec spec;
  LayerSpec d1;
  d1.type = "dense";
  d1.units = 6;
  LayerSpec bn;
  bn.type = "batchnorm";
  LayerSpec act;
  act.type = "tanh";
  LayerSpec d2;
  d2.type = "dense";
  d2.units = 2;
  spec.layers = {d1, bn, act, d2};
  spec.loss = "mse";
  checkShardedGradients(spec, Shape{3, 1, 1}, 9, 4, randomMatrix(9, 2, 31));
}

}  // namespace
}  // namespace larslab::nn
