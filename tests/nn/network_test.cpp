// Network construction from a ModelSpec, its errors, initialisers and losses.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/init.h"
#include "nn/loss.h"
#include "nn/network.h"

namespace larslab::nn {
namespace {

LayerSpec layer(std::string type) {
  LayerSpec l;
  l.type = std::move(type);
  return l;
}
LayerSpec dense(int units) {
  LayerSpec l = layer("dense");
  l.units = units;
  return l;
}
LayerSpec conv(int filters, int kernel, int stride = 0, int padding = 0) {
  LayerSpec l = layer("conv2d");
  l.filters = filters;
  l.kernel = kernel;
  l.stride = stride;
  l.padding = padding;
  return l;
}
LayerSpec pool(int kernel, int stride = 0) {
  LayerSpec l = layer("maxpool2d");
  l.kernel = kernel;
  l.stride = stride;
  return l;
}

ModelSpec spec(std::vector<LayerSpec> layers, std::string loss = "cross_entropy") {
  ModelSpec s;
  s.layers = std::move(layers);
  s.loss = std::move(loss);
  return s;
}

// The exception message of building `s`, or "" if it builds.
std::string errorOf(const ModelSpec& s, Shape input) {
  try {
    Network net(s, input);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Network, AutomaticNamesTensorsAndShapes) {
  const Network net(spec({conv(4, 3, 1, 1), layer("batchnorm"), layer("relu"), pool(2), layer("dropout"), layer("flatten"),
                          dense(8), layer("batchnorm"), layer("gelu"), dense(3)}),
                    Shape{1, 6, 6});
  std::vector<std::string> names;
  for (const auto& l : net.layers()) names.push_back(l->name());
  EXPECT_EQ(names, (std::vector<std::string>{"conv1", "bn1", "relu1", "pool1", "drop1", "flatten1", "dense1", "bn2",
                                             "gelu1", "dense2"}));
  EXPECT_EQ(net.layers()[3]->outputShape(), (Shape{4, 3, 3}));  // maxpool stride defaults to the kernel
  EXPECT_EQ(net.layers()[5]->outputShape(), (Shape{36, 1, 1}));
  EXPECT_EQ(net.outputShape(), (Shape{3, 1, 1}));

  const ParameterLayout& layout = *net.layout();
  std::vector<std::string> tensors;
  for (const auto& t : layout.tensors()) tensors.push_back(t.name + ":" + tensorKindName(t.kind));
  EXPECT_EQ(tensors, (std::vector<std::string>{
                         "conv1.weight:weight", "conv1.bias:bias", "bn1.gamma:norm", "bn1.beta:norm",
                         "bn1.running_mean:statistic", "bn1.running_var:statistic", "dense1.weight:weight",
                         "dense1.bias:bias", "bn2.gamma:norm", "bn2.beta:norm", "bn2.running_mean:statistic",
                         "bn2.running_var:statistic", "dense2.weight:weight", "dense2.bias:bias"}));
  EXPECT_EQ(layout.tensor(0).shape, (std::vector<int>{4, 1, 3, 3}));
  EXPECT_EQ(layout.tensor(6).shape, (std::vector<int>{8, 36}));
  EXPECT_EQ(layout.tensor(12).shape, (std::vector<int>{3, 8}));
  EXPECT_EQ(layout.totalSize(), 36u + 4 + 4 * 4 + 288 + 8 + 8 * 4 + 24 + 3);
}

TEST(Network, CustomNamesAndFlatInputShapes) {
  LayerSpec named = dense(4);
  named.name = "hidden";
  const Network net(spec({named, layer("relu"), dense(2)}), Shape{1, 1, 2});
  EXPECT_EQ(net.layers()[0]->name(), "hidden");
  EXPECT_EQ(net.layers()[2]->name(), "dense2");  // the counter still counts the named layer
  EXPECT_GE(net.layout()->indexOf("hidden.weight"), 0);
  EXPECT_EQ(net.inputShape(), (Shape{1, 1, 2}));
}

TEST(Network, ErrorsNameTheField) {
  const Shape flat{4, 1, 1};
  const Shape image{1, 5, 5};
  EXPECT_EQ(errorOf(spec({dense(4), layer("relu"), layer("tanh"), dense(0)}), flat),
            "model.layers[3].units: must be > 0, got 0");
  EXPECT_EQ(errorOf(spec({layer("dens")}), flat),
            "model.layers[0].type: unknown layer type 'dens'; expected one of dense, conv2d, maxpool2d, batchnorm, "
            "flatten, dropout, relu, leaky_relu, tanh, sigmoid, gelu, identity");
  EXPECT_EQ(errorOf(spec({dense(3), conv(2, 3)}), flat),
            "model.layers[1].type: conv2d needs an image input (channels, height, width); its input is a flat vector "
            "of 3 features");
  EXPECT_EQ(errorOf(spec({conv(2, 7), layer("flatten"), dense(2)}), image),
            "model.layers[0].kernel: kernel 7 is larger than the input 5x5");
  EXPECT_EQ(errorOf(spec({conv(2, 8, 1, 1), layer("flatten"), dense(2)}), image),
            "model.layers[0].kernel: kernel 8 is larger than the input 5x5 plus padding 1");
  EXPECT_EQ(errorOf(spec({conv(2, 3), pool(4), layer("flatten"), dense(2)}), image),
            "model.layers[1].kernel: kernel 4 is larger than the input 3x3");
  EXPECT_EQ(errorOf(spec({conv(0, 3)}), image), "model.layers[0].filters: must be > 0, got 0");
  EXPECT_EQ(errorOf(spec({conv(2, 3, -1)}), image), "model.layers[0].stride: must be >= 0, got -1");
  EXPECT_EQ(errorOf(spec({conv(2, 3, 1, -2)}), image), "model.layers[0].padding: must be >= 0, got -2");
  LayerSpec drop = layer("dropout");
  drop.rate = 1.0;
  EXPECT_EQ(errorOf(spec({dense(3), drop, dense(2)}), flat), "model.layers[1].rate: must be in [0, 1), got 1");
  LayerSpec bn = layer("batchnorm");
  bn.momentum = 1.5;
  EXPECT_EQ(errorOf(spec({dense(3), bn, dense(2)}), flat), "model.layers[1].momentum: must be in [0, 1], got 1.5");
  LayerSpec badInit = dense(3);
  badInit.init = "uniformish";
  EXPECT_EQ(errorOf(spec({badInit, dense(2)}), flat),
            "model.layers[0].init: unknown initialiser 'uniformish'; expected auto, he, glorot, xavier, zeros or "
            "constant");
  LayerSpec dup = dense(3);
  dup.name = "dense2";
  EXPECT_EQ(errorOf(spec({dup, dense(2)}), flat),
            "model.layers[1].name: duplicate layer name 'dense2' (also model.layers[0])");
  LayerSpec dotted = dense(3);
  dotted.name = "a.b";
  EXPECT_EQ(errorOf(spec({dotted, dense(2)}), flat),
            "model.layers[0].name: 'a.b' may only contain letters, digits, '_' and '-'");
  EXPECT_EQ(errorOf(spec({dense(2)}, "hinge"), flat), "model.loss: unknown loss 'hinge'; expected cross_entropy or mse");
  EXPECT_EQ(errorOf(spec({dense(1)}), flat),
            "model.loss: cross_entropy needs at least 2 outputs (one per class); the last layer gives 1");
  EXPECT_EQ(errorOf(spec({}), flat), "model.layers: must contain at least one layer");
  EXPECT_EQ(errorOf(spec({dense(1)}, "mse"), flat), "");
  EXPECT_EQ(errorOf(spec({dense(2)}), Shape{0, 1, 1}), "input shape: every dimension must be > 0, got 0x1x1");
}

double sampleStd(const ConstVectorMap& v) {
  const double mean = v.cast<double>().mean();
  return std::sqrt((v.cast<double>().array() - mean).square().sum() / (v.size() - 1));
}

TEST(Init, AutoPicksHeBeforeReluAndGlorotOtherwise) {
  const Network net(spec({dense(400), layer("batchnorm"), layer("relu"), dense(300), layer("tanh"), dense(10)}),
                    Shape{500, 1, 1});
  const ParameterStore p = net.initialParameters(1);
  const ParameterLayout& layout = *net.layout();
  const ConstVectorMap w1 = p.vector(layout.indexOf("dense1.weight"));
  EXPECT_NEAR(sampleStd(w1), std::sqrt(2.0 / 500), 0.01 * std::sqrt(2.0 / 500));  // He, 200k samples
  EXPECT_NEAR(w1.cast<double>().mean(), 0.0, 6e-4);
  const ConstVectorMap w2 = p.vector(layout.indexOf("dense2.weight"));
  const double limit = std::sqrt(6.0 / (400 + 300));  // Glorot uniform
  EXPECT_LE(w2.cwiseAbs().maxCoeff(), limit);
  EXPECT_GT(w2.cwiseAbs().maxCoeff(), 0.99 * limit);
  EXPECT_NEAR(sampleStd(w2), limit / std::sqrt(3.0), 0.01 * limit);
  EXPECT_TRUE(p.vector(layout.indexOf("dense1.bias")).isZero());
  EXPECT_TRUE(p.vector(layout.indexOf("bn1.gamma")).isOnes());
  EXPECT_TRUE(p.vector(layout.indexOf("bn1.running_var")).isOnes());
}

TEST(Init, ConvFanInAndExplicitKinds) {
  LayerSpec c = conv(64, 3);
  c.init = "he";
  LayerSpec zeros = dense(5);
  zeros.init = "zeros";
  LayerSpec constant = dense(3);
  constant.init = "constant";
  constant.initValue = 0.25;
  const Network net(spec({c, layer("flatten"), zeros, constant}), Shape{16, 10, 10});
  const ParameterStore p = net.initialParameters(2);
  EXPECT_NEAR(sampleStd(p.vector(0)), std::sqrt(2.0 / (16 * 9)), 0.03 * std::sqrt(2.0 / (16 * 9)));
  EXPECT_TRUE(p.vector(net.layout()->indexOf("dense1.weight")).isZero());
  EXPECT_TRUE((p.vector(net.layout()->indexOf("dense2.weight")).array() == 0.25f).all());
}

TEST(Init, SeededAndStableWhenLayersAreAdded) {
  const Network a(spec({dense(8), layer("relu"), dense(3)}), Shape{4, 1, 1});
  const Network b(spec({dense(8), layer("batchnorm"), layer("relu"), layer("dropout"), dense(3)}), Shape{4, 1, 1});
  const ParameterStore pa = a.initialParameters(42);
  EXPECT_EQ(pa.flat(), a.initialParameters(42).flat());
  EXPECT_NE(pa.flat(), a.initialParameters(43).flat());
  const ParameterStore pb = b.initialParameters(42);
  for (const char* name : {"dense1.weight", "dense2.weight"})
    EXPECT_EQ(pa.vector(a.layout()->indexOf(name)), pb.vector(b.layout()->indexOf(name))) << name;
}

TEST(Init, PortableValues) {
  // Pinned values: the transforms are our own, so these must not change with the standard library.
  std::vector<Scalar> v(4);
  initializeTensor(VectorMap(v.data(), 4), InitSpec{InitKind::Glorot}, 2, 2, 123);
  std::vector<Scalar> again(4);
  initializeTensor(VectorMap(again.data(), 4), InitSpec{InitKind::Glorot}, 2, 2, 123);
  EXPECT_EQ(v, again);
  // Uniform: exact arithmetic on the mt19937_64 bits, so exact on every platform.
  EXPECT_EQ(v, (std::vector<Scalar>{-0.457564235f, 0.137120277f, 1.0735749f, 0.578868568f}));
  initializeTensor(VectorMap(v.data(), 4), InitSpec{InitKind::He}, 2, 2, 123);
  // Normal: Box-Muller goes through log/cos, which libm may round differently in the last bit.
  const std::vector<double> he{-0.8137784, -0.298646152, -0.202586114, -2.35147166};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(v[i], he[i], 1e-6) << i;
  EXPECT_THROW(parseInitKind("auto"), std::invalid_argument);
  EXPECT_EQ(parseInitKind("xavier"), InitKind::Glorot);
}

TEST(Loss, CrossEntropyValuesAndAccuracy) {
  const SoftmaxCrossEntropy ce;
  Matrix logits(3, 3);
  logits << 1, 2, 3,  //
      0, 0, 0,        //
      5, 1, -1;
  Matrix labels(3, 1);
  labels << 2, 1, 1;
  Matrix grad;
  const LossSum sum = ce.compute(logits, labels, &grad, 1.0f / 3);
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3;
  const double l1 = std::log(3.0);
  const double l2 = std::log(std::exp(5.0) + std::exp(1.0) + std::exp(-1.0)) - 1;
  EXPECT_NEAR(sum.sum, l0 + l1 + l2, 1e-5);
  EXPECT_EQ(sum.correct, 1);  // row 0 only; row 1 ties go to index 0
  EXPECT_NEAR(grad(1, 1), (1.0 / 3 - 1) / 3, 1e-6);
  EXPECT_NEAR(grad.sum(), 0.0, 1e-6);  // softmax - onehot sums to 0 per row

  Matrix bad(3, 1);
  bad << 2, 3, 0;
  EXPECT_THROW(ce.compute(logits, bad, nullptr, 1), std::invalid_argument);
  bad << 2, 0.5, 0;
  EXPECT_THROW(ce.compute(logits, bad, nullptr, 1), std::invalid_argument);
  bad << 2, -1, 0;
  EXPECT_THROW(ce.compute(logits, bad, nullptr, 1), std::invalid_argument);
}

TEST(Loss, MseIsMeanOverSamplesAndOutputs) {
  const MeanSquaredError mse;
  Matrix out(2, 2), target(2, 2);
  out << 1, 2, 3, 4;
  target << 0, 0, 3, 6;
  Matrix grad;
  const LossSum sum = mse.compute(out, target, &grad, 0.5f);
  // torch.nn.MSELoss()(out, target) = (1 + 4 + 0 + 4) / 4 = 2.25; per-sample sum = 2 * 2.25.
  EXPECT_NEAR(sum.sum / 2, 2.25, 1e-6);
  EXPECT_EQ(sum.correct, 0);
  Matrix expected(2, 2);
  expected << 0.5, 1, 0, -1;  // 2 (out - target) / (N K)
  EXPECT_TRUE(grad.isApprox(expected));
  EXPECT_EQ(makeLoss("mse")->targetColumns(7), 7);
  EXPECT_EQ(makeLoss("cross_entropy")->targetColumns(7), 1);
  EXPECT_EQ(makeLoss("hinge"), nullptr);
}

}  // namespace
}  // namespace larslab::nn
