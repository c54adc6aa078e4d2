#include "ui/charts/chart_style.h"

#include <QtCharts/QAbstractAxis>
#include <algorithm>
#include <cmath>

namespace larslab::ui::detail {

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QColor readableOn(const QColor& c, const QPalette& pal) {
  const QColor base = pal.color(QPalette::Base);
  if (std::abs(c.lightness() - base.lightness()) >= 90) return c;
  return mix(c, pal.color(QPalette::Text), 0.5);
}

void styleAxis(QAbstractAxis* axis, const QPalette& pal, const QFont& widgetFont) {
  const QColor base = pal.color(QPalette::Base);
  const QColor text = pal.color(QPalette::Text);
  axis->setLabelsBrush(mix(text, base, 0.2));
  axis->setLabelsFont(labelFont(widgetFont));
  axis->setTitleBrush(text);
  axis->setTitleFont(scaledFont(widgetFont, 0.9));
  axis->setLinePen(QPen(mix(text, base, 0.55), 1.0));
  axis->setGridLinePen(QPen(mix(text, base, 0.87), 1.0));
  axis->setMinorGridLinePen(QPen(mix(text, base, 0.94), 1.0));
  axis->setShadesVisible(false);
}

}  // namespace larslab::ui::detail
