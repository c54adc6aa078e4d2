#pragma once
// Seeded train/test split shared by every loader.

#include <cstdint>

#include "data/dataset.h"

namespace larslab::data {

// Splits `all` into train and test, each in a random order fixed by `seed`. A classification
// set is stratified: every class with at least two samples puts round(n_c * testFraction)
// of them, but at least one and never all, into the test set, so class proportions carry
// over. Throws std::invalid_argument when testFraction is outside (0, 1) or either part
// would be empty.
[[nodiscard]] DatasetSplit splitDataset(const Dataset& all, double testFraction, std::uint64_t seed);

}  // namespace larslab::data
