#include "data/synthetic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "test_util.h"

namespace larslab::data {
namespace {

using test::expectThrowMentioning;

bool isRegression(const std::string& kind) { return kind.rfind("regression_", 0) == 0; }

SyntheticSpec specFor(const std::string& kind, double noise = 0.1, std::uint64_t seed = 1) {
  SyntheticSpec spec;
  spec.kind = kind;
  spec.samples = 1000;
  spec.noise = noise;
  spec.testFraction = 0.2;
  spec.seed = seed;
  return spec;
}

bool sameData(const DatasetSplit& a, const DatasetSplit& b) {
  return a.train.features == b.train.features && a.train.targets == b.train.targets &&
         a.test.features == b.test.features && a.test.targets == b.test.targets;
}

class SyntheticKind : public ::testing::TestWithParam<std::string> {};

TEST_P(SyntheticKind, ShapesAndTargets) {
  const std::string kind = GetParam();
  const DatasetSplit split = makeSynthetic(specFor(kind));
  EXPECT_EQ(split.train.size() + split.test.size(), 1000);
  EXPECT_EQ(split.test.size(), 200);
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(d->name, kind);
    EXPECT_EQ(d->features.cols(), 2);
    EXPECT_EQ(d->targets.cols(), 1);
    EXPECT_EQ(d->inputShape.size(), 2);
    EXPECT_TRUE(d->features.allFinite());
    EXPECT_TRUE(d->targets.allFinite());
    // Roughly unit scale: nothing far outside [-1.5, 1.5] plus a few noise std-devs.
    const auto [lo, hi] = test::minMax(d->features);
    EXPECT_GT(lo, -2.5F);
    EXPECT_LT(hi, 2.5F);
    if (isRegression(kind)) {
      EXPECT_FALSE(d->isClassification());
      EXPECT_TRUE(d->classNames.empty());
    } else {
      EXPECT_EQ(d->numClasses, 2);
      ASSERT_EQ(d->classNames.size(), 2U);
    }
  }
}

TEST_P(SyntheticKind, DeterministicForASeedAndSeedMatters) {
  const std::string kind = GetParam();
  const DatasetSplit a = makeSynthetic(specFor(kind, 0.1, 5));
  const DatasetSplit b = makeSynthetic(specFor(kind, 0.1, 5));
  const DatasetSplit c = makeSynthetic(specFor(kind, 0.1, 6));
  EXPECT_TRUE(sameData(a, b));
  EXPECT_FALSE(sameData(a, c));
  const DatasetSplit clean1 = makeSynthetic(specFor(kind, 0.0, 5));
  const DatasetSplit clean2 = makeSynthetic(specFor(kind, 0.0, 5));
  EXPECT_TRUE(sameData(clean1, clean2));
}

// noise is a standard deviation: with the same seed, the noisy set is the clean set plus
// N(0, noise^2) on the inputs (classification) or on the target (regression).
TEST_P(SyntheticKind, NoiseIsAStandardDeviation) {
  const std::string kind = GetParam();
  constexpr double kNoise = 0.2;
  SyntheticSpec cleanSpec = specFor(kind, 0.0, 9);
  cleanSpec.samples = 4000;
  SyntheticSpec noisySpec = cleanSpec;
  noisySpec.noise = kNoise;
  const DatasetSplit clean = makeSynthetic(cleanSpec);
  const DatasetSplit noisy = makeSynthetic(noisySpec);
  const nn::Matrix diff = isRegression(kind) ? nn::Matrix(noisy.train.targets - clean.train.targets)
                                             : nn::Matrix(noisy.train.features - clean.train.features);
  if (isRegression(kind)) {
    EXPECT_EQ(noisy.train.features, clean.train.features);
  } else {
    EXPECT_EQ(noisy.train.targets, clean.train.targets);
  }
  const double mean = diff.cast<double>().mean();
  const double stddev = std::sqrt(diff.cast<double>().array().square().mean() - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(stddev, kNoise, 0.1 * kNoise);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, SyntheticKind, ::testing::ValuesIn(syntheticKinds()),
                         [](const auto& info) { return info.param; });

class ClassificationKind : public ::testing::TestWithParam<std::string> {};

TEST_P(ClassificationKind, ClassesBalancedInBothSplits) {
  const std::string kind = GetParam();
  SyntheticSpec spec = specFor(kind);
  spec.samples = 1001;  // odd: the classes may differ by exactly one
  const DatasetSplit split = makeSynthetic(spec);
  for (const Dataset* d : {&split.train, &split.test}) {
    int ones = 0;
    for (Eigen::Index i = 0; i < d->targets.rows(); ++i) {
      const float t = d->targets(i, 0);
      ASSERT_TRUE(t == 0.0F || t == 1.0F) << "target " << t;
      ones += t == 1.0F ? 1 : 0;
    }
    EXPECT_LE(std::abs(2 * ones - d->size()), 2) << kind << ": " << ones << " of " << d->size();
  }
}

INSTANTIATE_TEST_SUITE_P(Classification, ClassificationKind,
                         ::testing::Values("spirals", "circles", "xor", "gaussians", "moons"),
                         [](const auto& info) { return info.param; });

TEST(Synthetic, KindListIsComplete) {
  const std::vector<std::string> expected{"spirals", "circles", "xor", "gaussians", "moons",
                                          "regression_sine", "regression_saddle"};
  EXPECT_EQ(syntheticKinds(), expected);
}

// With noise = 0 every point lies exactly on its generating shape.
TEST(Synthetic, CleanGeometry) {
  const auto eachPoint = [](const std::string& kind, const auto& check) {
    const DatasetSplit split = makeSynthetic(specFor(kind, 0.0, 3));
    for (const Dataset* d : {&split.train, &split.test}) {
      for (Eigen::Index i = 0; i < d->features.rows(); ++i) {
        check(static_cast<double>(d->features(i, 0)), static_cast<double>(d->features(i, 1)),
              static_cast<double>(d->targets(i, 0)));
      }
    }
  };
  eachPoint("moons", [](double x, double y, double c) {
    // Upper moon: unit circle centred at (-0.5, -0.25), y >= -0.25; lower: centred (0.5, 0.25).
    const double cx = c == 0.0 ? -0.5 : 0.5;
    const double cy = c == 0.0 ? -0.25 : 0.25;
    EXPECT_NEAR(std::hypot(x - cx, y - cy), 1.0, 1e-5);
    if (c == 0.0) {
      EXPECT_GE(y, -0.25 - 1e-6);
    } else {
      EXPECT_LE(y, 0.25 + 1e-6);
    }
  });
  eachPoint("circles", [](double x, double y, double c) {
    const double r = std::hypot(x, y);
    if (c == 1.0) {
      EXPECT_LE(r, 0.5 + 1e-6);
    } else {
      EXPECT_GE(r, 0.7 - 1e-6);
      EXPECT_LE(r, 1.0 + 1e-6);
    }
  });
  eachPoint("xor", [](double x, double y, double c) {
    EXPECT_EQ(x * y > 0.0, c == 1.0);
    EXPECT_GE(std::abs(x), 0.06 - 1e-6);
    EXPECT_GE(std::abs(y), 0.06 - 1e-6);
    EXPECT_LE(std::max(std::abs(x), std::abs(y)), 1.0 + 1e-6);
  });
  eachPoint("spirals", [](double x, double y, double c) {
    // Point at radius r sits at angle t = 3.5*pi*r (+pi for class 1), measured from the x2 axis.
    const double r = std::hypot(x, y);
    ASSERT_LE(r, 1.0 + 1e-6);
    const double t = 1.75 * r * 2.0 * std::numbers::pi + c * std::numbers::pi;
    EXPECT_NEAR(x, r * std::sin(t), 1e-5);
    EXPECT_NEAR(y, r * std::cos(t), 1e-5);
  });
  eachPoint("regression_sine", [](double x, double y, double t) {
    EXPECT_NEAR(t, std::sin(std::numbers::pi * x) * std::cos(std::numbers::pi * y), 1e-5);
  });
  eachPoint("regression_saddle", [](double x, double y, double t) { EXPECT_NEAR(t, x * x - y * y, 1e-5); });
}

TEST(Synthetic, GaussianBlobsAreCentredOnTheirClass) {
  const DatasetSplit split = makeSynthetic(specFor("gaussians", 0.0, 4));
  double sum[2][2] = {{0, 0}, {0, 0}};
  int count[2] = {0, 0};
  for (Eigen::Index i = 0; i < split.train.size(); ++i) {
    const int c = static_cast<int>(split.train.targets(i, 0));
    sum[c][0] += split.train.features(i, 0);
    sum[c][1] += split.train.features(i, 1);
    ++count[c];
  }
  EXPECT_NEAR(sum[0][0] / count[0], -0.5, 0.05);
  EXPECT_NEAR(sum[0][1] / count[0], -0.5, 0.05);
  EXPECT_NEAR(sum[1][0] / count[1], 0.5, 0.05);
  EXPECT_NEAR(sum[1][1] / count[1], 0.5, 0.05);
}

TEST(Synthetic, RejectsBadSpecs) {
  SyntheticSpec spec;
  spec.kind = "swirls";
  expectThrowMentioning<std::invalid_argument>([&] { (void)makeSynthetic(spec); },
                                               {"swirls", "spirals", "moons", "regression_saddle"});
  spec = SyntheticSpec{};
  spec.samples = 3;
  expectThrowMentioning<std::invalid_argument>([&] { (void)makeSynthetic(spec); }, {"samples", ">= 4", "3"});
  spec.samples = 4;
  EXPECT_NO_THROW((void)makeSynthetic(spec));
  for (double fraction : {0.0, 1.0, -0.1, std::nan("")}) {
    spec = SyntheticSpec{};
    spec.testFraction = fraction;
    expectThrowMentioning<std::invalid_argument>([&] { (void)makeSynthetic(spec); }, {"testFraction"});
  }
  for (double noise : {-0.01, std::nan(""), HUGE_VAL}) {
    spec = SyntheticSpec{};
    spec.noise = noise;
    expectThrowMentioning<std::invalid_argument>([&] { (void)makeSynthetic(spec); }, {"noise"});
  }
}

TEST(Synthetic, SmallestSetSplitsIntoBothParts) {
  SyntheticSpec spec;
  spec.samples = 4;
  spec.testFraction = 0.01;
  const DatasetSplit split = makeSynthetic(spec);
  EXPECT_EQ(split.test.size(), 2);  // one per class: a test set must not be empty
  EXPECT_EQ(split.train.size(), 2);
}

}  // namespace
}  // namespace larslab::data
