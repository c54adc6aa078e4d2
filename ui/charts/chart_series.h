#pragma once
// Internal to larslab_charts: one line of a MetricChart, the data as given and as drawn.

#include <QColor>
#include <QList>
#include <QPen>
#include <QPointF>
#include <QString>

#include "ui/charts/series_cleaning.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
QT_END_NAMESPACE

namespace larslab::ui::detail {

class LegendEntryItem;

struct SeriesEntry {
  QString key;
  QString label;
  QColor color;
  bool dashed = false;
  bool visible = true;
  QList<QPointF> raw;  // kept so a log/linear switch can re-clean without new data
  CleanedSeries clean;
  QLineSeries* series = nullptr;
  LegendEntryItem* legend = nullptr;  // owned by the chart item
};

// Qt Charts 6.4 spends ~2 us per point in replace() (it strokes the whole line for hit testing),
// so a caller that forgets to downsample must not freeze the GUI: beyond this many points a series
// is min/max-decimated for drawing (hover still reads the full data).
constexpr int kMaxDrawnPoints = 4096;

QList<QPointF> drawnPoints(const CleanedSeries& clean);

// The series' line: 1 px (the raster engine's fast line path: ~3x cheaper paints than 2 px),
// short dashes for a dashed one.
QPen seriesPen(const SeriesEntry& e);

}  // namespace larslab::ui::detail
