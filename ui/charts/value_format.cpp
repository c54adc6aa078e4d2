#include "ui/charts/value_format.h"

#include <QtGlobal>
#include <cmath>

namespace larslab::ui {

QString formatValue(double v) { return QString::number(v, 'g', 4); }

QString formatX(double x) {
  if (std::abs(x) < 1e15 && std::abs(x - std::round(x)) < 1e-9) {
    return QString::number(static_cast<qint64>(std::llround(x)));
  }
  return QString::number(x, 'g', 4);
}

}  // namespace larslab::ui
