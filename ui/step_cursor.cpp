#include "step_cursor.h"

#include <algorithm>
#include <cmath>

namespace larslab::ui {

long StepCursor::shown(long latest) const {
  if (latest < 0) return -1;
  return isLive() ? latest : std::min(step_, latest);
}

bool StepCursor::scrubTo(long step, long latest) {
  if (latest < 0) return false;
  const long k = std::clamp(step, 0L, latest);
  if (k == step_) return false;
  step_ = k;
  return true;
}

bool StepCursor::moveBy(long delta, long latest) {
  if (latest < 0) return false;
  if (isLive() && delta >= 0) return false;  // live is already the latest step
  return scrubTo(shown(latest) + delta, latest);
}

bool StepCursor::moveByFraction(double fraction, long latest) {
  if (latest < 0 || !std::isfinite(fraction) || fraction == 0.0) return false;
  const double steps = std::round(fraction * static_cast<double>(latest + 1));
  const long delta = static_cast<long>(std::clamp(steps, -static_cast<double>(latest + 1), static_cast<double>(latest + 1)));
  return moveBy(delta != 0 ? delta : (fraction > 0 ? 1 : -1), latest);
}

bool StepCursor::goLive() {
  if (isLive()) return false;
  step_ = -1;
  return true;
}

}  // namespace larslab::ui
