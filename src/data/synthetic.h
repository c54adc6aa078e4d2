#pragma once
// Seeded two-feature toy problems in the style of TensorFlow Playground and scikit-learn.
//
// Classification kinds (2 classes, targets hold the class index):
//   spirals    two interleaved spirals, 1.75 turns each, radius 0..1 (Playground's "spiral")
//   circles    class 1: disc of radius 0.5; class 0: ring 0.7..1 around it (Playground's "circle")
//   xor        points in the four quadrants, |x| in [0.06, 1]; class 1 where x1*x2 > 0
//   gaussians  two isotropic blobs (std 0.25) centred at (-0.5,-0.5) and (0.5,0.5)
//   moons      scikit-learn's make_moons, shifted by (-0.5, -0.25) to centre it on 0
// Regression kinds (inputs uniform in [-1,1]^2, one target column):
//   regression_sine    y = sin(pi*x1) * cos(pi*x2)
//   regression_saddle  y = x1^2 - x2^2
//
// noise is a standard deviation in the units of the data: classification kinds add
// N(0, noise^2) to each input coordinate after the class is fixed (so noise = 0 puts every
// point exactly on its generating shape); regression kinds add N(0, noise^2) to the target.
// Classes are balanced (counts differ by at most one) and the train/test split is stratified.
// Everything is a function of the spec alone, on every platform.

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace larslab::data {

struct SyntheticSpec {
  std::string kind = "spirals";
  int samples = 2000;         // train + test
  double noise = 0.1;         // standard deviation, see above
  double testFraction = 0.2;  // in (0, 1)
  std::uint64_t seed = 1;
};

// Throws std::invalid_argument naming the field for an unknown kind (the message lists the
// valid ones), samples < 4, testFraction outside (0, 1) or negative/non-finite noise.
[[nodiscard]] DatasetSplit makeSynthetic(const SyntheticSpec& spec);

// Every valid SyntheticSpec::kind, classification kinds first.
[[nodiscard]] const std::vector<std::string>& syntheticKinds();

}  // namespace larslab::data
