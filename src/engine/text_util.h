#pragma once
// Small text helpers shared by the experiment reader, the exports and the CLI.

#include <string>
#include <vector>

namespace larslab::engine {

// Shortest text that reads back as the same double ("0.001", "1e-08", "nan", "inf").
std::string formatNumber(double value);
// Shortest text that reads back as the same float.
std::string formatFloat(float value);
// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
// (distance <= max(1, size/3)); empty otherwise.
std::string nearestName(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace larslab::engine
