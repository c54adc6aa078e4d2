#include "ui/charts/metric_chart.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFileDialog>
#include <QFontMetricsF>
#include <QGraphicsEllipseItem>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStyleOptionGraphicsItem>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QGraphicsSceneMouseEvent>
#include <QtCharts/QLegend>
#include <functional>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ui/charts/chart_view.h"
#include "ui/charts/series_cleaning.h"

namespace larslab::ui {
namespace {

constexpr qreal kZMarkers = 40.0;    // above the series, below the hover read-out
constexpr qreal kZReference = 45.0;
constexpr qreal kZNote = 50.0;
constexpr qreal kZHover = 60.0;
constexpr double kLineWidth = 1.0;  // 1 px hits the raster engine's fast line path: ~3x cheaper paints than 2 px
constexpr double kXPixelsPerTick = 90.0;
constexpr double kYPixelsPerTick = 45.0;
constexpr int kMaxReadoutLines = 14;
constexpr double kMarkerHoverPx = 6.0;
// Qt Charts 6.4 spends ~2 us per point in replace() (it strokes the whole line for hit testing),
// so a caller that forgets to downsample must not freeze the GUI: beyond this many points a series
// is min/max-decimated for drawing (hover still reads the full data).
constexpr int kMaxDrawnPoints = 4096;

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

// A caller's colour made readable on this background (dark red on a dark theme, yellow on white).
QColor readableOn(const QColor& c, const QPalette& pal) {
  const QColor base = pal.color(QPalette::Base);
  if (std::abs(c.lightness() - base.lightness()) >= 90) return c;
  return mix(c, pal.color(QPalette::Text), 0.5);
}

QFont scaledFont(const QFont& base, double factor, bool bold = false) {
  QFont f = base;
  if (f.pointSizeF() > 0) {
    f.setPointSizeF(f.pointSizeF() * factor);
  } else if (f.pixelSize() > 0) {
    f.setPixelSize(std::max(1, static_cast<int>(std::lround(f.pixelSize() * factor))));
  }
  f.setBold(bold);
  return f;
}

QString formatValue(double v) { return QString::number(v, 'g', 4); }

QString formatX(double x) {
  if (std::abs(x) < 1e15 && std::abs(x - std::round(x)) < 1e-9) {
    return QString::number(static_cast<qint64>(std::llround(x)));
  }
  return QString::number(x, 'g', 5);
}

// Hover read-out box: a header and one line per series with a swatch in the series' colour.
class ReadoutItem : public QGraphicsItem {
 public:
  struct Line {
    QString text;
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    bool swatch = true;
  };

