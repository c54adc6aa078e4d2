#include "data/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "data/dataset_facts.h"
#include "data/split.h"
#include "nn/random.h"

namespace larslab::data {
namespace {

constexpr double kPi = std::numbers::pi;

// Samples of class c when `samples` are shared as evenly as possible by `classes` classes.
int classCount(int samples, int classes, int c) {
  return samples / classes + (c < samples % classes ? 1 : 0);
}

struct Point {
  double x1;
  double x2;
};

// Clean point i (of n) of class c for a classification kind; random draws come from rng.
Point cleanPoint(const std::string& kind, int c, int i, int n, nn::Rng& rng) {
  if (kind == "spirals") {
    // The half-step offset keeps the two spirals from starting on the same point.
    const double r = (i + 0.5) / n;
    const double t = 1.75 * r * 2.0 * kPi + c * kPi;
    return {r * std::sin(t), r * std::cos(t)};
  }
  if (kind == "circles") {
    const double r = c == 1 ? rng.uniform(0.0, 0.5) : rng.uniform(0.7, 1.0);
    const double angle = rng.uniform(0.0, 2.0 * kPi);
    return {r * std::sin(angle), r * std::cos(angle)};
  }
  if (kind == "xor") {
    constexpr double kPadding = 0.06;  // keeps points off the axes, as Playground does
    const double a = rng.uniform(kPadding, 1.0);
    const double b = rng.uniform(kPadding, 1.0);
    // Alternate between the two quadrants of the class so both are equally filled.
    const bool firstQuadrant = i % 2 == 0;
    if (c == 1) return firstQuadrant ? Point{a, b} : Point{-a, -b};
    return firstQuadrant ? Point{-a, b} : Point{a, -b};
  }
  if (kind == "gaussians") {
    constexpr double kSpread = 0.25;
    const double centre = c == 1 ? 0.5 : -0.5;
    const double dx = kSpread * rng.normal();
    const double dy = kSpread * rng.normal();
    return {centre + dx, centre + dy};
  }
  // moons: make_moons places each moon on evenly spaced angles (np.linspace(0, pi, n)).
  const double t = n > 1 ? kPi * i / (n - 1) : 0.0;
  if (c == 0) return {std::cos(t) - 0.5, std::sin(t) - 0.25};
  return {1.0 - std::cos(t) - 0.5, 1.0 - std::sin(t) - 0.5 - 0.25};
}

std::vector<std::string> classNamesFor(const std::string& kind) {
  if (kind == "circles") return {"outer ring", "inner disc"};
  if (kind == "xor") return {"opposite signs", "same sign"};
  if (kind == "gaussians") return {"blob (-,-)", "blob (+,+)"};
  if (kind == "moons") return {"upper moon", "lower moon"};
  return {"spiral 0", "spiral 1"};
}

Dataset generate(const SyntheticSpec& spec) {
  Dataset all;
  all.name = spec.kind;
  all.inputShape = nn::Shape{1, 1, 2};
  all.features.resize(spec.samples, 2);
  all.targets.resize(spec.samples, 1);
  nn::Rng rng(nn::mixSeed(spec.seed, 0));

  if (isSyntheticRegression(spec.kind)) {
    const bool sine = spec.kind == "regression_sine";
    for (int i = 0; i < spec.samples; ++i) {
      const double x1 = rng.uniform(-1.0, 1.0);
      const double x2 = rng.uniform(-1.0, 1.0);
      const double y = sine ? std::sin(kPi * x1) * std::cos(kPi * x2) : x1 * x1 - x2 * x2;
      all.features(i, 0) = static_cast<nn::Scalar>(x1);
      all.features(i, 1) = static_cast<nn::Scalar>(x2);
      all.targets(i, 0) = static_cast<nn::Scalar>(y + spec.noise * rng.normal());
    }
    return all;
  }

  all.numClasses = 2;
  all.classNames = classNamesFor(spec.kind);
  int row = 0;
  for (int c = 0; c < all.numClasses; ++c) {
    const int n = classCount(spec.samples, all.numClasses, c);
    for (int i = 0; i < n; ++i, ++row) {
      const Point p = cleanPoint(spec.kind, c, i, n, rng);
      const double dx = spec.noise * rng.normal();
      const double dy = spec.noise * rng.normal();
      all.features(row, 0) = static_cast<nn::Scalar>(p.x1 + dx);
      all.features(row, 1) = static_cast<nn::Scalar>(p.x2 + dy);
      all.targets(row, 0) = static_cast<nn::Scalar>(c);
    }
  }
  return all;
}

}  // namespace

const std::vector<std::string>& syntheticKinds() {
  static const std::vector<std::string> kinds{"spirals", "circles",         "xor",
                                              "gaussians", "moons",         "regression_sine",
                                              "regression_saddle"};
  return kinds;
}

DatasetSplit makeSynthetic(const SyntheticSpec& spec) {
  const auto& kinds = syntheticKinds();
  if (std::find(kinds.begin(), kinds.end(), spec.kind) == kinds.end()) {
    std::string valid;
    for (const auto& k : kinds) valid += (valid.empty() ? "" : ", ") + k;
    throw std::invalid_argument("synthetic dataset: unknown kind '" + spec.kind +
                                "', expected one of: " + valid);
  }
  if (spec.samples < 4) {
    throw std::invalid_argument("synthetic dataset '" + spec.kind + "': samples must be >= 4, got " +
                                std::to_string(spec.samples));
  }
  if (!(spec.testFraction > 0.0 && spec.testFraction < 1.0)) {
    throw std::invalid_argument("synthetic dataset '" + spec.kind +
                                "': testFraction must be in (0, 1), got " +
                                std::to_string(spec.testFraction));
  }
  if (!(spec.noise >= 0.0 && std::isfinite(spec.noise))) {
    throw std::invalid_argument("synthetic dataset '" + spec.kind +
                                "': noise must be a finite value >= 0, got " +
                                std::to_string(spec.noise));
  }
  // A different stream for the split, so that the split does not shift the generated points.
  return splitDataset(generate(spec), spec.testFraction, nn::mixSeed(spec.seed, 1));
}

}  // namespace larslab::data
