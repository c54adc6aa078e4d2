#include "ui/charts/chart_markers.h"

#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>
#include <cmath>

#include "ui/charts/chart_axes.h"
#include "ui/charts/chart_style.h"

namespace larslab::ui::detail {

ChartMarkers::ChartMarkers(QGraphicsItem* chart)
    : chart_(chart), refLine_(new QGraphicsLineItem(chart)), refPlate_(new QGraphicsRectItem(chart)),
      refText_(new QGraphicsSimpleTextItem(refPlate_)) {
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
  const QFontMetricsF fm(small);
  double lastLabelRight = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < lines_.size(); ++i) {
    QGraphicsLineItem* line = lines_[i];
    QGraphicsSimpleTextItem* label = labels_[i];
    QGraphicsRectItem* labelPlate = plates_[i];
    if (i >= static_cast<size_t>(markers_.size()) || !plot.isValid()) {
      line->hide();
      labelPlate->hide();
      continue;
    }
    const MetricChart::Marker& m = markers_[static_cast<qsizetype>(i)];
    const double px = std::isfinite(m.x) ? axes.xToPx(m.x) : -1.0;
    if (!(px >= plot.left() && px <= plot.right())) {
      line->hide();
      labelPlate->hide();
      continue;
    }
    QColor c = m.color.isValid() ? readableOn(m.color, pal) : text;
    c.setAlphaF(0.75f);
    line->setPen(QPen(c, 1.0, Qt::DashDotLine));
    line->setLine(px, plot.top(), px, plot.bottom());
    line->show();
    const QString shortText = fm.elidedText(m.text, Qt::ElideRight, 110.0);
    const double w = fm.horizontalAdvance(shortText);
    if (!shortText.isEmpty() && px + 3 > lastLabelRight + 6 && px + 3 + w <= plot.right()) {
      label->setText(shortText);
      label->setFont(small);
      QColor lc = c;
      lc.setAlphaF(1.0f);
      label->setBrush(lc);
      labelPlate->setRect(label->boundingRect().adjusted(-1, 0, 1, 0));
      labelPlate->setBrush(plate);
      labelPlate->setPos(px + 3, plot.top() + 2);
      labelPlate->show();
      lastLabelRight = px + 3 + w;
    } else {
      labelPlate->hide();
    }
  }
}

}  // namespace larslab::ui::detail
