// Real learning with plain SGD (w -= lr * g, written inline: no optimizer library involved).

#include <gtest/gtest.h>

#include <string>

#include "data/batcher.h"
#include "data/fashion_mnist.h"
#include "data/synthetic.h"
#include "nn/backprop.h"

namespace larslab::nn {
namespace {

LayerSpec make(std::string type, int units = 0) {
  LayerSpec l;
  l.type = std::move(type);
  l.units = units;
  return l;
}

// Trains for `steps` minibatches; returns nothing, the caller evaluates.
void trainSgd(const Network& net, ParameterStore& params, const data::Dataset& train, int batch, int steps, double lr,
              std::uint64_t seed) {
  ShardedBackprop backprop(net, batch);
  ParameterStore grads(net.layout());
  data::Batcher batcher(train, batch, seed);
  Matrix x, y;
  for (int step = 0; step < steps; ++step) {
    batcher.next(x, y);
    backprop.computeGradients(params, x, y, grads, seed + static_cast<std::uint64_t>(step));
    params.flat().noalias() -= static_cast<Scalar>(lr) * grads.flat();
  }
}

TEST(Learning, SgdFitsTwoSpirals) {
  data::SyntheticSpec spec;
  spec.kind = "spirals";
  spec.samples = 1000;
  spec.noise = 0.05;
  spec.testFraction = 0.2;
  spec.seed = 3;
  const data::DatasetSplit split = data::makeSynthetic(spec);

  ModelSpec model;
  model.layers = {make("dense", 64), make("relu"), make("dense", 64), make("relu"), make("dense", 2)};
  const Network net(model, split.train.inputShape);
  ParameterStore params = net.initialParameters(1);
  const BatchResult before = ShardedBackprop::evaluate(net, params, split.train.features, split.train.targets);
  trainSgd(net, params, split.train, 32, 8000, 0.1, 5);
  const BatchResult after = ShardedBackprop::evaluate(net, params, split.train.features, split.train.targets);
  RecordProperty("train_accuracy", std::to_string(after.accuracy()));
  EXPECT_LT(before.accuracy(), 0.7);
  EXPECT_GT(after.accuracy(), 0.95);
  EXPECT_LT(after.loss, before.loss);
}

TEST(Learning, OneEpochOfFashionMnistAbove80Percent) {
  // dataset-fashion-mnist is a required package (.ci/debian-packages.txt): fail, don't skip.
  const data::DatasetSplit split = data::loadFashionMnist();
  ASSERT_EQ(split.train.size(), 60000);

  ModelSpec model;
  model.layers = {make("dense", 128), make("relu"), make("dense", 10)};
  const Network net(model, split.train.inputShape);
  ParameterStore params = net.initialParameters(1);
  const int batch = 64;
  trainSgd(net, params, split.train, batch, split.train.size() / batch, 0.1, 9);
  const BatchResult test = ShardedBackprop::evaluate(net, params, split.test.features, split.test.targets);
  RecordProperty("test_accuracy", std::to_string(test.accuracy()));
  EXPECT_EQ(test.count, 10000);
  EXPECT_GT(test.accuracy(), 0.80);
}

}  // namespace
}  // namespace larslab::nn
