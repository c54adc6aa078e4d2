#include "ui/charts/font_scale.h"

#include <algorithm>
#include <cmath>

namespace larslab::ui {

QFont scaledFont(const QFont& base, double factor, bool bold) {
  QFont f = base;
  if (f.pointSizeF() > 0) {
    f.setPointSizeF(f.pointSizeF() * factor);
  } else if (f.pixelSize() > 0) {
    f.setPixelSize(std::max(1, static_cast<int>(std::lround(f.pixelSize() * factor))));
  }
  f.setBold(bold);
  return f;
}

}  // namespace larslab::ui
