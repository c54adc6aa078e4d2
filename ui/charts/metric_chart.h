#pragma once
// MetricChart: one line chart of training metrics (loss, accuracy, a per-tensor norm...).
// The public API uses only plain Qt types; Qt Charts stays behind a pimpl so it can be replaced.
//
// Feeding data: call setSeries() once per GUI tick per series with already-downsampled points
// (about one min/max pair per two pixel columns); each call does exactly one QXYSeries::replace(),
// and none at all when the list is unchanged (a paused run). Qt Charts 6.4 costs ~2 us per point
// per replace(), so more than 4096 points are min/max-decimated for drawing as a safety net
// (hover still reads every point). Points should be in increasing x order (hover uses a binary
// search; unsorted input falls back to a linear scan and is never decimated).
//
// Values the chart cannot draw are dropped, never clamped: NaN/inf always, and y <= 0 on a log
// axis. The number hidden is shown in a small note under the plot ("3 non-finite points hidden").
//
// Axes follow the data with hysteresis (linear spans at least double, log ranges grow by whole
// decades) over the visible series and the reference line; they never shrink by themselves.
// resetZoom(), clearing the data, switching log/linear and showing/hiding a series refit them.
// Once the user zooms or pans, new data no longer moves the axes until resetZoom(). A log axis
// labels whole decades only, so a zoom inside one decade shows no y labels (hover still reads).
// Ticks are chosen from the plot's pixel size and the label font so that no label is ever elided
// (every 2nd, 5th... decade on a tall log range; coarser steps on a short linear axis).
//
// Mouse and keys: left-drag in the plot = rubber-band zoom; press or drag on the x axis strip
// under the plot, or Alt+drag in the plot = cursorDragged() (the step scrubber); wheel = zoom around the cursor;
// middle-drag or Shift+left-drag = pan; arrow keys = pan; +/- = zoom; double-click in the plot,
// Home or 0 = reset zoom; double-click on the title or the small button in the top-right corner =
// maximizeRequested() (the dashboard decides what maximised means); hover = crosshair with each visible series' nearest point (and marker text near a
// marker); click a legend entry = hide/show that series; right-click = context menu (reset zoom,
// log scale, copy image, export PNG/SVG). The wheel zooms only over the plot; elsewhere it is
// left to a surrounding scroll area. A widget tooltip shows outside the plot only.
//
// The legend is the chart's own: entries in wrapped, centred rows under the plot (Qt Charts'
// legend elides everything into one row or cuts a column off in small charts), at most a fifth
// of the chart's height with "+N more" for the rest (click: every series, with check boxes); a
// chart with one series shows no legend. setFontScale() scales every text of the chart (title,
// axis titles, tick labels, legend, markers, read-out) for a lecture hall; the tick and legend
// layout measure the scaled fonts, so nothing is elided at any scale. Colours come from the widget palette (light/dark), re-applied on
// palette and font changes; lines are 1 px (the raster engine's fast path) and scale with the
// device pixel ratio.

#include <QColor>
#include <QFont>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>

namespace larslab::ui {

class MetricChart : public QWidget {
  Q_OBJECT

 public:
  // A vertical line at x (a hyperparameter change, a reset, a divergence...).
  struct Marker {
    double x = 0.0;
    QString text;
    QColor color;
  };

  // The resolution fonts and pens are designed for: an export at dpi draws them dpi/96 larger.
  static constexpr double kScreenDpi = 96.0;

  explicit MetricChart(QWidget* parent = nullptr);
  ~MetricChart() override;

  void setTitle(const QString& title);
  QString title() const;
  void setYAxisLabel(const QString& label);
  QString yAxisLabel() const;
  void setXAxisLabel(const QString& label);  // "step" by default, or "epoch"
  QString xAxisLabel() const;

  void setLogY(bool logY);
  bool logY() const;

  // Adds or updates the series `key` (legend text `label`). Keeps its visibility and dash state.
  void setSeries(const QString& key, const QString& label, const QColor& color,
                 const QList<QPointF>& points);
  void removeSeries(const QString& key);
  void clearSeries();
  bool hasSeries(const QString& key) const;
  QStringList seriesKeys() const;  // in insertion (legend) order
  // What series `key` shows: its legend text, colour, and the points given (empty if absent).
  QString seriesLabel(const QString& key) const;
  QColor seriesColor(const QString& key) const;
  int seriesPointCount(const QString& key) const;
  QPointF seriesLastPoint(const QString& key) const;

  // Programmatic visibility; does not emit seriesToggled (only a legend click does).
  void setSeriesVisible(const QString& key, bool visible);
  bool isSeriesVisible(const QString& key) const;
  void setDashed(const QString& key, bool dashed);  // e.g. test loss dashed, train loss solid

