#include "ui/charts/chart_legend.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QPainter>
#include <QStringList>
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

LegendOverflowItem::LegendOverflowItem(QGraphicsItem* parent,
                                       std::function<void(const QPoint&)> onClick)
    : QGraphicsItem(parent), onClick_(std::move(onClick)) {
  setAcceptHoverEvents(true);
  setAcceptedMouseButtons(Qt::LeftButton);
  setCursor(Qt::PointingHandCursor);
}

void LegendOverflowItem::setContent(const QString& text, const QString& tip, const QFont& font,
                                    const QPalette& palette) {
  prepareGeometryChange();
  text_ = text;
  font_ = font;
  font_.setUnderline(true);  // reads as "click me" like a link
  palette_ = palette;
  const QFontMetricsF fm(font_);
  size_ = QSizeF(fm.horizontalAdvance(text_) + 2, fm.height() + 2);
  setToolTip(tip);
}

void LegendOverflowItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
  p->setPen(palette_.color(QPalette::Link));
  p->setFont(font_);
  p->drawText(boundingRect(), Qt::AlignLeft | Qt::AlignVCenter, text_);
}

void LegendOverflowItem::mousePressEvent(QGraphicsSceneMouseEvent* event) { event->accept(); }

void LegendOverflowItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  if (boundingRect().contains(event->pos())) onClick_(event->screenPos());
}

ChartLegend::ChartLegend(QGraphicsItem* chart, std::function<void(const QPoint&)> onMore)
    : chart_(chart), note_(new QGraphicsSimpleTextItem(chart)),
      more_(new LegendOverflowItem(chart, std::move(onMore))) {
  note_->setZValue(kZNote);
  note_->hide();
  more_->setZValue(kZNote);
  more_->hide();
}

QRectF ChartLegend::overflowSceneRect() const {
  return more_->isVisible() ? more_->sceneBoundingRect() : QRectF();
}

LegendEntryItem* ChartLegend::createEntry(std::function<void()> onClick) {
  auto* item = new LegendEntryItem(chart_, std::move(onClick));
  item->setZValue(kZNote);
  return item;
}

void ChartLegend::restyle(SeriesEntry& e, double chartWidth, const QFont& widgetFont,
                          const QPalette& palette) const {
  // Up to a whole row: a small chart elides a long name only when it cannot fit at all.
  const double maxWidth = std::clamp(chartWidth - 16.0, 80.0, 220.0);
  e.legend->setContent(e.label, seriesPen(e), e.visible, labelFont(widgetFont), palette, maxWidth);
}

int ChartLegend::layout(const std::vector<std::unique_ptr<SeriesEntry>>& entries,
                        const QSizeF& size, const QFont& widgetFont) {
  constexpr double kPad = 8.0, kGapX = 14.0, kGapY = 1.0;
  // One series needs no legend: its name is in the title or the axis label.
  const bool show = entries.size() > 1;
  const QFont font = labelFont(widgetFont);
  const double rowHeight = QFontMetricsF(font).height() + 2 + kGapY;
  const bool hasNote = !note_->text().isEmpty();
  const double noteHeight = hasNote ? note_->boundingRect().height() + 1 : 0.0;
  const int maxRows =
      std::max(1, static_cast<int>((size.height() / 5.0 - noteHeight) / rowHeight));
  const double width = size.width() - 2 * kPad;

  // Greedy rows; once the last allowed row is reached, keep room for "+N more" at its end.
  const QPalette& palette = palette_;
  more_->setContent(MetricChart::tr("+%1 more").arg(entries.size()), QString(), font, palette);
  const double moreWidth = more_->boundingRect().width() + kGapX;
  // Packs `candidates` (indices into entries) into at most maxRows rows; returns how many fit.
  std::vector<std::vector<LegendEntryItem*>> rows;
  const auto pack = [&](const std::vector<std::size_t>& candidates) {
    rows.clear();
    double x = 0.0;
    std::size_t placed = 0;
    const bool hiddenBeyond = candidates.size() < entries.size();  // "+N more" will be shown
    for (std::size_t n = 0; n < candidates.size(); ++n) {
      LegendEntryItem* item = entries[candidates[n]]->legend;
      const double w = item->boundingRect().width();
      const bool lastCandidate = n + 1 == candidates.size();
      // Room "+N more" needs after this entry on its row: on the last allowed row whenever
      // anything follows, and after the last entry (on any row) when entries stay hidden.
      const bool onLastRow = static_cast<int>(rows.size()) == maxRows;
      const bool reserve = (onLastRow && !lastCandidate) || (hiddenBeyond && (onLastRow || lastCandidate));
      if (rows.empty() || (x > 0.0 && x + w + (reserve ? moreWidth : 0.0) > width)) {
        if (static_cast<int>(rows.size()) == maxRows) break;
        rows.emplace_back();
        x = 0.0;
      }
      rows.back().push_back(item);
      x += w + kGapX;
      ++placed;
    }
    return placed;
  };
  std::vector<std::size_t> all, solid;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    all.push_back(i);
    if (!entries[i]->dashed) solid.push_back(i);
  }
  std::vector<std::size_t> shown;
  if (show) {
    if (pack(all) == all.size()) {
      shown = all;
    } else {
      // Short of room, dashed lines go first: each is the companion of a solid line in the same
      // colour (a run's test curve), so the solid entry still names the colour.
      const std::vector<std::size_t>& first = solid.empty() ? all : solid;
      shown.assign(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(pack(first)));
    }
  }
  QStringList hidden;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool visible = std::find(shown.begin(), shown.end(), i) != shown.end();
    entries[i]->legend->setVisible(visible);
    if (show && !visible) hidden.append(entries[i]->label);
  }
  overflow_ = static_cast<int>(hidden.size());
  if (overflow_ > 0) {
    more_->setContent(MetricChart::tr("+%1 more").arg(overflow_),
                      MetricChart::tr("Not shown for lack of room: %1.\nClick for the full list.")
                          .arg(hidden.join(QStringLiteral(", "))),
                      font, palette);
  }
  more_->setVisible(overflow_ > 0);

  const double total = static_cast<double>(rows.size()) * rowHeight + noteHeight;
  double y = size.height() - total - 3.0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const bool withMore = overflow_ > 0 && r + 1 == rows.size();
    double rowWidth = withMore ? more_->boundingRect().width() : -kGapX;
    for (const LegendEntryItem* item : rows[r]) rowWidth += item->boundingRect().width() + kGapX;
    double rx = std::max(kPad, (size.width() - rowWidth) / 2.0);  // rows centred under the plot
    for (LegendEntryItem* item : rows[r]) {
      item->setPos(rx, y);
      rx += item->boundingRect().width() + kGapX;
    }
    if (withMore) more_->setPos(rx, y);
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
  palette_ = palette;
  note_->setFont(scaledFont(widgetFont, 0.8));
  note_->setBrush(mix(palette.color(QPalette::Text), palette.color(QPalette::Base), 0.3));
}

}  // namespace larslab::ui::detail
