#include "text/format.h"

#include <charconv>
#include <cmath>

namespace larslab::text {

namespace {

// std::to_chars without a precision gives the shortest round-tripping representation. {fmt}
// would too, but switches to exponents at other magnitudes (1e15 vs 1000000000000000), which
// would change the bytes of every file written so far.
template <typename T>
std::string shortest(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::string formatNumber(double value) { return shortest(value); }
std::string formatFloat(float value) { return shortest(value); }

std::string pyFloat(double value) {
  if (std::isnan(value)) return "math.nan";
  if (std::isinf(value)) return value > 0 ? "math.inf" : "-math.inf";
  std::string text = formatNumber(value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

}  // namespace larslab::text