  // Dashed horizontal line (e.g. update ratio 1e-3). A non-finite y removes it.
  void setReferenceLine(double y, const QString& label);
  void clearReferenceLine();
  void setMarkers(const QList<Marker>& markers);
  // The step cursor: a solid vertical line at x (x units: steps or epochs) labelled `label`
  // ("step 120") at the bottom of the plot; NaN for none. It never refits the axes or touches
  // the zoom, and an unchanged cursor costs nothing.
  void setCursorX(double x, const QString& label = QString());
  double cursorX() const;  // NaN when none
  QString cursorLabel() const;
  // Where the cursor line is drawn, in interactionSurface() x pixels (-1 when not shown).
  int cursorPixel() const;
  // The middle of the x axis strip under the plot at x (the press that scrubs there), in
  // interactionSurface() coordinates: lets tests drag the real strip.
  QPoint scrubStripPosition(double x) const;
  // Fitted y ranges stay within [lo, hi] (accuracy: [0, 1]); NaN for no limit. Zoom may go past.
  void setYBounds(double lo, double hi);
  // Fitted x ranges end at `hi` at most (the planned length: the axis grows by doubling, but
  // not past the last step), unless the data goes further; NaN for no limit.
  void setXLimit(double hi);
  // The x axis covers at least [lo, hi] once there is data (charts that share the x range);
  // NaN for none.
  void setXCoverage(double lo, double hi);
  // A sentence shown in the middle of the plot (why there is no line); empty for none.
  void setPlotMessage(const QString& text);
  QString plotMessage() const;
  QList<Marker> markers() const;

  void resetZoom();
  bool isZoomed() const;

  // Presentation scale of every text in the chart (1 = the widget font), e.g. 1.5 for 150%.
  void setFontScale(double scale);
  double fontScale() const;
  QFont titleFont() const;      // as drawn, for tests and tools
  QFont tickLabelFont() const;

  // Shown maximised (the corner button then offers to restore). Only the button's look: what
  // maximised means is the owner's business (it listens to maximizeRequested()).
  void setMaximized(bool maximized);
  bool isMaximized() const;
  // The centre of the title in interactionSurface() coordinates (lets tests double-click it).
  QPoint titlePosition() const;

  // Renders the chart (without hover decorations) at exactly `pixelSize` pixels. It is laid out
  // at pixelSize / scale logical pixels and drawn `scale` times larger: scale is dpi / 96 for a
  // print resolution; 0 means the widget's device pixel ratio (what the screen shows).
  QImage renderImage(const QSize& pixelSize, double scale = 0.0);
  // PNG of exactly `pixelSize` pixels written atomically. dpi > 0: text and lines scaled by
  // dpi / 96 (a 1600 px wide export at 300 DPI looks like a 512 pt wide chart printed sharp) and
  // the file's physical resolution set to dpi; dpi 0: as on screen, no resolution stored.
  // Returns false and fills *error on failure.
  bool exportPng(const QString& path, const QSize& pixelSize, int dpi = 0, QString* error = nullptr);
  // Vector export; `size` in points, defaults to the current widget size.
  bool exportSvg(const QString& path, const QSize& size = QSize(), QString* error = nullptr);

  // Introspection for the window's status text and for tests.
  int chartSeriesCount() const;       // QAbstractSeries objects currently in the chart
  qsizetype hiddenPointCount() const; // points dropped by cleaning over all series
  QString hiddenPointsNote() const;   // the note shown under the plot ("" when nothing hidden)
  QPointF xRange() const;             // current axis ranges as (min, max)
  QPointF yRange() const;
  // Where a legend entry sits, in interactionSurface() coordinates (null if not shown), and the
  // widget that receives mouse events: lets tests click the real legend.
  QPoint legendEntryPosition(const QString& key) const;
  QWidget* interactionSurface() const;
  // The strip under the plot (legend rows and note) in pixels, at most about a fifth of the
  // chart's height; entries that do not fit are behind a "+N more" entry (its position here,
  // null when every entry is shown) whose click lists every series.
  int legendHeight() const;
  int legendOverflowCount() const;
  QPoint legendOverflowPosition() const;
  // Every legend item shown (entries and "+N more"), united, in interactionSurface() coordinates.
  QRect legendBounds() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void seriesToggled(const QString& key, bool visible);  // by a legend click
  void zoomChanged(bool zoomed);
  void logYChanged(bool logY);  // from the context menu or setLogY()
  void maximizeRequested();     // the corner button or a double-click on the title
  // The user scrubs: a press or drag on the x axis strip under the plot, or Alt+drag in the
  // plot, at x (x units). The chart does not move its cursor itself: its owner decides.
  void cursorDragged(double x);

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

}  // namespace larslab::ui
