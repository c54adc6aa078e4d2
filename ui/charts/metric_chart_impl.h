#pragma once
// Internal to larslab_charts: the state behind MetricChart's pimpl, shared by the files that
// implement its jobs: metric_chart.cpp (the widget and its series), metric_chart_interaction.cpp
// (zoom, pan, hover, context menu) and metric_chart_export.cpp (images). Each part it holds is
// its own file: chart_axes (ranges, ticks, mapping), chart_legend, chart_markers, chart_hover.

#include <QToolButton>
#include <QtCharts/QChart>
#include <limits>
#include <memory>
#include <vector>

#include "ui/charts/chart_axes.h"
#include "ui/charts/chart_hover.h"
#include "ui/charts/chart_legend.h"
#include "ui/charts/chart_markers.h"
#include "ui/charts/chart_series.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/metric_chart.h"

namespace larslab::ui {

struct MetricChart::Impl : detail::ChartViewListener {
  explicit Impl(MetricChart* owner);

  detail::SeriesEntry* find(const QString& key) const;
  void applyPen(detail::SeriesEntry& e);
  void applyLegendStyle(detail::SeriesEntry& e);
  void layoutLegend();
  void updateAxes();  // fit the ranges to the visible data, unless zoomed
  void setXRange(double lo, double hi);
  void setYRange(double lo, double hi);
  void setZoomed(bool z);
  void updateOverlays();
  void updateNote();
  void refreshHover();
  void hideHover();
  void applyPalette();
  // The widget font at the presentation scale: every text of the chart derives from it.
  [[nodiscard]] QFont font() const;
  void placeMaximizeButton();
  void styleMaximizeButton();
  void renderTo(QPainter* painter, const QRectF& target, const QSizeF& logicalSize);

  // --- ChartViewListener (metric_chart_interaction.cpp) ---
  void hoverAt(const QPointF& chartPos) override;
  void hoverLeft() override;
  void zoomToRect(const QRectF& chartRect, bool xOnly, bool yOnly) override;
  void zoomAround(const QPointF& chartPos, double factor) override;
  void panByPixels(const QPointF& delta) override;
  void resetZoomRequested() override { q->resetZoom(); }
  void contextMenuRequested(const QPoint& globalPos) override;
  // Every series with a check box to show or hide it (the legend's "+N more").
  void showSeriesList(const QPoint& globalPos);
  void viewResized() override;
  void titleDoubleClicked() override { Q_EMIT q->maximizeRequested(); }
  bool inScrubStrip(const QPointF& chartPos) const override;
  void scrubTo(const QPointF& chartPos) override;

  MetricChart* q;
  QChart* chart = nullptr;
  detail::ChartView* view = nullptr;
  std::unique_ptr<detail::ChartAxes> axes;
  std::unique_ptr<detail::ChartLegend> legend;
  std::unique_ptr<detail::ChartMarkers> markers;
  std::unique_ptr<detail::ChartHover> hover;
  QToolButton* maximizeButton = nullptr;
  bool maximized = false;
  double fontScale = 1.0;
  bool zoomed = false;
  bool retickQueued = false;
  std::vector<std::unique_ptr<detail::SeriesEntry>> entries;
  int legendHeight = 0;
  double coverLo = std::numeric_limits<double>::quiet_NaN();  // setXCoverage()
  double coverHi = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace larslab::ui
