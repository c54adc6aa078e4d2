// Forward values of the layers against independent references and hand-computed numbers.

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "nn/layers.h"
#include "nn/random.h"
#include "random_matrix.h"

namespace larslab::nn {
namespace {

using test::randomMatrix;

struct Built {
  std::shared_ptr<ParameterLayout> layout = std::make_shared<ParameterLayout>();
  ParameterStore params;
};

Built build(Layer& layer, std::uint64_t seed) {
  Built b;
  layer.registerTensors(*b.layout);
  b.params = ParameterStore(b.layout);
  layer.initialize(b.params, seed);
  return b;
}

Matrix forward(const Layer& layer, const ParameterStore& params, const Matrix& x, bool training = false,
               std::uint64_t seed = 0) {
  Matrix out;
  auto state = layer.makeState();
  layer.forward(params, x, out, *state, ForwardContext{training, seed});
  return out;
}

// Direct convolution from the definition, in double.
Matrix naiveConv(const Matrix& x, const ParameterStore& p, int weight, int bias, Shape in, int filters, int k, int s,
                 int pad) {
  const int oh = (in.height + 2 * pad - k) / s + 1, ow = (in.width + 2 * pad - k) / s + 1;
  Matrix out(x.rows(), filters * oh * ow);
  const ConstVectorMap w = p.vector(weight);
  const ConstVectorMap b = p.vector(bias);
  for (Eigen::Index n = 0; n < x.rows(); ++n)
    for (int f = 0; f < filters; ++f)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double acc = b[f];
          for (int c = 0; c < in.channels; ++c)
            for (int ki = 0; ki < k; ++ki)
              for (int kj = 0; kj < k; ++kj) {
                const int iy = oy * s - pad + ki, ix = ox * s - pad + kj;
                if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
                acc += static_cast<double>(w[((f * in.channels + c) * k + ki) * k + kj]) *
                       x(n, (c * in.height + iy) * in.width + ix);
              }
          out(n, (f * oh + oy) * ow + ox) = static_cast<Scalar>(acc);
        }
  return out;
}

struct ConvCase {
  Shape in;
  int filters, kernel, stride, padding;
};

class ConvReference : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvReference, MatchesDirectConvolution) {
  const ConvCase c = GetParam();
  Conv2D conv("conv1", c.in, c.filters, c.kernel, c.stride, c.padding, InitSpec{InitKind::He});
  Built b = build(conv, 3);
  b.params.vector(conv.tensorIndices()[1]) = randomMatrix(c.filters, 1, 4).col(0);  // non-zero bias
  const Matrix x = randomMatrix(3, c.in.size(), 5);
  const Matrix out = forward(conv, b.params, x);
  const Matrix expected =
      naiveConv(x, b.params, conv.tensorIndices()[0], conv.tensorIndices()[1], c.in, c.filters, c.kernel, c.stride, c.padding);
  ASSERT_EQ(out.rows(), expected.rows());
  ASSERT_EQ(out.cols(), expected.cols());
  ASSERT_EQ(out.cols(), conv.outputShape().size());
  EXPECT_LT((out - expected).cwiseAbs().maxCoeff(), 1e-4f * (1 + expected.cwiseAbs().maxCoeff()));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvReference,
                         ::testing::Values(ConvCase{{1, 8, 8}, 4, 3, 1, 0}, ConvCase{{3, 7, 9}, 5, 3, 1, 1},
                                           ConvCase{{2, 9, 9}, 3, 3, 2, 1}, ConvCase{{2, 10, 7}, 4, 5, 2, 2},
                                           ConvCase{{3, 6, 6}, 2, 1, 1, 0}, ConvCase{{1, 11, 11}, 2, 4, 3, 0},
                                           ConvCase{{2, 4, 4}, 3, 3, 1, 2}, ConvCase{{3, 9, 7}, 4, 5, 1, 2},
                                           ConvCase{{1, 2, 3}, 2, 5, 1, 2}));

TEST(Conv2D, OutputShapeFollowsPyTorch) {
  EXPECT_EQ(Conv2D::outputShapeFor({1, 28, 28}, 8, 3, 1, 1), (Shape{8, 28, 28}));
  EXPECT_EQ(Conv2D::outputShapeFor({8, 14, 14}, 16, 3, 2, 0), (Shape{16, 6, 6}));
  EXPECT_EQ(Conv2D::outputShapeFor({3, 32, 32}, 6, 5, 1, 0), (Shape{6, 28, 28}));
}

