#pragma once
// Small text helpers shared by the experiment reader, the exports and the CLI.

#include <string>
#include <vector>

#include "text/format.h"

namespace larslab::engine {

using text::formatFloat;
using text::formatNumber;

// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
// (distance <= max(1, size/3)); empty otherwise.
std::string nearestName(const std::string& name, const std::vector<std::string>& candidates);
// " (did you mean <nearest>?)" when nearestName finds one, "" otherwise: the hint every
// "unknown ..." message of a file reader appends.
std::string didYouMean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace larslab::engine
