#include "text/format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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

std::string formatShort(double value) {
  if (value == 0.0) return "0";
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  // The exponent after rounding to 4 digits decides the notation (9999.7 prints as 1e4).
  std::snprintf(buffer, sizeof buffer, "%.3e", value);
  const std::string scientific(buffer);
  const std::size_t e = scientific.find('e');
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  if (exponent >= -3 && exponent < 4) {
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
  }
  std::string mantissa = scientific.substr(0, e);
  while (mantissa.back() == '0') mantissa.pop_back();
  if (mantissa.back() == '.') mantissa.pop_back();
  return mantissa + "e" + std::to_string(exponent);
}

std::string pyFloat(double value) {
  if (std::isnan(value)) return "math.nan";
  if (std::isinf(value)) return value > 0 ? "math.inf" : "-math.inf";
  std::string text = formatNumber(value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

}  // namespace larslab::text
