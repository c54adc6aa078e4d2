// The layer registry: one entry per layer type, read by the experiment file, the network
// builder, the model editor and the exporter.

#include <gtest/gtest.h>

#include <set>

#include "nn/layer_registry.h"
#include "nn/network.h"

namespace larslab::nn {
namespace {

TEST(LayerRegistry, NamesPrefixesAndFieldsAreUniqueAndConsistent) {
  std::set<std::string> types, prefixes;
  for (const LayerType& t : layerTypes()) {
    EXPECT_TRUE(types.insert(t.type).second) << t.type;
    EXPECT_TRUE(prefixes.insert(t.namePrefix).second) << t.type << " prefix " << t.namePrefix;
    EXPECT_NE(std::string(t.help), "") << t.type;
    EXPECT_NE(t.build, nullptr) << t.type;
    std::set<std::string> keys;
    for (const LayerField& f : t.fields) {
      EXPECT_TRUE(keys.insert(f.key).second) << t.type << "." << f.key;
      EXPECT_NE(std::string(f.help), "") << t.type << "." << f.key;
      EXPECT_EQ(f.kind == LayerField::Kind::Init, std::string(f.key) == "init") << t.type << "." << f.key;
      if (f.kind == LayerField::Kind::Int) {
        EXPECT_NE(f.intValue, nullptr) << t.type << "." << f.key;
      }
      if (f.kind == LayerField::Kind::Real) {
        EXPECT_NE(f.realValue, nullptr) << t.type << "." << f.key;
      }
    }
    // Only layers with weights take an initialiser.
    EXPECT_EQ(t.field("init") != nullptr, t.hasWeights()) << t.type;
    if (t.sizeField) {
      ASSERT_NE(t.field(t.sizeField), nullptr) << t.type;
      EXPECT_EQ(t.field(t.sizeField)->kind, LayerField::Kind::Int) << t.type;
    }
    EXPECT_EQ(findLayerType(t.type), &t);
  }
  EXPECT_EQ(findLayerType("dens"), nullptr);
  EXPECT_EQ(layerTypeList(),
            "dense, conv2d, maxpool2d, batchnorm, flatten, dropout, relu, leaky_relu, tanh, sigmoid, gelu, identity");
}

TEST(LayerRegistry, EveryTypeAsTheEditorAddsItBuildsAndValidates) {
  for (const LayerType& t : layerTypes()) {
    const LayerSpec spec = newLayerSpec(t);
    EXPECT_TRUE(checkLayerFields(t, spec).empty()) << t.type;
    // Windowed layers need an image; everything else takes the image or a vector.
    const Shape input = t.type == std::string("conv2d") || t.type == std::string("maxpool2d") ? Shape{2, 6, 6}
                                                                                                : Shape{5, 1, 1};
    const auto layer = t.build(spec, std::string(t.namePrefix) + "1", input, InitSpec{}, "model.layers[0]");
    ASSERT_NE(layer, nullptr) << t.type;
    EXPECT_EQ(layer->type(), t.type);
  }
}

TEST(LayerRegistry, RangeMessagesNameTheBrokenSide) {
  const LayerType& dense = *findLayerType("dense");
  LayerSpec spec = newLayerSpec(dense);
  EXPECT_EQ(spec.units, 32);
  spec.units = 0;
  EXPECT_EQ(dense.field("units")->problem(spec), "must be > 0, got 0");
  spec.units = 2'000'000;
  EXPECT_EQ(dense.field("units")->problem(spec), "must be <= 1000000, got 2000000");
  const LayerType& dropout = *findLayerType("dropout");
  LayerSpec drop = newLayerSpec(dropout);
  drop.rate = 1;
  EXPECT_EQ(dropout.field("rate")->problem(drop), "must be in [0, 1), got 1");
  const LayerType& bn = *findLayerType("batchnorm");
  LayerSpec norm = newLayerSpec(bn);
  norm.eps = 0;
  EXPECT_EQ(bn.field("eps")->problem(norm), "must be in (0, 1], got 0");
  spec = newLayerSpec(dense);
  spec.init = "uniformish";
  EXPECT_EQ(dense.field("init")->problem(spec),
            "unknown initialiser 'uniformish'; expected auto, he, glorot, xavier, zeros or constant");
  spec.init = "glorot";
  spec.initValue = std::numeric_limits<double>::infinity();
  EXPECT_EQ(dense.field("init_value")->problem(spec), "") << "init_value means nothing unless init is constant";
  spec.init = "constant";
  EXPECT_EQ(dense.field("init_value")->problem(spec), "must be finite, got inf");
}

TEST(LayerRegistry, AutoInitLooksPastNormalisationDropoutPoolingAndFlatten) {
  auto model = [](std::vector<std::string> types) {
    ModelSpec m;
    for (const auto& t : types) m.layers.push_back(newLayerSpec(*findLayerType(t)));
    return m;
  };
  EXPECT_EQ(resolveInit(model({"dense", "relu"}), 0).kind, InitKind::He);
  EXPECT_EQ(resolveInit(model({"conv2d", "batchnorm", "maxpool2d", "dropout", "flatten", "gelu"}), 0).kind,
            InitKind::He);
  EXPECT_EQ(resolveInit(model({"dense", "tanh"}), 0).kind, InitKind::Glorot);
  EXPECT_EQ(resolveInit(model({"dense", "dense", "relu"}), 0).kind, InitKind::Glorot) << "stops at the next layer";
  EXPECT_EQ(resolveInit(model({"dense"}), 0).kind, InitKind::Glorot);
  ModelSpec explicitInit = model({"dense", "relu"});
  explicitInit.layers[0].init = "xavier";
  EXPECT_EQ(resolveInit(explicitInit, 0).kind, InitKind::Glorot);
}

TEST(LayerRegistry, EqualityCoversEveryRegisteredField) {
  for (const LayerType& t : layerTypes())
    for (const LayerField& f : t.fields) {
      const LayerSpec a = newLayerSpec(t);
      LayerSpec b = a;
      if (f.kind == LayerField::Kind::Init)
        b.init = "zeros";
      else
        f.setNumber(b, f.number(a) + 1);
      EXPECT_FALSE(a == b) << t.type << "." << f.key;
    }
}

}  // namespace
}  // namespace larslab::nn
