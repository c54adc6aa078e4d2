#pragma once
// Portable random numbers. std::*_distribution differ between standard libraries, so every
// transform from raw bits to a number is written out here: the same seed gives the same
// initial weights and dropout masks with any compiler, library and thread count.

#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

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

// Counter-based: the i-th number of the stream `seed`, independent of evaluation order.
constexpr std::uint64_t counterBits(std::uint64_t seed, std::uint64_t i) {
  return mix64(seed + (i + 1) * kGolden64);
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

// Standard normal numbers by Box-Muller from a std::mt19937_64 (whose output sequence, unlike
// the distributions, is fixed by the C++ standard).
class NormalSampler {
 public:
  explicit NormalSampler(std::uint64_t seed) : engine_(seed) {}
  double next() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - unitDouble(engine_());  // (0, 1]: log stays finite
    const double u2 = unitDouble(engine_());
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * 3.14159265358979323846 * u2;
    spare_ = r * std::sin(theta);
    hasSpare_ = true;
    return r * std::cos(theta);
  }
  double uniform() { return unitDouble(engine_()); }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool hasSpare_ = false;
};

}  // namespace larslab::nn
