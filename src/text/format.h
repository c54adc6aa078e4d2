#pragma once
// Numbers as text, one way for the whole engine: error messages, events, CSV files and the
// exported script all print a value so that it reads back as the same number.

#include <string>

namespace larslab::text {

// Shortest text that reads back as the same double ("0.001", "1e-08", "nan", "inf").
std::string formatNumber(double value);
// Shortest text that reads back as the same float.
std::string formatFloat(float value);
// A number as people read it: at most 4 significant digits, plain between 0.001 and 9999,
// otherwise compact scientific ("1e-8", "2.5e-4", "1.235e5"); "0", "nan", "inf". Display only:
// the hyperparameter controls and the formula panel show numbers this way.
std::string formatShort(double value);
// A Python float literal that reads back as the same double ("1e-08", "0.9", "2.0", "math.inf").
std::string pyFloat(double value);

}  // namespace larslab::text