  void setContent(const QString& header, const QList<Line>& lines, const QFont& font,
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

  QRectF boundingRect() const override { return QRectF(QPointF(0, 0), size_); }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    p->setRenderHint(QPainter::Antialiasing);
    QColor bg = palette_.color(QPalette::ToolTipBase);
    bg.setAlphaF(0.93f);
    p->setPen(QPen(mix(palette_.color(QPalette::ToolTipText), bg, 0.6), 1.0));
    p->setBrush(bg);
    p->drawRoundedRect(boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    const QColor text = palette_.color(QPalette::ToolTipText);
    const QFontMetricsF fm(font_);
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

// One clickable legend entry: a line swatch in the series' pen and its label. Qt Charts' own
// legend puts every entry in one row (eliding them all) or one column (cut off in small charts),
// so MetricChart lays out its own entries in wrapped rows under the plot.
class LegendEntryItem : public QGraphicsItem {
 public:
  explicit LegendEntryItem(QGraphicsItem* parent, std::function<void()> onClick)
      : QGraphicsItem(parent), onClick_(std::move(onClick)) {
    setAcceptHoverEvents(true);
    setAcceptedMouseButtons(Qt::LeftButton);
    setCursor(Qt::PointingHandCursor);
  }

  void setContent(const QString& label, const QPen& pen, bool shown, const QFont& font,
                  const QPalette& palette, double maxWidth) {
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

  QRectF boundingRect() const override { return QRectF(QPointF(0, 0), size_); }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
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

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override { event->accept(); }
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override {
    if (boundingRect().contains(event->pos())) onClick_();
  }

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

QList<QPointF> drawnPoints(const CleanedSeries& clean) {
  return clean.points.size() > kMaxDrawnPoints ? decimateMinMax(clean.points, kMaxDrawnPoints / 2)
                                               : clean.points;
}

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

}  // namespace

struct MetricChart::Impl : detail::ChartViewListener {
  explicit Impl(MetricChart* owner);

  // --- series and axes ---
  SeriesEntry* find(const QString& key) const;
  void applyPen(SeriesEntry& e);
  void applyLegendStyle(SeriesEntry& e);
  void layoutLegend();
  QAbstractAxis* activeY() const { return logY ? static_cast<QAbstractAxis*>(yLog) : yLin; }
  double yMin() const { return logY ? yLog->min() : yLin->min(); }
  double yMax() const { return logY ? yLog->max() : yLin->max(); }
  void updateAxes();
  void setXRange(double lo, double hi);
  void setYRange(double lo, double hi);
  void setLinearRange(QValueAxis* axis, double lo, double hi, double pixels, double pxPerTick);
  void retick();
  void activateLayout();
  double plotPixels(bool horizontal) const;
  void setZoomed(bool z);

  // --- mapping between values and chart coordinates (own maths: works with or without series) ---
  double xToPx(double x) const;
  double yToPx(double y) const;
  double pxToX(double px) const;
  double pxToY(double py) const;

  // --- overlays ---
  void updateOverlays();
  void updateNote();
  void refreshHover();
  void hideHover();
  void applyPalette();
  void styleAxis(QAbstractAxis* axis);

  // --- export ---
  void renderTo(QPainter* painter, const QRectF& target, const QSizeF& logicalSize);

  // --- ChartViewListener ---
  void hoverAt(const QPointF& chartPos) override;
  void hoverLeft() override;
  void zoomToRect(const QRectF& chartRect, bool xOnly, bool yOnly) override;
  void zoomAround(const QPointF& chartPos, double factor) override;
  void panByPixels(const QPointF& delta) override;
  void resetZoomRequested() override { q->resetZoom(); }
  void contextMenuRequested(const QPoint& globalPos) override;
  void viewResized() override;

  MetricChart* q;
  QChart* chart = nullptr;
  detail::ChartView* view = nullptr;
  QValueAxis* xAxis = nullptr;
  QValueAxis* yLin = nullptr;
  QLogValueAxis* yLog = nullptr;
  bool logY = false;
  bool zoomed = false;
  bool retickQueued = false;
  AxisRangeTracker xTracker{AxisRangeTracker::Scale::Linear};
  AxisRangeTracker yTracker{AxisRangeTracker::Scale::Linear};
  std::vector<std::unique_ptr<SeriesEntry>> entries;

  double refY = std::numeric_limits<double>::quiet_NaN();
  QString refLabel;
  QGraphicsLineItem* refLine = nullptr;
  QGraphicsSimpleTextItem* refText = nullptr;

  QList<Marker> markerList;
  std::vector<QGraphicsLineItem*> markerLines;
  std::vector<QGraphicsSimpleTextItem*> markerLabels;
  std::vector<QGraphicsRectItem*> markerPlates;
  QGraphicsRectItem* refPlate = nullptr;

  QGraphicsSimpleTextItem* note = nullptr;
  int legendHeight = 0;  // bottom margin reserved for legend rows and the note

  bool hovering = false;
  QPointF hoverPos;
  QGraphicsLineItem* crosshair = nullptr;
  ReadoutItem* readout = nullptr;
  std::vector<QGraphicsEllipseItem*> dots;
};

MetricChart::Impl::Impl(MetricChart* owner) : q(owner) {
  chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(4, 4, 8, 4));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setDropShadowEnabled(false);
  chart->legend()->hide();  // replaced by LegendEntryItem rows (see there)

  xAxis = new QValueAxis();
  yLin = new QValueAxis();
  for (QValueAxis* a : {xAxis, yLin}) {
    a->setRange(0.0, 1.0);
    a->setTickInterval(0.2);
    a->setTickAnchor(0.0);
    a->setTickType(QValueAxis::TicksDynamic);
    a->setLabelFormat(QStringLiteral("%g"));
    a->setMinorTickCount(0);
  }
  xAxis->setTitleText(QStringLiteral("step"));
  yLog = new QLogValueAxis();
  yLog->setBase(10.0);
  yLog->setLabelFormat(QStringLiteral("%g"));
  yLog->setRange(1e-3, 1.0);
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yLin, Qt::AlignLeft);

  view = new detail::ChartView(chart, this, q);

  refLine = new QGraphicsLineItem(chart);
  refLine->setZValue(kZReference);
  refLine->hide();
  refPlate = new QGraphicsRectItem(chart);
  refPlate->setZValue(kZReference);
  refPlate->setPen(Qt::NoPen);
  refPlate->hide();
  refText = new QGraphicsSimpleTextItem(refPlate);
  refText->hide();
  note = new QGraphicsSimpleTextItem(chart);
  note->setZValue(kZNote);
  note->hide();
  crosshair = new QGraphicsLineItem(chart);
  crosshair->setZValue(kZHover);
  crosshair->hide();
  readout = new ReadoutItem();
  readout->setParentItem(chart);
  readout->setZValue(kZHover + 1);
  readout->hide();

  QObject::connect(chart, &QChart::plotAreaChanged, q, [this](const QRectF&) {
    updateOverlays();
    // Qt Charts ignores a tick-interval change made while it lays out (it is emitting this signal
    // from its layout), so retick once the layout is done.
    if (!retickQueued) {
      retickQueued = true;
      QMetaObject::invokeMethod(
          q,
          [this] {
            retickQueued = false;
            retick();
          },
          Qt::QueuedConnection);
    }
  });
}

SeriesEntry* MetricChart::Impl::find(const QString& key) const {
  for (const auto& e : entries) {
    if (e->key == key) return e.get();
  }
  return nullptr;
}

void MetricChart::Impl::applyPen(SeriesEntry& e) {
  QPen pen(e.color, kLineWidth, Qt::SolidLine);
  // Short dashes (units of the pen width) so that even the small legend swatch shows them.
  if (e.dashed) pen.setDashPattern({3.0, 2.0});
  pen.setCapStyle(Qt::FlatCap);
  pen.setJoinStyle(Qt::RoundJoin);
  if (e.series->pen() != pen) e.series->setPen(pen);
  applyLegendStyle(e);
}

void MetricChart::Impl::applyLegendStyle(SeriesEntry& e) {
  const double maxWidth = std::clamp(chart->size().width() / 2.0, 80.0, 220.0);
  e.legend->setContent(e.label, e.series->pen(), e.visible, scaledFont(q->font(), 0.85),
                       q->palette(), maxWidth);
}

void MetricChart::Impl::layoutLegend() {
  const QSizeF size = chart->size();
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
  double rowHeight = QFontMetricsF(scaledFont(q->font(), 0.85)).height() + 2 + kGapY;
  const bool hasNote = !note->text().isEmpty();
  const double noteHeight = hasNote ? note->boundingRect().height() + 1 : 0.0;
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
  if (hasNote) note->setPos(std::max(2.0, size.width() - note->boundingRect().width() - 6), y);
  const int height = static_cast<int>(std::ceil(total));
  if (height != legendHeight) {
    legendHeight = height;
    chart->setMargins(QMargins(4, 4, 8, 4 + legendHeight));
    activateLayout();
  }
}

void MetricChart::Impl::viewResized() {
  // QChartView has resized (and laid out) the chart by now: entries may wrap differently, and
  // ticks set here are honoured (they are not while Qt Charts is inside its own layout).
  for (auto& e : entries) applyLegendStyle(*e);
  layoutLegend();
  retick();
}

void MetricChart::Impl::setZoomed(bool z) {
  if (zoomed == z) return;
  zoomed = z;
  Q_EMIT q->zoomChanged(z);
}

void MetricChart::Impl::updateAxes() {
  if (zoomed) return;  // the user's view wins until resetZoom()
  double minX = std::numeric_limits<double>::infinity(), maxX = -minX;
  double minY = minX, maxY = -minX;
  for (const auto& e : entries) {
    if (!e->visible || e->clean.isEmpty()) continue;
    minX = std::min(minX, e->clean.minX);
    maxX = std::max(maxX, e->clean.maxX);
    minY = std::min(minY, e->clean.minY);
    maxY = std::max(maxY, e->clean.maxY);
  }
  if (!std::isfinite(minX)) return;  // nothing to fit
  // Keep the reference line in view: it is the yardstick the data is read against.
  if (std::isfinite(refY) && (!logY || refY > 0.0)) {
    minY = std::min(minY, refY);
    maxY = std::max(maxY, refY);
  }
  if (xTracker.update(minX, maxX)) setXRange(xTracker.min(), xTracker.max());
  if (yTracker.update(minY, maxY)) setYRange(yTracker.min(), yTracker.max());
}

void MetricChart::Impl::setLinearRange(QValueAxis* axis, double lo, double hi, double pixels,
                                       double pxPerTick) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return;
  const int target = std::clamp(static_cast<int>(pixels / pxPerTick), 2, 10);
  const double newInterval = niceTickStep(hi - lo, target);
  const double oldInterval = axis->tickInterval();
  const double oldSpan = axis->max() - axis->min();
  // Change range and interval in the order whose intermediate state has fewer ticks: Qt lays out
  // the ticks after each call, and (wide range, tiny interval) could mean millions of them.
  if ((hi - lo) / oldInterval <= oldSpan / newInterval) {
    axis->setRange(lo, hi);
    axis->setTickInterval(newInterval);
  } else {
    axis->setTickInterval(newInterval);
    axis->setRange(lo, hi);
  }
}

void MetricChart::Impl::activateLayout() {
  // Qt Charts applies tick changes through a posted layout request; lay out now so that a
  // grab() or export right after a change (no event loop in between) shows the new ticks.
  if (QGraphicsLayout* layout = chart->layout()) layout->activate();
}

void MetricChart::Impl::setXRange(double lo, double hi) {
  setLinearRange(xAxis, lo, hi, plotPixels(true), kXPixelsPerTick);
  activateLayout();
  updateOverlays();
}

void MetricChart::Impl::setYRange(double lo, double hi) {
  if (logY) {
    if (!(lo > 0.0) || !(hi > lo) || !std::isfinite(hi)) return;
    const double decades = std::log10(hi / lo);
    // One labelled tick per decade up to 7 decades, then every 2nd or 3rd so labels never collide.
    yLog->setBase(decades <= 7.5 ? 10.0 : decades <= 15.0 ? 100.0 : 1000.0);
    yLog->setMinorTickCount(decades <= 3.5 ? 8 : 0);
    // Widen by a hair: QLogValueAxis labels ticks from ceil(log(min)), and log10(1e-3) rounds to
    // -2.9999999999999996, which would drop the label at the bottom decade.
    yLog->setRange(lo * (1.0 - 1e-9), hi * (1.0 + 1e-9));
  } else {
    setLinearRange(yLin, lo, hi, plotPixels(false), kYPixelsPerTick);
  }
  activateLayout();
  updateOverlays();
}

double MetricChart::Impl::plotPixels(bool horizontal) const {
  const QRectF plot = chart->plotArea();
  if (plot.width() > 10.0 && plot.height() > 10.0) return horizontal ? plot.width() : plot.height();
  // Before the first layout: estimate from the widget so the first frame has sensible ticks.
  return horizontal ? 0.75 * q->width() : 0.7 * q->height();
}

void MetricChart::Impl::retick() {
  setLinearRange(xAxis, xAxis->min(), xAxis->max(), plotPixels(true), kXPixelsPerTick);
  if (!logY) {
    setLinearRange(yLin, yLin->min(), yLin->max(), plotPixels(false), kYPixelsPerTick);
  }
  activateLayout();
}

double MetricChart::Impl::xToPx(double x) const {
  const QRectF r = chart->plotArea();
  return r.left() + (x - xAxis->min()) / (xAxis->max() - xAxis->min()) * r.width();
}

double MetricChart::Impl::yToPx(double y) const {
  const QRectF r = chart->plotArea();
  double f;
  if (logY) {
    f = (std::log10(y) - std::log10(yMin())) / (std::log10(yMax()) - std::log10(yMin()));
  } else {
    f = (y - yMin()) / (yMax() - yMin());
  }
  return r.bottom() - f * r.height();
}

double MetricChart::Impl::pxToX(double px) const {
  const QRectF r = chart->plotArea();
  return xAxis->min() + (px - r.left()) / r.width() * (xAxis->max() - xAxis->min());
}

double MetricChart::Impl::pxToY(double py) const {
  const QRectF r = chart->plotArea();
  const double f = (r.bottom() - py) / r.height();
  if (logY) {
    const double l0 = std::log10(yMin()), l1 = std::log10(yMax());
    return std::pow(10.0, l0 + f * (l1 - l0));
  }
  return yMin() + f * (yMax() - yMin());
}

void MetricChart::Impl::updateOverlays() {
  const QRectF plot = chart->plotArea();
  const QPalette pal = q->palette();
  const QColor text = pal.color(QPalette::Text);
  const QFont small = scaledFont(q->font(), 0.8);

  // Reference line.
  const bool refShown = std::isfinite(refY) && (!logY || refY > 0.0) && plot.isValid() &&
                        refY >= yMin() && refY <= yMax();
  refLine->setVisible(refShown);
  const bool refLabelShown = refShown && !refLabel.isEmpty();
  refText->setVisible(refLabelShown);
  refPlate->setVisible(refLabelShown);
  QColor plate = pal.color(QPalette::Base);
  plate.setAlphaF(0.8f);
  if (refShown) {
    const double py = yToPx(refY);
    QPen pen(mix(text, pal.color(QPalette::Base), 0.35), 1.2, Qt::DashLine);
    refLine->setPen(pen);
    refLine->setLine(plot.left(), py, plot.right(), py);
    refText->setText(refLabel);
    refText->setFont(small);
    refText->setBrush(pen.color());
    const QRectF tr = refText->boundingRect();
    // Above the line at the right end; below it if the line hugs the top of the plot.
    const double ty = py - tr.height() - 1 < plot.top() ? py + 2 : py - tr.height() - 1;
    refPlate->setRect(tr.adjusted(-2, 0, 2, 0));
    refPlate->setBrush(plate);
    refPlate->setPos(plot.right() - tr.width() - 4, ty);
  }

  // Markers: a vertical line each; a short label at the top when there is room for it.
  while (markerLines.size() < static_cast<size_t>(markerList.size())) {
    auto* line = new QGraphicsLineItem(chart);
    line->setZValue(kZMarkers);
    auto* plateItem = new QGraphicsRectItem(chart);
    plateItem->setZValue(kZMarkers);
    plateItem->setPen(Qt::NoPen);
    auto* label = new QGraphicsSimpleTextItem(plateItem);
    markerLines.push_back(line);
    markerLabels.push_back(label);
    markerPlates.push_back(plateItem);
  }
  const QFontMetricsF fm(small);
  double lastLabelRight = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < markerLines.size(); ++i) {
    QGraphicsLineItem* line = markerLines[i];
    QGraphicsSimpleTextItem* label = markerLabels[i];
    QGraphicsRectItem* labelPlate = markerPlates[i];
    if (i >= static_cast<size_t>(markerList.size()) || !plot.isValid()) {
      line->hide();
      labelPlate->hide();
      continue;
    }
    const Marker& m = markerList[static_cast<qsizetype>(i)];
    const double px = std::isfinite(m.x) ? xToPx(m.x) : -1.0;
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

  if (hovering) refreshHover();
}

void MetricChart::Impl::updateNote() {
  const QString text = q->hiddenPointsNote();
  if (note->text() == text) return;
  note->setText(text);
  note->setVisible(!text.isEmpty());
  layoutLegend();
}

void MetricChart::Impl::hideHover() {
  hovering = false;
  crosshair->hide();
  readout->hide();
  for (auto* d : dots) d->hide();
}

void MetricChart::Impl::hoverAt(const QPointF& chartPos) {
  if (!chart->plotArea().contains(chartPos)) {
    hideHover();
    return;
  }
  hovering = true;
  hoverPos = chartPos;
  refreshHover();
}

void MetricChart::Impl::hoverLeft() { hideHover(); }

namespace {
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

void MetricChart::Impl::refreshHover() {
  const QRectF plot = chart->plotArea();
  if (!plot.contains(hoverPos)) {
    hideHover();
    return;
  }
  struct Hit {
    const SeriesEntry* entry;
    QPointF point;
  };
  std::vector<Hit> hits;
  const double cursorX = pxToX(hoverPos.x());
  for (const auto& e : entries) {
    if (!e->visible || e->clean.isEmpty()) continue;
    hits.push_back({e.get(), e->clean.points[nearestIndex(e->clean, cursorX)]});
  }
  QList<ReadoutItem::Line> markerLinesText;
  for (const Marker& m : markerList) {
    if (std::isfinite(m.x) && std::abs(xToPx(m.x) - hoverPos.x()) <= kMarkerHoverPx) {
      markerLinesText.append({QStringLiteral("%1 (%2 %3)").arg(m.text, xAxis->titleText(),
                                                               formatX(m.x)),
                              m.color.isValid() ? m.color : q->palette().color(QPalette::Text),
                              Qt::SolidLine, false});
    }
  }
  if (hits.empty() && markerLinesText.isEmpty()) {
    hideHover();
    return;
  }

  // Snap the crosshair to the data point nearest to the cursor.
  double snapX = cursorX;
  double best = std::numeric_limits<double>::infinity();
  for (const Hit& h : hits) {
    const double d = std::abs(xToPx(h.point.x()) - hoverPos.x());
    if (d < best) {
      best = d;
      snapX = h.point.x();
    }
  }
  const double snapPx = hits.empty() ? hoverPos.x() : xToPx(snapX);
  const QPalette pal = q->palette();
  const QColor text = pal.color(QPalette::Text);
  QColor chColor = text;
  chColor.setAlphaF(0.45f);
  crosshair->setPen(QPen(chColor, 1.0, Qt::DotLine));
  crosshair->setLine(snapPx, plot.top(), snapPx, plot.bottom());
  crosshair->setVisible(plot.left() <= snapPx && snapPx <= plot.right());

  // Highest value first, so the list reads in the same order as the lines on screen.
  std::sort(hits.begin(), hits.end(),
            [](const Hit& a, const Hit& b) { return a.point.y() > b.point.y(); });
  while (dots.size() < hits.size()) {
    auto* dot = new QGraphicsEllipseItem(chart);
    dot->setZValue(kZHover);
    dots.push_back(dot);
  }
  QList<ReadoutItem::Line> lines = markerLinesText;
  for (size_t i = 0; i < dots.size(); ++i) {
    QGraphicsEllipseItem* dot = dots[i];
    if (i >= hits.size()) {
      dot->hide();
      continue;
    }
    const Hit& h = hits[i];
    const QPointF p(xToPx(h.point.x()), yToPx(h.point.y()));
    dot->setVisible(plot.adjusted(-1, -1, 1, 1).contains(p));
    dot->setRect(p.x() - 3.5, p.y() - 3.5, 7, 7);
    dot->setPen(QPen(pal.color(QPalette::Base), 1.5));
    dot->setBrush(h.entry->color);
    if (static_cast<int>(i) >= kMaxReadoutLines) continue;
    QString t = QStringLiteral("%1  %2").arg(h.entry->label, formatValue(h.point.y()));
    // A series whose nearest point is far from the crosshair (it ended earlier, or is sparser)
    // says where its value comes from.
    if (std::abs(xToPx(h.point.x()) - snapPx) > 8.0) {
      t += QStringLiteral("  (%1 %2)").arg(xAxis->titleText(), formatX(h.point.x()));
    }
    lines.append({t, h.entry->color, h.entry->dashed ? Qt::DashLine : Qt::SolidLine, true});
  }
  if (static_cast<int>(hits.size()) > kMaxReadoutLines) {
    lines.append({MetricChart::tr("+%1 more").arg(hits.size() - kMaxReadoutLines), text,
                  Qt::SolidLine, false});
  }
  const QString header = hits.empty() ? QString()
                                      : QStringLiteral("%1 %2").arg(xAxis->titleText(),
                                                                    formatX(snapX));
  readout->setContent(header, lines, scaledFont(q->font(), 0.85), pal);
  const QSizeF rs = readout->boundingRect().size();
  double rx = snapPx + 12;
  if (rx + rs.width() > plot.right()) rx = snapPx - 12 - rs.width();
  rx = std::max(rx, plot.left());
  double ry = std::clamp(hoverPos.y() - rs.height() / 2, plot.top() + 2,
                         std::max(plot.top() + 2, plot.bottom() - rs.height() - 2));
  readout->setPos(rx, ry);
  readout->show();
}

void MetricChart::Impl::zoomToRect(const QRectF& r, bool xOnly, bool yOnly) {
  const QRectF plot = chart->plotArea();
  const QRectF z = r.intersected(plot);
  if (z.isEmpty() && !(xOnly || yOnly)) return;
  const double x0 = pxToX(z.left()), x1 = pxToX(z.right());
  const double y0 = pxToY(z.bottom()), y1 = pxToY(z.top());
  setZoomed(true);
  if (!yOnly && x1 > x0) setXRange(x0, x1);
  if (!xOnly && y1 > y0) setYRange(y0, y1);
}

void MetricChart::Impl::zoomAround(const QPointF& c, double factor) {
  if (!(factor > 0.0) || !std::isfinite(factor)) return;
  const QRectF plot = chart->plotArea();
  if (!plot.isValid()) return;
  // Zoom in pixel space around the cursor, so it behaves the same on linear and log axes.
  const double l = c.x() - (c.x() - plot.left()) / factor;
  const double r = c.x() + (plot.right() - c.x()) / factor;
  const double t = c.y() - (c.y() - plot.top()) / factor;
  const double b = c.y() + (plot.bottom() - c.y()) / factor;
  const double x0 = pxToX(l), x1 = pxToX(r), y0 = pxToY(b), y1 = pxToY(t);
  // Stop at the precision of a double rather than drawing garbage.
  const auto usable = [](double a, double z) {
    return std::isfinite(a) && std::isfinite(z) && z - a > 1e-9 * std::max(std::abs(a), std::abs(z));
  };
  if (!usable(x0, x1) || !usable(y0, y1)) return;
  setZoomed(true);
  setXRange(x0, x1);
  setYRange(y0, y1);
}

void MetricChart::Impl::panByPixels(const QPointF& delta) {
  const QRectF plot = chart->plotArea();
  if (!plot.isValid() || delta.isNull()) return;
  const double x0 = pxToX(plot.left() - delta.x()), x1 = pxToX(plot.right() - delta.x());
  const double y0 = pxToY(plot.bottom() - delta.y()), y1 = pxToY(plot.top() - delta.y());
  if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(y0) || !std::isfinite(y1)) return;
  setZoomed(true);
  setXRange(x0, x1);
  setYRange(y0, y1);
}

void MetricChart::Impl::contextMenuRequested(const QPoint& globalPos) {
  hideHover();
  QMenu menu(q);
  QAction* reset = menu.addAction(MetricChart::tr("Reset zoom"));
  reset->setEnabled(zoomed);
  QAction* log = menu.addAction(MetricChart::tr("Logarithmic y axis"));
  log->setCheckable(true);
  log->setChecked(logY);
  menu.addSeparator();
  QAction* copy = menu.addAction(MetricChart::tr("Copy image"));
  QAction* png = menu.addAction(MetricChart::tr("Export PNG..."));
  QAction* svg = menu.addAction(MetricChart::tr("Export SVG..."));
  QAction* chosen = menu.exec(globalPos);
  const qreal dpr = std::max<qreal>(1.0, q->devicePixelRatioF());
  const QSize pixels = (QSizeF(q->size()) * dpr).toSize();
  QString base = q->title().isEmpty() ? QStringLiteral("chart") : q->title();
  base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("_"));
  QString error;
  if (chosen == reset) {
    q->resetZoom();
  } else if (chosen == log) {
    q->setLogY(!logY);
  } else if (chosen == copy) {
    QImage image = q->renderImage(pixels);
    image.setDevicePixelRatio(dpr);
    QApplication::clipboard()->setImage(image);
  } else if (chosen == png) {
    const QString path = QFileDialog::getSaveFileName(
        q, MetricChart::tr("Export chart as PNG"), base + QStringLiteral(".png"),
        MetricChart::tr("PNG image (*.png)"));
    if (!path.isEmpty() && !q->exportPng(path, pixels, &error)) {
      QMessageBox::warning(q, MetricChart::tr("Export failed"), error);
    }
  } else if (chosen == svg) {
    const QString path = QFileDialog::getSaveFileName(
        q, MetricChart::tr("Export chart as SVG"), base + QStringLiteral(".svg"),
        MetricChart::tr("SVG image (*.svg)"));
    if (!path.isEmpty() && !q->exportSvg(path, QSize(), &error)) {
      QMessageBox::warning(q, MetricChart::tr("Export failed"), error);
    }
  }
}

void MetricChart::Impl::styleAxis(QAbstractAxis* axis) {
  const QPalette pal = q->palette();
  const QColor base = pal.color(QPalette::Base);
  const QColor text = pal.color(QPalette::Text);
  axis->setLabelsBrush(mix(text, base, 0.2));
  axis->setLabelsFont(scaledFont(q->font(), 0.85));
  axis->setTitleBrush(text);
  axis->setTitleFont(scaledFont(q->font(), 0.9));
  axis->setLinePen(QPen(mix(text, base, 0.55), 1.0));
  axis->setGridLinePen(QPen(mix(text, base, 0.87), 1.0));
  axis->setMinorGridLinePen(QPen(mix(text, base, 0.94), 1.0));
  axis->setShadesVisible(false);
}

void MetricChart::Impl::applyPalette() {
  const QPalette pal = q->palette();
  const QColor base = pal.color(QPalette::Base);
  const QColor text = pal.color(QPalette::Text);
  chart->setBackgroundBrush(base);
  chart->setBackgroundPen(Qt::NoPen);
  chart->setPlotAreaBackgroundVisible(false);
  chart->setTitleBrush(text);
  chart->setTitleFont(scaledFont(q->font(), 1.05, true));
  view->setBackgroundBrush(base);
  styleAxis(xAxis);
  styleAxis(yLin);
  styleAxis(yLog);
  note->setFont(scaledFont(q->font(), 0.8));
  note->setBrush(mix(text, base, 0.3));
  for (auto& e : entries) applyLegendStyle(*e);
  layoutLegend();
  updateOverlays();
}

void MetricChart::Impl::renderTo(QPainter* painter, const QRectF& target,
                                 const QSizeF& logicalSize) {
  hideHover();
  const QSizeF old = chart->size();
  const bool resize = old != logicalSize;
  if (resize) {
    chart->resize(logicalSize);
    for (auto& e : entries) applyLegendStyle(*e);
    layoutLegend();
    retick();
  }
  chart->scene()->render(painter, target, QRectF(chart->scenePos(), logicalSize),
                         Qt::IgnoreAspectRatio);
  if (resize) {
    chart->resize(old);
    for (auto& e : entries) applyLegendStyle(*e);
    layoutLegend();
    retick();
  }
}

// ---------------------------------------------------------------------------------------------

MetricChart::MetricChart(QWidget* parent) : QWidget(parent), d_(std::make_unique<Impl>(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d_->view);
  d_->applyPalette();
}

MetricChart::~MetricChart() {
  // The chart owns the attached y axis; the detached one is ours.
  QAbstractAxis* detached = d_->logY ? static_cast<QAbstractAxis*>(d_->yLin) : d_->yLog;
  delete detached;
}

void MetricChart::setTitle(const QString& title) { d_->chart->setTitle(title); }
QString MetricChart::title() const { return d_->chart->title(); }

void MetricChart::setYAxisLabel(const QString& label) {
  d_->yLin->setTitleText(label);
  d_->yLog->setTitleText(label);
}
QString MetricChart::yAxisLabel() const { return d_->yLin->titleText(); }

void MetricChart::setXAxisLabel(const QString& label) {
  d_->xAxis->setTitleText(label);
  if (d_->hovering) d_->refreshHover();
}
QString MetricChart::xAxisLabel() const { return d_->xAxis->titleText(); }

bool MetricChart::logY() const { return d_->logY; }

void MetricChart::setLogY(bool logY) {
  if (d_->logY == logY) return;
  Impl& d = *d_;
  d.hideHover();
  QAbstractAxis* oldAxis = d.activeY();
  d.logY = logY;
  QAbstractAxis* newAxis = d.activeY();
  d.chart->removeAxis(oldAxis);  // detaches it from every series; the chart releases ownership
  d.chart->addAxis(newAxis, Qt::AlignLeft);
  d.styleAxis(newAxis);
  for (auto& e : d.entries) e->clean = cleanSeries(e->raw, logY);
  // A deliberate rescale: refit both axes to the data.
  d.yTracker.setScale(logY ? AxisRangeTracker::Scale::Log : AxisRangeTracker::Scale::Linear);
  d.yTracker.reset();
  d.xTracker.reset();
  d.setZoomed(false);
  d.updateAxes();
  // A series keeps its log domain until a new y axis is attached, and a log domain warns about
  // (and cannot map) y <= 0. Going to log: give it the cleaned points, then attach. Going to
  // linear: attach first (it still holds log-clean points), then give it the zeros back.
  for (auto& e : d.entries) {
    if (logY) {
      e->series->replace(drawnPoints(e->clean));
      e->series->attachAxis(newAxis);
    } else {
      e->series->attachAxis(newAxis);
      e->series->replace(drawnPoints(e->clean));
    }
  }
  d.updateNote();
  Q_EMIT logYChanged(logY);
}

void MetricChart::setSeries(const QString& key, const QString& label, const QColor& color,
                            const QList<QPointF>& points) {
  Impl& d = *d_;
  SeriesEntry* e = d.find(key);
  if (e != nullptr && e->label == label && e->color == color && e->raw == points) {
    return;  // paused run: nothing to redraw (QList compares shared data in O(1))
  }
  CleanedSeries clean = cleanSeries(points, d.logY);
  if (e == nullptr) {
    auto entry = std::make_unique<SeriesEntry>();
    entry->key = key;
    entry->label = label;
    entry->color = color;
    entry->series = new QLineSeries();
    entry->series->setName(label);
    entry->series->replace(drawnPoints(clean));  // before attaching: no axis sees raw data
    d.chart->addSeries(entry->series);
    entry->series->attachAxis(d.xAxis);
    entry->series->attachAxis(d.activeY());
    const QString k = key;
    entry->legend = new LegendEntryItem(d.chart, [this, k] {
      const SeriesEntry* se = d_->find(k);
      if (se == nullptr) return;
      setSeriesVisible(k, !se->visible);
      Q_EMIT seriesToggled(k, se->visible);
    });
    entry->legend->setZValue(kZNote);
    e = entry.get();
    d.entries.push_back(std::move(entry));
    e->raw = points;
    e->clean = std::move(clean);
    d.applyPen(*e);
    d.layoutLegend();
    d.updateAxes();
  } else {
    if (e->label != label) {
      e->label = label;
      e->series->setName(label);
      d.applyLegendStyle(*e);
      d.layoutLegend();
    }
    if (e->color != color) {
      e->color = color;
      d.applyPen(*e);
    }
    e->raw = points;
    e->clean = std::move(clean);
    d.updateAxes();  // before replace(): a range change and the new points cost one projection
    e->series->replace(drawnPoints(e->clean));
  }
  d.updateNote();
  if (d.hovering) d.refreshHover();  // a resting mouse keeps reading live values
}

void MetricChart::removeSeries(const QString& key) {
  Impl& d = *d_;
  auto it = std::find_if(d.entries.begin(), d.entries.end(),
                         [&](const auto& e) { return e->key == key; });
  if (it == d.entries.end()) return;
  d.chart->removeSeries((*it)->series);
  delete (*it)->series;
  delete (*it)->legend;
  d.entries.erase(it);
  d.layoutLegend();
  if (d.entries.empty()) {
    d.xTracker.reset();
    d.yTracker.reset();
    d.setZoomed(false);
  }
  d.updateNote();
}

void MetricChart::clearSeries() {
  Impl& d = *d_;
  d.hideHover();
  for (auto& e : d.entries) {
    d.chart->removeSeries(e->series);
    delete e->series;
    delete e->legend;
  }
  d.entries.clear();
  d.layoutLegend();
  d.xTracker.reset();
  d.yTracker.reset();
  d.setZoomed(false);
  d.updateNote();
}

bool MetricChart::hasSeries(const QString& key) const { return d_->find(key) != nullptr; }

QStringList MetricChart::seriesKeys() const {
  QStringList keys;
  for (const auto& e : d_->entries) keys.append(e->key);
  return keys;
}

void MetricChart::setSeriesVisible(const QString& key, bool visible) {
  SeriesEntry* e = d_->find(key);
  if (e == nullptr || e->visible == visible) return;
  e->visible = visible;
  e->series->setVisible(visible);
  d_->applyLegendStyle(*e);
  // Hiding a series is how users get an outlier (a diverged run) out of the way: refit to what
  // is left, unless they have zoomed by hand.
  if (!d_->zoomed) {
    d_->xTracker.reset();
    d_->yTracker.reset();
  }
  d_->updateAxes();
  d_->updateNote();
}

bool MetricChart::isSeriesVisible(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  return e != nullptr && e->visible;
}

void MetricChart::setDashed(const QString& key, bool dashed) {
  SeriesEntry* e = d_->find(key);
  if (e == nullptr || e->dashed == dashed) return;
  e->dashed = dashed;
  d_->applyPen(*e);
}

void MetricChart::setReferenceLine(double y, const QString& label) {
  d_->refY = y;
  d_->refLabel = label;
  d_->updateAxes();
  d_->updateOverlays();
}

void MetricChart::clearReferenceLine() {
  setReferenceLine(std::numeric_limits<double>::quiet_NaN(), QString());
}

void MetricChart::setMarkers(const QList<Marker>& markers) {
  d_->markerList = markers;
  d_->updateOverlays();
}

QList<MetricChart::Marker> MetricChart::markers() const { return d_->markerList; }

void MetricChart::resetZoom() {
  Impl& d = *d_;
  d.xTracker.reset();
  d.yTracker.reset();
  d.setZoomed(false);
  d.updateAxes();
}

bool MetricChart::isZoomed() const { return d_->zoomed; }

QImage MetricChart::renderImage(const QSize& pixelSize) {
  if (pixelSize.isEmpty()) return QImage();
  const qreal dpr = std::max<qreal>(1.0, devicePixelRatioF());
  QImage image(pixelSize, QImage::Format_ARGB32_Premultiplied);
  image.fill(palette().color(QPalette::Base));
  QPainter painter(&image);
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  d_->renderTo(&painter, QRectF(QPointF(0, 0), QSizeF(pixelSize)), QSizeF(pixelSize) / dpr);
  return image;
}

bool MetricChart::exportPng(const QString& path, const QSize& pixelSize, QString* error) {
  const auto fail = [&](const QString& why) {
    if (error != nullptr) *error = tr("Cannot export the chart to %1: %2").arg(path, why);
    return false;
  };
  if (pixelSize.isEmpty() || pixelSize.width() > 20000 || pixelSize.height() > 20000) {
    return fail(tr("image size %1x%2 is not between 1 and 20000 pixels")
                    .arg(pixelSize.width())
                    .arg(pixelSize.height()));
  }
  const QImage image = renderImage(pixelSize);
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  if (!image.save(&file, "PNG")) {
    file.cancelWriting();
    return fail(tr("PNG encoding failed"));
  }
  if (!file.commit()) return fail(file.errorString());
  return true;
}

bool MetricChart::exportSvg(const QString& path, const QSize& size, QString* error) {
  const auto fail = [&](const QString& why) {
    if (error != nullptr) *error = tr("Cannot export the chart to %1: %2").arg(path, why);
    return false;
  };
  QSizeF logical = size.isValid() && !size.isEmpty() ? QSizeF(size) : d_->chart->size();
  if (logical.isEmpty()) logical = sizeHint();
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  QSvgGenerator generator;
  generator.setOutputDevice(&file);
  generator.setSize(logical.toSize());
  generator.setViewBox(QRectF(QPointF(0, 0), logical));
  generator.setTitle(title().isEmpty() ? QStringLiteral("LARS Lab chart") : title());
  generator.setDescription(QStringLiteral("Exported from LARS Lab"));
  QPainter painter;
  if (!painter.begin(&generator)) {
    file.cancelWriting();
    return fail(tr("cannot start the SVG writer"));
  }
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  d_->renderTo(&painter, QRectF(QPointF(0, 0), logical), logical);
  painter.end();
  if (!file.commit()) return fail(file.errorString());
  return true;
}

int MetricChart::chartSeriesCount() const { return static_cast<int>(d_->chart->series().size()); }

qsizetype MetricChart::hiddenPointCount() const {
  qsizetype n = 0;
  for (const auto& e : d_->entries) {
    if (e->visible) n += e->clean.hiddenCount();
  }
  return n;
}

QString MetricChart::hiddenPointsNote() const {
  qsizetype nonFinite = 0, nonPositive = 0;
  for (const auto& e : d_->entries) {
    if (!e->visible) continue;
    nonFinite += e->clean.nonFinite;
    nonPositive += e->clean.nonPositive;
  }
  QStringList parts;
  if (nonFinite > 0) {
    parts.append(nonFinite == 1 ? tr("1 non-finite point hidden")
                                : tr("%1 non-finite points hidden").arg(nonFinite));
  }
  if (nonPositive > 0) {
    parts.append(nonPositive == 1 ? tr("1 point \u2264 0 hidden (log scale)")
                                  : tr("%1 points \u2264 0 hidden (log scale)").arg(nonPositive));
  }
  return parts.join(QStringLiteral(" \u00b7 "));
}

QPointF MetricChart::xRange() const { return QPointF(d_->xAxis->min(), d_->xAxis->max()); }
QPointF MetricChart::yRange() const { return QPointF(d_->yMin(), d_->yMax()); }

QPoint MetricChart::legendEntryPosition(const QString& key) const {
  const SeriesEntry* e = d_->find(key);
  if (e == nullptr || !e->legend->isVisible()) return QPoint();
  return d_->view->mapFromScene(e->legend->sceneBoundingRect().center());
}

QWidget* MetricChart::interactionSurface() const { return d_->view->viewport(); }

QSize MetricChart::sizeHint() const { return QSize(520, 320); }
QSize MetricChart::minimumSizeHint() const { return QSize(260, 180); }

void MetricChart::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
    d_->applyPalette();
  }
  QWidget::changeEvent(event);
}

}  // namespace larslab::ui
