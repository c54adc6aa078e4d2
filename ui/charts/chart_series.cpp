#include "ui/charts/chart_series.h"

namespace larslab::ui::detail {

QList<QPointF> drawnPoints(const CleanedSeries& clean) {
  return clean.points.size() > kMaxDrawnPoints ? decimateMinMax(clean.points, kMaxDrawnPoints / 2)
                                               : clean.points;
}

QPen seriesPen(const SeriesEntry& e) {
  constexpr double kLineWidth = 1.0;
  QPen pen(e.color, kLineWidth, Qt::SolidLine);
  // Short dashes (units of the pen width) so that even the small legend swatch shows them.
  if (e.dashed) pen.setDashPattern({3.0, 2.0});
  pen.setCapStyle(Qt::FlatCap);
  pen.setJoinStyle(Qt::RoundJoin);
  return pen;
}

}  // namespace larslab::ui::detail
