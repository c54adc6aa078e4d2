#include "ui/charts/chart_hover.h"

#include <QGraphicsEllipseItem>
#include <QGraphicsLineItem>
#include <QtCharts/QValueAxis>
#include <QPen>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/charts/chart_axes.h"
#include "ui/charts/chart_series.h"
#include "ui/charts/chart_style.h"
#include "ui/charts/readout_item.h"
#include "ui/charts/value_format.h"

namespace larslab::ui::detail {
namespace {

constexpr int kMaxReadoutLines = 14;
constexpr double kMarkerHoverPx = 6.0;

qsizetype nearestIndex(const CleanedSeries& s, double x) {
  const QList<QPointF>& pts = s.points;
  if (s.sortedByX) {
    auto it = std::lower_bound(pts.begin(), pts.end(), x,
                               [](const QPointF& p, double v) { return p.x() < v; });
    qsizetype i = it - pts.begin();
    if (i == pts.size()) return i - 1;
    if (i > 0 && x - pts[i - 1].x() <= pts[i].x() - x) return i - 1;
    return i;
  }
  qsizetype best = 0;
  for (qsizetype i = 1; i < pts.size(); ++i) {
    if (std::abs(pts[i].x() - x) < std::abs(pts[best].x() - x)) best = i;
  }
  return best;
}

}  // namespace

ChartHover::ChartHover(QGraphicsItem* chart)
    : chart_(chart), crosshair_(new QGraphicsLineItem(chart)), readout_(new ReadoutItem()) {
  crosshair_->setZValue(kZHover);
  crosshair_->hide();
  readout_->setParentItem(chart);
  readout_->setZValue(kZHover + 1);
  readout_->hide();
}

bool ChartHover::moveTo(const QPointF& chartPos, const QRectF& plot) {
  if (!plot.contains(chartPos)) {
    hide();
    return false;
  }
  hovering_ = true;
  pos_ = chartPos;
  return true;
}

void ChartHover::hide() {
  hovering_ = false;
  crosshair_->hide();
  readout_->hide();
  for (auto* d : dots_) d->hide();
}

void ChartHover::refresh(const QRectF& plot, const ChartAxes& axes,
                         const std::vector<std::unique_ptr<SeriesEntry>>& entries,
                         const QList<MetricChart::Marker>& markers, const QPalette& pal,
                         const QFont& widgetFont) {
  if (!plot.contains(pos_)) {
    hide();
    return;
  }
  struct Hit {
    const SeriesEntry* entry;
    QPointF point;
  };
  std::vector<Hit> hits;
  const double cursorX = axes.pxToX(pos_.x());
  for (const auto& e : entries) {
    if (!e->visible || e->clean.isEmpty()) continue;
    hits.push_back({e.get(), e->clean.points[nearestIndex(e->clean, cursorX)]});
  }
  const QString xTitle = axes.x()->titleText();
  QList<ReadoutItem::Line> markerLinesText;
  for (const MetricChart::Marker& m : markers) {
    if (std::isfinite(m.x) && std::abs(axes.xToPx(m.x) - pos_.x()) <= kMarkerHoverPx) {
      markerLinesText.append({QStringLiteral("%1 (%2 %3)").arg(m.text, xTitle, formatX(m.x)),
                              m.color.isValid() ? m.color : pal.color(QPalette::Text),
                              Qt::SolidLine, false});
    }
  }
  if (hits.empty() && markerLinesText.isEmpty()) {
    hide();
    return;
  }

  // Snap the crosshair to the data point nearest to the cursor.
  double snapX = cursorX;
  double best = std::numeric_limits<double>::infinity();
  for (const Hit& h : hits) {
    const double d = std::abs(axes.xToPx(h.point.x()) - pos_.x());
    if (d < best) {
      best = d;
      snapX = h.point.x();
    }
  }
  const double snapPx = hits.empty() ? pos_.x() : axes.xToPx(snapX);
  const QColor text = pal.color(QPalette::Text);
  QColor chColor = text;
  chColor.setAlphaF(0.45f);
  crosshair_->setPen(QPen(chColor, 1.0, Qt::DotLine));
  crosshair_->setLine(snapPx, plot.top(), snapPx, plot.bottom());
  crosshair_->setVisible(plot.left() <= snapPx && snapPx <= plot.right());

  // Highest value first, so the list reads in the same order as the lines on screen.
  std::sort(hits.begin(), hits.end(),
            [](const Hit& a, const Hit& b) { return a.point.y() > b.point.y(); });
  while (dots_.size() < hits.size()) {
    auto* dot = new QGraphicsEllipseItem(chart_);
    dot->setZValue(kZHover);
    dots_.push_back(dot);
  }
  QList<ReadoutItem::Line> lines = markerLinesText;
  for (size_t i = 0; i < dots_.size(); ++i) {
    QGraphicsEllipseItem* dot = dots_[i];
    if (i >= hits.size()) {
      dot->hide();
      continue;
    }
    const Hit& h = hits[i];
    const QPointF p(axes.xToPx(h.point.x()), axes.yToPx(h.point.y()));
    dot->setVisible(plot.adjusted(-1, -1, 1, 1).contains(p));
    dot->setRect(p.x() - 3.5, p.y() - 3.5, 7, 7);
    dot->setPen(QPen(pal.color(QPalette::Base), 1.5));
    dot->setBrush(h.entry->color);
    if (static_cast<int>(i) >= kMaxReadoutLines) continue;
    QString t = QStringLiteral("%1  %2").arg(h.entry->label, formatValue(h.point.y()));
    // A series whose nearest point is far from the crosshair (it ended earlier, or is sparser)
    // says where its value comes from.
    if (std::abs(axes.xToPx(h.point.x()) - snapPx) > 8.0) {
      t += QStringLiteral("  (%1 %2)").arg(xTitle, formatX(h.point.x()));
    }
    lines.append({t, h.entry->color, h.entry->dashed ? Qt::DashLine : Qt::SolidLine, true});
  }
  if (static_cast<int>(hits.size()) > kMaxReadoutLines) {
    lines.append({MetricChart::tr("+%1 more").arg(hits.size() - kMaxReadoutLines), text,
                  Qt::SolidLine, false});
  }
  const QString header =
      hits.empty() ? QString() : QStringLiteral("%1 %2").arg(xTitle, formatX(snapX));
  readout_->setContent(header, lines, labelFont(widgetFont), pal);
  const QSizeF rs = readout_->boundingRect().size();
  double rx = snapPx + 12;
  if (rx + rs.width() > plot.right()) rx = snapPx - 12 - rs.width();
  rx = std::max(rx, plot.left());
  double ry = std::clamp(pos_.y() - rs.height() / 2, plot.top() + 2,
                         std::max(plot.top() + 2, plot.bottom() - rs.height() - 2));
  readout_->setPos(rx, ry);
  readout_->show();
}

}  // namespace larslab::ui::detail
