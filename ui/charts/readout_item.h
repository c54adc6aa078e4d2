#pragma once
// Internal to larslab_charts: the hover read-out box, a header and one line per series with a
// swatch in the series' colour and dash.

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QList>
#include <QPalette>
#include <QString>

namespace larslab::ui::detail {

class ReadoutItem : public QGraphicsItem {
 public:
  struct Line {
    QString text;
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    bool swatch = true;  // false: the text itself is drawn in `color` (marker lines)
  };

  void setContent(const QString& header, const QList<Line>& lines, const QFont& font,
                  const QPalette& palette);

  QRectF boundingRect() const override { return QRectF(QPointF(0, 0), size_); }
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

 private:
  static constexpr double kPad = 6.0;
  static constexpr double kSwatch = 20.0;
  QString header_;
  QList<Line> lines_;
  QFont font_, bold_;
  QPalette palette_;
  QSizeF size_;
  double lineHeight_ = 12.0;
};

}  // namespace larslab::ui::detail
