#pragma once
// Internal to larslab_charts: how a MetricChart looks. Colours derived from the widget palette
// (so light and dark themes both read), fonts scaled from the widget font, the axis pens, and the
// stacking order of the items drawn over the plot. `widgetFont` below is the chart's font with its
// presentation scale applied (MetricChart::setFontScale).

#include <QColor>
#include <QFont>
#include <QPalette>

#include "ui/charts/font_scale.h"

QT_BEGIN_NAMESPACE
class QAbstractAxis;
QT_END_NAMESPACE

namespace larslab::ui::detail {

constexpr double kZMarkers = 40.0;  // above the series, below the hover read-out
constexpr double kZReference = 45.0;
constexpr double kZCursor = 47.0;  // the step cursor, above the markers and the reference line
constexpr double kZNote = 50.0;
constexpr double kZHover = 60.0;

// Linear blend of two colours (t = 0: a, t = 1: b).
QColor mix(const QColor& a, const QColor& b, double t);

// A caller's colour made readable on this background (dark red on a dark theme, yellow on white).
QColor readableOn(const QColor& c, const QPalette& pal);

using larslab::ui::scaledFont;

// The font of tick labels, legend entries and the hover read-out.
inline QFont labelFont(const QFont& widgetFont) { return scaledFont(widgetFont, 0.85); }

// Labels, title and pens of one axis from the palette.
void styleAxis(QAbstractAxis* axis, const QPalette& pal, const QFont& widgetFont);

}  // namespace larslab::ui::detail
