#include "ui/charts/chart_markers.h"

#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>
#include <QStringList>
#include <algorithm>
#include <array>
#include <cmath>

#include "ui/charts/chart_axes.h"
#include "ui/charts/chart_style.h"

namespace larslab::ui::detail {

ChartMarkers::ChartMarkers(QGraphicsItem* chart)
    : chart_(chart), refLine_(new QGraphicsLineItem(chart)), refPlate_(new QGraphicsRectItem(chart)),
      refText_(new QGraphicsSimpleTextItem(refPlate_)),
      messageItem_(new QGraphicsSimpleTextItem(chart)), cursorLine_(new QGraphicsLineItem(chart)),
      cursorPlate_(new QGraphicsRectItem(chart)), cursorText_(new QGraphicsSimpleTextItem(cursorPlate_)) {
  cursorLine_->setZValue(kZCursor);
  cursorLine_->hide();
  cursorPlate_->setZValue(kZCursor);
  cursorPlate_->setPen(Qt::NoPen);
  cursorPlate_->hide();
  messageItem_->setZValue(kZReference);
  messageItem_->hide();
  refLine_->setZValue(kZReference);
  refLine_->hide();
  refPlate_->setZValue(kZReference);
  refPlate_->setPen(Qt::NoPen);
  refPlate_->hide();
  refText_->hide();
}

void ChartMarkers::setReference(double y, const QString& label) {
  refY_ = y;
  refLabel_ = label;
}

bool ChartMarkers::setCursor(double x, const QString& label) {
  const bool same = (x == cursorX_ || (std::isnan(x) && std::isnan(cursorX_))) && label == cursorLabel_;
  if (same) return false;
  cursorX_ = std::isfinite(x) ? x : std::numeric_limits<double>::quiet_NaN();
  cursorLabel_ = label;
  return true;
}

bool ChartMarkers::referenceDrawable(bool logY) const {
  return std::isfinite(refY_) && (!logY || refY_ > 0.0);
}

void ChartMarkers::update(const QRectF& plot, const ChartAxes& axes, const QPalette& pal,
                          const QFont& widgetFont) {
  const QColor text = pal.color(QPalette::Text);
  const QFont small = scaledFont(widgetFont, 0.8);

  // Reference line.
  const bool refShown = referenceDrawable(axes.logY()) && plot.isValid() && refY_ >= axes.yMin() &&
                        refY_ <= axes.yMax();
  refLine_->setVisible(refShown);
  const bool refLabelShown = refShown && !refLabel_.isEmpty();
  refText_->setVisible(refLabelShown);
  refPlate_->setVisible(refLabelShown);
  QColor plate = pal.color(QPalette::Base);
  plate.setAlphaF(0.8f);
  if (refShown) {
    const double py = axes.yToPx(refY_);
    QPen pen(mix(text, pal.color(QPalette::Base), 0.35), 1.2, Qt::DashLine);
    refLine_->setPen(pen);
    refLine_->setLine(plot.left(), py, plot.right(), py);
    refText_->setText(refLabel_);
    refText_->setFont(small);
    refText_->setBrush(pen.color());
    const QRectF tr = refText_->boundingRect();
    // Above the line at the right end; below it if the line hugs the top of the plot.
    const double ty = py - tr.height() - 1 < plot.top() ? py + 2 : py - tr.height() - 1;
    refPlate_->setRect(tr.adjusted(-2, 0, 2, 0));
    refPlate_->setBrush(plate);
    refPlate_->setPos(plot.right() - tr.width() - 4, ty);
  }

  // Step cursor: solid, in the text colour, its label on a plate at the bottom of the plot (the
  // event markers' labels are at the top), on the side of the line that has room.
  const double cursorPx = std::isfinite(cursorX_) && plot.isValid() ? axes.xToPx(cursorX_) : -1.0;
  const bool cursorShown = cursorPx >= plot.left() - 0.5 && cursorPx <= plot.right() + 0.5;
  cursorLine_->setVisible(cursorShown);
  cursorPlate_->setVisible(cursorShown && !cursorLabel_.isEmpty());
  if (cursorShown) {
    QColor c = text;
    c.setAlphaF(0.85f);
    cursorLine_->setPen(QPen(c, 1.5));
    cursorLine_->setLine(cursorPx, plot.top(), cursorPx, plot.bottom());
    cursorText_->setText(cursorLabel_);
    cursorText_->setFont(small);
    cursorText_->setBrush(text);
    const QRectF tr = cursorText_->boundingRect();
    cursorPlate_->setRect(tr.adjusted(-2, 0, 2, 0));
    cursorPlate_->setBrush(plate);
    const double right = cursorPx + 4;
    const double tx = right + tr.width() + 2 <= plot.right() ? right : cursorPx - 4 - tr.width();
    cursorPlate_->setPos(tx, plot.bottom() - tr.height() - 2);
  }

  // Message: centred in the plot, muted, wrapped onto lines that fit.
  messageItem_->setVisible(!message_.isEmpty() && plot.isValid());
  if (messageItem_->isVisible()) {
    const QFont font = scaledFont(widgetFont, 0.9);
    const QFontMetricsF mfm(font);
    QStringList lines;
    QString line;
    for (const QString& word : message_.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
      const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
      if (!line.isEmpty() && mfm.horizontalAdvance(candidate) > plot.width() - 12) {
        lines.append(line);
        line = word;
      } else {
        line = candidate;
      }
    }
    if (!line.isEmpty()) lines.append(line);
    messageItem_->setText(lines.join(QLatin1Char('\n')));
    messageItem_->setFont(font);
    messageItem_->setBrush(mix(text, pal.color(QPalette::Base), 0.4));
    const QRectF r = messageItem_->boundingRect();
    messageItem_->setPos(plot.center().x() - r.width() / 2, plot.center().y() - r.height() / 2);
  }

  // Markers: a vertical line each; a short label at the top when there is room for it.
  while (lines_.size() < static_cast<size_t>(markers_.size())) {
    auto* line = new QGraphicsLineItem(chart_);
    line->setZValue(kZMarkers);
    auto* plateItem = new QGraphicsRectItem(chart_);
    plateItem->setZValue(kZMarkers);
    plateItem->setPen(Qt::NoPen);
    auto* label = new QGraphicsSimpleTextItem(plateItem);
    lines_.push_back(line);
    labels_.push_back(label);
    plates_.push_back(plateItem);
  }
  // Labels go left to right into up to three rows under the top of the plot; a label that has
  // no free row is left out (its line and its hover text remain), so labels never overlap.
  const QFontMetricsF fm(small);
  constexpr int kLanes = 3;
  std::array<double, kLanes> laneRight;
  laneRight.fill(-std::numeric_limits<double>::infinity());
  std::vector<std::pair<double, size_t>> order;  // (px, marker index)
  for (size_t i = 0; i < lines_.size(); ++i) {
    QGraphicsLineItem* line = lines_[i];
    QGraphicsRectItem* labelPlate = plates_[i];
    line->hide();
    labelPlate->hide();
    if (i >= static_cast<size_t>(markers_.size()) || !plot.isValid()) continue;
    const MetricChart::Marker& m = markers_[static_cast<qsizetype>(i)];
    const double px = std::isfinite(m.x) ? axes.xToPx(m.x) : -1.0;
    if (!(px >= plot.left() && px <= plot.right())) continue;
    QColor c = m.color.isValid() ? readableOn(m.color, pal) : text;
    c.setAlphaF(0.75f);
    line->setPen(QPen(c, 1.0, Qt::DashDotLine));
    line->setLine(px, plot.top(), px, plot.bottom());
    line->show();
    order.emplace_back(px, i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const int lanes = std::clamp(static_cast<int>(plot.height() / (3.0 * fm.height())), 1, kLanes);
  for (const auto& [px, i] : order) {
    const MetricChart::Marker& m = markers_[static_cast<qsizetype>(i)];
    const QString shortText = fm.elidedText(m.text, Qt::ElideRight, 110.0);
    const double w = fm.horizontalAdvance(shortText);
    if (shortText.isEmpty() || px + 3 + w > plot.right()) continue;
    int lane = 0;
    while (lane < lanes && !(px + 3 > laneRight[static_cast<size_t>(lane)] + 6)) ++lane;
    if (lane == lanes) continue;
    QGraphicsSimpleTextItem* label = labels_[i];
    QGraphicsRectItem* labelPlate = plates_[i];
    label->setText(shortText);
    label->setFont(small);
    QColor lc = m.color.isValid() ? readableOn(m.color, pal) : text;
    label->setBrush(lc);
    labelPlate->setRect(label->boundingRect().adjusted(-1, 0, 1, 0));
    labelPlate->setBrush(plate);
    labelPlate->setPos(px + 3, plot.top() + 2 + lane * (fm.height() + 1));
    labelPlate->show();
    laneRight[static_cast<size_t>(lane)] = px + 3 + w;
  }
}

}  // namespace larslab::ui::detail
