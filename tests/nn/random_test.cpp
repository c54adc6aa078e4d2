#include "nn/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace larslab::nn {
namespace {

TEST(Random, Uniform01UsesTopBitsOfMt19937_64) {
  // The standard fixes mt19937_64's 10000th output for the default seed.
  Rng rng(std::mt19937_64::default_seed);
  double last = 0.0;
  for (int i = 0; i < 10000; ++i) last = rng.uniform01();
  EXPECT_EQ(last, static_cast<double>(9981545732273789042ULL >> 11) * 0x1.0p-53);
}

TEST(Random, NormalHasUnitMomentsAndUniformStaysInRange) {
  Rng rng(42);
  constexpr int kCount = 200000;
  double sum = 0.0;
  double squares = 0.0;
  for (int i = 0; i < kCount; ++i) {
    const double v = rng.normal();
    ASSERT_TRUE(std::isfinite(v));
    sum += v;
    squares += v * v;
  }
  const double mean = sum / kCount;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(squares / kCount - mean * mean, 1.0, 0.02);
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform(-2.0, 3.0);
    ASSERT_GE(u, -2.0);
    ASSERT_LT(u, 3.0);
  }
}

TEST(Random, ShuffleIsASeededPermutationCoveringAllPositions) {
  std::vector<int> a(50);
  std::iota(a.begin(), a.end(), 0);
  std::vector<int> b = a;
  std::vector<int> c = a;
  Rng(7).shuffle(a);
  Rng(7).shuffle(b);
  Rng(8).shuffle(c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);

  // Every value reaches every slot: first slot over many seeds.
  std::vector<int> hits(5, 0);
  for (std::uint64_t seed = 0; seed < 5000; ++seed) {
    std::vector<int> v{0, 1, 2, 3, 4};
    Rng(seed).shuffle(v);
    ++hits[static_cast<std::size_t>(v[0])];
  }
  for (int h : hits) EXPECT_NEAR(h, 1000, 150);
}

TEST(Random, MixSeedSeparatesNeighbouringSeeds) {
  EXPECT_NE(mixSeed(1, 0), mixSeed(2, 0));
  EXPECT_NE(mixSeed(1, 0), mixSeed(1, 1));
  EXPECT_EQ(mixSeed(123, 4), mixSeed(123, 4));
}

}  // namespace
}  // namespace larslab::nn