TEST(MaxPool2D, KnownValuesAndFloorOutputSize) {
  MaxPool2D pool("pool1", Shape{1, 5, 5}, 2, 2);
  EXPECT_EQ(pool.outputShape(), (Shape{1, 2, 2}));  // floor((5 - 2) / 2) + 1
  Built b = build(pool, 0);
  Matrix x(1, 25);
  for (int i = 0; i < 25; ++i) x(0, i) = static_cast<Scalar>((i * 7) % 11);
  // rows of the 5x5 image: 0 7 3 10 6 / 2 9 5 1 8 / 4 0 7 3 10 / 6 2 9 5 1 / 8 4 0 7 3
  const Matrix out = forward(pool, b.params, x);
  EXPECT_EQ(out(0, 0), 9);
  EXPECT_EQ(out(0, 1), 10);
  EXPECT_EQ(out(0, 2), 6);
  EXPECT_EQ(out(0, 3), 9);
}

TEST(BatchNorm, TrainModeNormalisesPerChannelOverRowsAndPixels) {
  BatchNorm bn("bn1", Shape{2, 2, 2}, 0.1, 1e-5);
  Built b = build(bn, 0);
  Matrix x = randomMatrix(5, 8, 6);
  x.array() = x.array() * 3 + 2;
  const Matrix out = forward(bn, b.params, x, true);
  for (int c = 0; c < 2; ++c) {
    const Matrix block = out.middleCols(c * 4, 4);
    EXPECT_NEAR(block.mean(), 0.0, 1e-5);
    EXPECT_NEAR((block.array().square()).mean(), 1.0, 1e-3);  // biased variance, eps small
  }
}

TEST(BatchNorm, EvalUsesRunningStatistics) {
  BatchNorm bn("bn1", Shape{3, 1, 1}, 0.1, 1e-3);
  Built b = build(bn, 0);
  const ParameterLayout& layout = *b.layout;
  b.params.vector(layout.indexOf("bn1.gamma")) << 2, 1, 0.5;
  b.params.vector(layout.indexOf("bn1.beta")) << 0, 1, -1;
  b.params.vector(layout.indexOf("bn1.running_mean")) << 1, -2, 0.5;
  b.params.vector(layout.indexOf("bn1.running_var")) << 4, 0.25, 9;
  Matrix x(2, 3);
  x << 3, -2, 0.5, 1, 0, 6.5;
  const Matrix out = forward(bn, b.params, x, false);
  const double eps = 1e-3;
  EXPECT_NEAR(out(0, 0), 2 * (3 - 1) / std::sqrt(4 + eps), 1e-5);
  EXPECT_NEAR(out(0, 1), 1.0, 1e-5);
  EXPECT_NEAR(out(0, 2), -1.0, 1e-5);
  EXPECT_NEAR(out(1, 0), 0.0, 1e-5);
  EXPECT_NEAR(out(1, 1), 1 + 2 / std::sqrt(0.25 + eps), 1e-4);
  EXPECT_NEAR(out(1, 2), -1 + 0.5 * 6 / std::sqrt(9 + eps), 1e-5);
  // One row alone gives the same result: eval mode does not look at the batch.
  const Matrix single = forward(bn, b.params, x.topRows(1), false);
  EXPECT_EQ(single.row(0), out.row(0));
}

TEST(BatchNorm, InitialValues) {
  BatchNorm bn("bn1", Shape{4, 3, 3}, 0.1, 1e-5);
  Built b = build(bn, 0);
  const ParameterLayout& layout = *b.layout;
  ASSERT_EQ(layout.count(), 4);
  EXPECT_EQ(layout.tensor(0).name, "bn1.gamma");
  EXPECT_EQ(layout.tensor(0).kind, TensorKind::Norm);
  EXPECT_EQ(layout.tensor(1).kind, TensorKind::Norm);
  EXPECT_EQ(layout.tensor(2).name, "bn1.running_mean");
  EXPECT_EQ(layout.tensor(2).kind, TensorKind::Statistic);
  EXPECT_EQ(layout.tensor(3).kind, TensorKind::Statistic);
  EXPECT_EQ(layout.tensor(0).shape, std::vector<int>{4});
  EXPECT_TRUE(b.params.vector(0).isOnes());
  EXPECT_TRUE(b.params.vector(1).isZero());
  EXPECT_TRUE(b.params.vector(2).isZero());
  EXPECT_TRUE(b.params.vector(3).isOnes());
}

