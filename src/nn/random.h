#pragma once
// Portable random numbers. std::*_distribution differ between standard libraries, so every
// transform from raw bits to a number is written out here: the same seed gives the same
// initial weights and dropout masks with any compiler, library and thread count.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace larslab::nn {

// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t kGolden64 = 0x9E3779B97F4A7C15ULL;

// Independent stream seeds from a parent seed and a tag (shard, layer, tensor, ...).
constexpr std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t tag) {
  return mix64(mix64(seed + kGolden64) ^ (tag * kGolden64 + 0x632BE59BD9B4E019ULL));
}

// An independent 64-bit value for (seed, stream): turns related seeds (seed, seed+1, ...) into
// unrelated ones. Also a counter-based generator: mixSeed(seed, i) is the i-th number of the
// stream `seed`, independent of evaluation order (dropout masks use this).
constexpr std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream) {
  return mix64(seed + (stream + 1) * kGolden64);
}

// FNV-1a, so that a tensor's seed can follow its name rather than its position.
constexpr std::uint64_t hashName(std::string_view name) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// Uniform in [0, 1) from the top 53 bits.
inline double unitDouble(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }
// Uniform in [0, 1) from the top 24 bits (exact in float).
inline float unitFloat(std::uint64_t bits) { return static_cast<float>(bits >> 40) * 0x1.0p-24f; }

// Seeded uniform, normal, integer and shuffle draws built on std::mt19937_64, whose output
// sequence (unlike the std distributions) is fixed by the C++ standard.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return unitDouble(engine_()); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

  // Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform01();  // (0, 1]: log stays finite
    const double u2 = uniform01();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(theta);
    hasSpare_ = true;
    return r * std::cos(theta);
  }

  // Uniform integer in [0, n), unbiased (rejection of the incomplete top range).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
  }

  // Fisher-Yates shuffle of the whole vector.
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(values[i - 1], values[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool hasSpare_ = false;
};

}  // namespace larslab::nn
