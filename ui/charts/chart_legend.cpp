#include "ui/charts/chart_legend.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "ui/charts/chart_series.h"
#include "ui/charts/chart_style.h"
#include "ui/charts/metric_chart.h"

namespace larslab::ui::detail {

LegendEntryItem::LegendEntryItem(QGraphicsItem* parent, std::function<void()> onClick)
    : QGraphicsItem(parent), onClick_(std::move(onClick)) {
  setAcceptHoverEvents(true);
  setAcceptedMouseButtons(Qt::LeftButton);
  setCursor(Qt::PointingHandCursor);
}

void LegendEntryItem::setContent(const QString& label, const QPen& pen, bool shown,
                                 const QFont& font, const QPalette& palette, double maxWidth) {
  prepareGeometryChange();
  font_ = font;
  pen_ = pen;
  shown_ = shown;
  palette_ = palette;
  const QFontMetricsF fm(font_);
  text_ = fm.elidedText(label, Qt::ElideRight, std::max(20.0, maxWidth - kSwatch - kGap));
  size_ = QSizeF(kSwatch + kGap + fm.horizontalAdvance(text_), fm.height() + 2);
  setToolTip(MetricChart::tr("%1 — click to %2").arg(label, shown ? MetricChart::tr("hide")
                                                                        : MetricChart::tr("show")));
}

void LegendEntryItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
  p->setRenderHint(QPainter::Antialiasing);
  const QColor base = palette_.color(QPalette::Base);
  QPen swatch = pen_;
  swatch.setWidthF(2.0);  // thicker than the line itself: the swatch is what the eye matches
  if (!shown_) swatch.setColor(mix(swatch.color(), base, 0.75));
  p->setPen(swatch);
  const double mid = size_.height() / 2.0;
  p->drawLine(QPointF(1, mid), QPointF(kSwatch - 1, mid));
  QColor text = palette_.color(QPalette::Text);
  if (!shown_) text = mix(text, base, 0.6);
  p->setPen(text);
  p->setFont(font_);
  p->drawText(QRectF(kSwatch + kGap, 0, size_.width(), size_.height()),
              Qt::AlignLeft | Qt::AlignVCenter, text_);
}

void LegendEntryItem::mousePressEvent(QGraphicsSceneMouseEvent* event) { event->accept(); }

void LegendEntryItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  if (boundingRect().contains(event->pos())) onClick_();
}

ChartLegend::ChartLegend(QGraphicsItem* chart)
    : chart_(chart), note_(new QGraphicsSimpleTextItem(chart)) {
  note_->setZValue(kZNote);
  note_->hide();
}

LegendEntryItem* ChartLegend::createEntry(std::function<void()> onClick) {
  auto* item = new LegendEntryItem(chart_, std::move(onClick));
  item->setZValue(kZNote);
  return item;
}

void ChartLegend::restyle(SeriesEntry& e, double chartWidth, const QFont& widgetFont,
                          const QPalette& palette) const {
  const double maxWidth = std::clamp(chartWidth / 2.0, 80.0, 220.0);
  e.legend->setContent(e.label, seriesPen(e), e.visible, labelFont(widgetFont), palette, maxWidth);
}

int ChartLegend::layout(const std::vector<std::unique_ptr<SeriesEntry>>& entries,
                        const QSizeF& size, const QFont& widgetFont) {
  constexpr double kPad = 8.0, kGapX = 14.0, kGapY = 1.0;
  // One series needs no legend: its name is in the title or the axis label.
  const bool show = entries.size() > 1;
  std::vector<std::vector<LegendEntryItem*>> rows;
  double x = 0.0;
  for (const auto& e : entries) {
    e->legend->setVisible(show);
    if (!show) continue;
    const double w = e->legend->boundingRect().width();
    if (rows.empty() || (x > 0.0 && x + w > size.width() - 2 * kPad)) {
      rows.emplace_back();
      x = 0.0;
    }
    rows.back().push_back(e->legend);
    x += w + kGapX;
  }
  double rowHeight = QFontMetricsF(labelFont(widgetFont)).height() + 2 + kGapY;
  const bool hasNote = !note_->text().isEmpty();
  const double noteHeight = hasNote ? note_->boundingRect().height() + 1 : 0.0;
  const double total = static_cast<double>(rows.size()) * rowHeight + noteHeight;
  double y = size.height() - total - 3.0;
  for (const auto& row : rows) {
    double rowWidth = -kGapX;
    for (const LegendEntryItem* item : row) rowWidth += item->boundingRect().width() + kGapX;
    double rx = std::max(kPad, (size.width() - rowWidth) / 2.0);  // rows centred under the plot
    for (LegendEntryItem* item : row) {
      item->setPos(rx, y);
      rx += item->boundingRect().width() + kGapX;
    }
    y += rowHeight;
  }
  if (hasNote) note_->setPos(std::max(2.0, size.width() - note_->boundingRect().width() - 6), y);
  return static_cast<int>(std::ceil(total));
}

bool ChartLegend::setNote(const QString& text) {
  if (note_->text() == text) return false;
  note_->setText(text);
  note_->setVisible(!text.isEmpty());
  return true;
}

void ChartLegend::styleNote(const QFont& widgetFont, const QPalette& palette) {
  note_->setFont(scaledFont(widgetFont, 0.8));
  note_->setBrush(mix(palette.color(QPalette::Text), palette.color(QPalette::Base), 0.3));
}

}  // namespace larslab::ui::detail