TEST(Dropout, InvertedScalingAndSeededMask) {
  Dropout drop("drop1", Shape{1000, 1, 1}, 0.3);
  Built b = build(drop, 0);
  const Matrix x = Matrix::Ones(20, 1000);
  const Matrix a = forward(drop, b.params, x, true, 11);
  const Matrix again = forward(drop, b.params, x, true, 11);
  const Matrix other = forward(drop, b.params, x, true, 12);
  EXPECT_EQ(a, again);
  EXPECT_NE(a, other);
  const double zeroFraction = static_cast<double>((a.array() == 0).count()) / a.size();
  EXPECT_NEAR(zeroFraction, 0.3, 0.01);  // 20,000 draws: 3 sigma is 0.01
  const Scalar keep = static_cast<Scalar>(1 / 0.7);
  EXPECT_TRUE(((a.array() == 0) || (a.array() == keep)).all());
  EXPECT_NEAR(a.mean(), 1.0, 0.03);
  EXPECT_EQ(forward(drop, b.params, x, false), x);  // eval: identity
}

TEST(Activation, KnownValues) {
  Built none;
  Matrix x(1, 4);
  x << -2, -0.5, 0, 1.5;
  auto run = [&](ActivationKind kind, double slope = 0.01) {
    Activation act("a", Shape{4, 1, 1}, kind, slope);
    return forward(act, none.params, x);
  };
  Matrix expected(1, 4);
  expected << 0, 0, 0, 1.5;
  EXPECT_EQ(run(ActivationKind::ReLU), expected);
  expected << -0.2, -0.05, 0, 1.5;
  EXPECT_TRUE(run(ActivationKind::LeakyReLU, 0.1).isApprox(expected));
  expected << std::tanh(-2.0), std::tanh(-0.5), 0, std::tanh(1.5);
  EXPECT_TRUE(run(ActivationKind::Tanh).isApprox(expected, 1e-6f));
  expected << 0.11920292, 0.37754067, 0.5, 0.81757448;
  EXPECT_TRUE(run(ActivationKind::Sigmoid).isApprox(expected, 1e-6f));
  // torch.nn.functional.gelu (exact erf form)
  expected << -0.045500264, -0.154268769, 0, 1.399789198;
  EXPECT_TRUE(run(ActivationKind::GELU).isApprox(expected, 1e-6f));
  EXPECT_EQ(run(ActivationKind::Identity), x);
}

TEST(Activation, SigmoidSaturatesWithoutNaN) {
  Built none;
  Activation act("a", Shape{2, 1, 1}, ActivationKind::Sigmoid);
  Matrix x(1, 2);
  x << -1000, 1000;
  const Matrix out = forward(act, none.params, x);
  EXPECT_EQ(out(0, 0), 0);
  EXPECT_EQ(out(0, 1), 1);
}

TEST(Dense, ForwardIsInTimesWTransposePlusBias) {
  Dense dense("dense1", Shape{3, 1, 1}, 2, InitSpec{InitKind::Zeros});
  Built b = build(dense, 0);
  EXPECT_EQ(b.layout->tensor(0).name, "dense1.weight");
  EXPECT_EQ(b.layout->tensor(0).shape, (std::vector<int>{2, 3}));
  EXPECT_EQ(b.layout->tensor(1).name, "dense1.bias");
  EXPECT_EQ(b.layout->tensor(1).kind, TensorKind::Bias);
  b.params.matrix(0) << 1, 2, 3, -1, 0, 1;  // PyTorch layout (out, in)
  b.params.vector(1) << 0.5, -0.5;
  Matrix x(2, 3);
  x << 1, 1, 1, 2, 0, -1;
  Matrix expected(2, 2);
  expected << 6.5, -0.5, -0.5, -3.5;
  EXPECT_EQ(forward(dense, b.params, x), expected);
}

}  // namespace
}  // namespace larslab::nn
