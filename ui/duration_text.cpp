#include "duration_text.h"

#include <QObject>
#include <algorithm>
#include <cmath>

namespace larslab::ui {

QString durationText(double seconds) {
  const long s = std::max(0L, std::lround(seconds));
  if (s < 60) return QObject::tr("%1 s").arg(s);
  if (s < 600) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);  // seconds still matter
  if (s < 5400) return QObject::tr("%1 min").arg(std::lround(static_cast<double>(s) / 60.0));
  return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

}  // namespace larslab::ui
