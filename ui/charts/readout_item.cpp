#include "ui/charts/readout_item.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

#include "ui/charts/chart_style.h"

namespace larslab::ui::detail {

void ReadoutItem::setContent(const QString& header, const QList<Line>& lines, const QFont& font,
                             const QPalette& palette) {
  prepareGeometryChange();
  header_ = header;
  lines_ = lines;
  font_ = font;
  bold_ = font;
  bold_.setBold(true);
  palette_ = palette;
  const QFontMetricsF fm(font_), fmb(bold_);
  double w = fmb.horizontalAdvance(header_);
  for (const Line& l : lines_) w = std::max(w, kSwatch + fm.horizontalAdvance(l.text));
  lineHeight_ = fm.height();
  size_ = QSizeF(w + 2 * kPad, (lines_.size() + 1) * lineHeight_ + 2 * kPad);
}

void ReadoutItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
  p->setRenderHint(QPainter::Antialiasing);
  QColor bg = palette_.color(QPalette::ToolTipBase);
  bg.setAlphaF(0.93f);
  p->setPen(QPen(mix(palette_.color(QPalette::ToolTipText), bg, 0.6), 1.0));
  p->setBrush(bg);
  p->drawRoundedRect(boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
  const QColor text = palette_.color(QPalette::ToolTipText);
  double y = kPad;
  p->setFont(bold_);
  p->setPen(text);
  p->drawText(QRectF(kPad, y, size_.width(), lineHeight_), Qt::AlignLeft | Qt::AlignVCenter,
              header_);
  p->setFont(font_);
  for (const Line& l : lines_) {
    y += lineHeight_;
    double x = kPad;
    if (l.swatch) {
      QPen pen(l.color, 2.0, l.style);
      p->setPen(pen);
      p->drawLine(QPointF(x, y + lineHeight_ / 2), QPointF(x + kSwatch - 6, y + lineHeight_ / 2));
    }
    x += kSwatch;
    p->setPen(l.swatch ? text : l.color);
    p->drawText(QRectF(x, y, size_.width(), lineHeight_), Qt::AlignLeft | Qt::AlignVCenter,
                l.text);
  }
}

}  // namespace larslab::ui::detail
