#pragma once
// How the charts print numbers: values in the hover read-out and marker positions on the x axis.
// Plain Qt (no Qt Charts), unit-testable.

#include <QString>

namespace larslab::ui {

// A measured value (loss, norm, ratio): 4 significant digits.
QString formatValue(double v);

// A position on the x axis: whole steps as integers, fractional epochs with 4 significant digits.
QString formatX(double x);

}  // namespace larslab::ui
