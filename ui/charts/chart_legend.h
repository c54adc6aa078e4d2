#pragma once
// Internal to larslab_charts: the legend strip under the plot, with the "n points hidden" note.
//
// Qt Charts' own legend puts every entry in one row (eliding them all) or one column (cut off in
// small charts), so the chart draws its own: clickable entries in wrapped, centred rows under
// the plot. A chart with one series shows no legend (its name is in the title).
//
// The strip takes at most a fifth of the chart's height (at least one row): entries that do not
// fit are replaced by a "+N more" entry whose tooltip names them and whose click opens the full
// list (onMore), so a run with a dozen tensors keeps its plot at laptop sizes.

#include <QFont>
#include <QGraphicsItem>
#include <QPalette>
#include <QPen>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QGraphicsSimpleTextItem;
QT_END_NAMESPACE

namespace larslab::ui::detail {

struct SeriesEntry;

// One clickable legend entry: a line swatch in the series' pen and its label.
class LegendEntryItem : public QGraphicsItem {
 public:
  LegendEntryItem(QGraphicsItem* parent, std::function<void()> onClick);

  void setContent(const QString& label, const QPen& pen, bool shown, const QFont& font,
                  const QPalette& palette, double maxWidth);

  QRectF boundingRect() const override { return QRectF(QPointF(0, 0), size_); }
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  static constexpr double kSwatch = 18.0;
  static constexpr double kGap = 4.0;
  std::function<void()> onClick_;
  QString text_;
  QFont font_;
  QPen pen_;
  bool shown_ = true;
  QPalette palette_;
  QSizeF size_;
};

// "+N more": the entries the strip has no room for.
class LegendOverflowItem : public QGraphicsItem {
 public:
  LegendOverflowItem(QGraphicsItem* parent, std::function<void(const QPoint&)> onClick);

  void setContent(const QString& text, const QString& tip, const QFont& font,
                  const QPalette& palette);
  QRectF boundingRect() const override { return QRectF(QPointF(0, 0), size_); }
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override;

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  std::function<void(const QPoint&)> onClick_;  // screen position of the click
  QString text_;
  QFont font_;
  QPalette palette_;
  QSizeF size_;
};

class ChartLegend {
 public:
  // `onMore` opens the full list at a screen position.
  ChartLegend(QGraphicsItem* chart, std::function<void(const QPoint&)> onMore);

  LegendEntryItem* createEntry(std::function<void()> onClick);
  // Text, pen and shown/hidden look of the entry of `e`, for a chart `chartWidth` wide.
  void restyle(SeriesEntry& e, double chartWidth, const QFont& widgetFont,
               const QPalette& palette) const;
  // Places the entries and the note at the bottom of a chart of `size`; returns the height the
  // strip takes (the chart's bottom margin).
  int layout(const std::vector<std::unique_ptr<SeriesEntry>>& entries, const QSizeF& size,
             const QFont& widgetFont);

  // Entries not shown for lack of room (0 when every entry fits).
  int overflowCount() const { return overflow_; }
  // Where the "+N more" entry sits, in scene coordinates (null when not shown).
  QRectF overflowSceneRect() const;

  // Returns true when the note's text changed.
  bool setNote(const QString& text);
  // Font and colours of the note and of "+N more".
  void styleNote(const QFont& widgetFont, const QPalette& palette);

 private:
  QGraphicsItem* chart_;
  QGraphicsSimpleTextItem* note_;
  LegendOverflowItem* more_;
  int overflow_ = 0;
  QPalette palette_;
};

}  // namespace larslab::ui::detail
