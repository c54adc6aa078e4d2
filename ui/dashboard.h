#pragma once
// The charts: loss, accuracy and learning rate of every run, and one chart per per-tensor metric
// (one line per tensor of the selected run, or one tensor across runs). Reads a MetricsStore on
// each refresh() (the window calls it at ~30 Hz), reduces every displayed column incrementally
// to about the chart's pixel width (SeriesCache) and calls MetricChart::setSeries once per
// changed series. Pinned runs (ui/pinned_runs.h) are drawn next to the live ones, dimmed, from
// their own stores (ui/dashboard_pins.cpp).

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "charts/metric_chart.h"
#include "engine/metrics_store.h"
#include "pinned_runs.h"
#include "series_cache.h"

class QBoxLayout;
class QButtonGroup;
class QGridLayout;
class QCheckBox;
class QComboBox;
class QLabel;
class QRadioButton;
class QSlider;
class QStackedWidget;

namespace larslab::ui {

class RunColorMap;

class Dashboard : public QWidget {
  Q_OBJECT

 public:
  // The run-level charts come first, then one chart per per-tensor metric in the order of
  // optim::kTensorMetrics, which also gives their titles, tooltips and file stems.
  enum class RunChart { Loss, Accuracy, LearningRate, Count };
  static constexpr int kRunChartCount = static_cast<int>(RunChart::Count);
  // One chart: its index in [0, kChartCount).
  struct ChartId {
    int index = 0;
    static constexpr ChartId of(RunChart c) { return {static_cast<int>(c)}; }
    static constexpr ChartId of(engine::TensorMetric m) { return {kRunChartCount + static_cast<int>(m)}; }
    [[nodiscard]] constexpr bool isTensorChart() const { return index >= kRunChartCount; }
    [[nodiscard]] constexpr engine::TensorMetric tensorMetric() const {
      return static_cast<engine::TensorMetric>(index - kRunChartCount);
    }
  };
  enum class TensorMode { TensorsOfRun, RunsOfTensor };
  // Which tensors the per-tensor charts draw in TensorsOfRun mode.
  enum class TensorFilter { All, Weights, OneDimensional };
  static constexpr int kChartCount = kRunChartCount + engine::kTensorMetricCount;
  // The view choices the window remembers across starts; a default View is the initial view.
  struct View {
    double smoothing = 0.0;
    bool logScale = true;
    bool xInEpochs = false;
    TensorMode tensorMode = TensorMode::TensorsOfRun;
    std::optional<TensorFilter> tensorFilter;  // chosen by the user; nullopt: follows the tensor count
    // Alternatives (TensorMetricInfo::alternativeOf) shown in place of the metric they plot
    // another way, in table order; a place not listed shows its own metric.
    std::vector<engine::TensorMetric> alternativeCharts;
    bool operator==(const View&) const = default;
  };

  explicit Dashboard(RunColorMap* colors, QWidget* parent = nullptr);
  ~Dashboard() override;

  // A different store (new session, reset, CSV log) forgets every reduction and marker.
  void setStore(std::shared_ptr<const engine::MetricsStore> store);
  [[nodiscard]] const std::shared_ptr<const engine::MetricsStore>& store() const { return store_; }

  void setSelectedRun(const QString& run);
  [[nodiscard]] QString selectedRun() const { return selectedRun_; }
  void setTensorMode(TensorMode mode);
  [[nodiscard]] TensorMode tensorMode() const { return view_.tensorMode; }
  void setSelectedTensor(const QString& tensor);
  [[nodiscard]] QString selectedTensor() const { return selectedTensor_; }
  // The filter drawn now (chosen, or weights only beyond eight tensors).
  [[nodiscard]] TensorFilter tensorFilter() const { return tensorFilter_; }
  void chooseTensorFilter(TensorFilter filter);  // as the user does: kept whatever the model
  void setSmoothing(double weight);  // debiased EMA weight in [0, 0.999]
  [[nodiscard]] double smoothing() const { return view_.smoothing; }
  void setXInEpochs(bool epochs);
  [[nodiscard]] bool xInEpochs() const { return view_.xInEpochs; }
  void setLogScale(bool log);        // every chart but accuracy
  [[nodiscard]] bool logScale() const { return view_.logScale; }
  [[nodiscard]] const View& view() const { return view_; }
  void setView(const View& view);

  // Presentation scale of every chart's text (1 = normal); chart minimums grow with it, so the
  // charts scroll rather than squeeze their labels.
  void setFontScale(double scale);
  [[nodiscard]] double fontScale() const { return fontScale_; }

  // Of a per-tensor metric and its alternatives (TensorMetricInfo::alternativeOf: the update
  // ratio and cs231n's update-to-data ratio), which one its chart place shows.
  void chooseTensorChart(engine::TensorMetric m);
  [[nodiscard]] bool isTensorChartChosen(engine::TensorMetric m) const;

  // One chart alone fills the dashboard (nullopt: the grid of every chart). The charts' corner
  // buttons and title double-clicks ask for it through chartMaximizeRequested().
  void setMaximizedChart(std::optional<ChartId> id);
  [[nodiscard]] std::optional<ChartId> maximizedChart() const { return maximized_; }
  // The chart a keyboard command means: the maximised one, else the one with the focus, else
  // the one under the mouse, else the loss chart.
  [[nodiscard]] ChartId currentChart() const;

  // Steps the session will train (0: unknown, e.g. a log): no x axis is fitted past them.
  void setPlannedSteps(long steps);

  // The step cursor (the window's StepCursor): every chart draws a line at `step` with a
  // "step k" label; -1 for none (live). Unchanged, it costs nothing.
  void setCursorStep(long step);
  [[nodiscard]] long cursorStep() const { return cursorStep_; }

  // The pinned runs every chart draws next to the live ones; changes show at the next refresh().
  [[nodiscard]] PinnedRuns& pins() { return pins_; }
  [[nodiscard]] const PinnedRuns& pins() const { return pins_; }

  // Markers for these events (hyperparameter changes, option switches, divergence...).
  void addEvents(const std::vector<engine::Event>& events);

  // One GUI tick: pull new steps from the store and update what changed.
  void refresh();

  [[nodiscard]] MetricChart* chart(ChartId id) const { return charts_[static_cast<std::size_t>(id.index)]; }
  [[nodiscard]] MetricChart* chart(RunChart c) const { return chart(ChartId::of(c)); }
  [[nodiscard]] MetricChart* chart(engine::TensorMetric m) const { return chart(ChartId::of(m)); }
  [[nodiscard]] static QString chartName(ChartId id);
  // Only these charts are shown (a lesson step's presentation); empty: every chart as usual
  // (accuracy only for classification, one chart of a metric and its alternatives).
  void setShownCharts(std::vector<ChartId> charts);
  [[nodiscard]] bool lessonAllows(ChartId id) const;
  [[nodiscard]] static QString chartFileStem(ChartId id);
  // Names of the runs shown (not removed), in store order.
  [[nodiscard]] QStringList runNames() const { return runNames_; }
  void resetZoom();

 Q_SIGNALS:
  void selectedRunChanged(const QString& run);
  void chartMaximizeRequested(larslab::ui::Dashboard::ChartId id);
  // The user scrubbed along a chart's x axis to `step` (not clamped to the steps recorded).
  void scrubRequested(long step);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct RunEntry {
    int index = -1;
    QString name;
    bool removed = false;
  };
  using CacheKey = std::tuple<int, int, int>;
  SeriesCache& cache(const ColumnRef& ref, int targetBuckets);
  void syncRunList();
  void syncTensorList();
  void rebuildMarkers();
  void updateColumn(MetricChart* chart, const QString& key, const QString& label, const QColor& color,
                    const ColumnRef& ref, double xScale, QSet<QString>& present);
  // Pushes the reduction `c` of `store` as series `key` when it changed.
  void drawColumn(MetricChart* chart, const QString& key, const QString& label, const QColor& color, SeriesCache& c,
                  const engine::MetricsStore& store, double xScale, QSet<QString>& present);
  void updateEvaluations(MetricChart* chart, int run, const QString& name, bool accuracy,
                         double xScale, QSet<QString>& present);
  void drawEvaluations(MetricChart* chart, const QString& key, const QString& label, const QColor& color,
                       const std::vector<engine::EvalPoint>& evals, std::size_t count, bool accuracy, double xScale);
  // dashboard_pins.cpp: the pinned runs in the run charts and in one per-tensor chart. Pins
  // extend the per-tensor charts' shared x range to `coverage` (x units).
  void syncPins();
  void drawPinsInRunCharts(QSet<QString>& loss, QSet<QString>& accuracy, QSet<QString>& lr);
  void drawPinsInTensorChart(MetricChart* chart, int metric, QStringList& notApplicable, QSet<QString>& present,
                             double& coverage);
  [[nodiscard]] double pinXScale(const PinnedRun& pin) const;  // 0: cannot be drawn in epochs
  SeriesCache& pinCache(const PinnedRun& pin, int tensor, int metric, int targetBuckets);
  bool pinTrustRatioNotApplicable(const PinnedRun& pin, int tensor);
  void removeAbsent(MetricChart* chart, const QSet<QString>& present);
  void applyVisibility(MetricChart* chart, const QString& key);
  void onSeriesToggled(const QString& key, bool visible);
  int bucketsFor(const MetricChart* chart) const;
  // True while every trust ratio the store holds for (run, tensor) is exactly 1: the optimizer
  // has none (SGD, Adam...), or this tensor is excluded from it. Reads only the new steps.
  bool trustRatioNotApplicable(int run, int tensor);
  void applyCursor();  // cursorStep_ onto every chart, in the current x unit
  void placeRunCharts(bool showAccuracy);
  std::vector<ChartId> shownCharts_;
  void placeChart(ChartId id);  // back in its cell of the grid
  void setTensorFilter(TensorFilter filter);
  [[nodiscard]] TensorFilter automaticTensorFilter() const;

  RunColorMap* colors_;
  std::shared_ptr<const engine::MetricsStore> store_;
  PinnedRuns pins_;
  std::uint64_t pinsRevision_ = 0;
  std::map<CacheKey, SeriesCache> pinCaches_;                 // (pin id, tensor, metric)
  std::map<std::pair<int, bool>, double> pinEvalSeen_;        // (pin id, accuracy) -> xScale drawn
  std::map<std::pair<int, int>, bool> pinUnitTrust_;          // (pin id, tensor) -> trust ratio all 1
  std::vector<MetricChart*> charts_;
  long refreshCount_ = 0;  // refresh() calls: whose turn it is to redraw its growing edges
  std::map<CacheKey, SeriesCache> caches_;
  std::map<std::pair<int, bool>, std::pair<std::size_t, double>> evalSeen_;  // (run, acc) -> (count, xScale)
  std::vector<RunEntry> runs_;
  QStringList runNames_;
  std::vector<engine::Event> events_;
  bool markersDirty_ = false;
  bool refitAll_ = false;            // resetZoom every chart after the next refresh
  bool refitTensorCharts_ = false;   // ... the per-tensor charts
  QSet<QString> hiddenKeys_;
  QString selectedRun_;
  QString selectedTensor_;
  View view_;
  TensorFilter tensorFilter_ = TensorFilter::All;  // drawn now: view_.tensorFilter or automatic
  double fontScale_ = 1.0;
  std::optional<ChartId> maximized_;
  double lastXScale_ = 1.0;
  long plannedSteps_ = 0;
  long cursorStep_ = -1;
  double lastXLimit_ = std::numeric_limits<double>::quiet_NaN();
  std::map<std::pair<int, int>, std::pair<long, bool>> unitTrust_;  // (run, tensor) -> (steps read, all 1)
  bool accuracyShown_ = true;
  QList<QPointF> scratch_;

  QComboBox* runCombo_ = nullptr;
  QComboBox* tensorCombo_ = nullptr;
  QComboBox* filterCombo_ = nullptr;
  QRadioButton* byRun_ = nullptr;
  QRadioButton* byTensor_ = nullptr;
  QSlider* smoothingSlider_ = nullptr;
  QLabel* smoothingLabel_ = nullptr;
  QComboBox* xAxis_ = nullptr;
  QCheckBox* logBox_ = nullptr;
  QLabel* tensorHeading_ = nullptr;
  QLabel* trainingHeading_ = nullptr;
  QLabel* hint_ = nullptr;  // mouse help, hidden when it does not fit next to the heading
  QGridLayout* grid_ = nullptr;
  QStackedWidget* pages_ = nullptr;  // the grid of charts, or one chart maximised
  QBoxLayout* maximizedPage_ = nullptr;
  QBoxLayout* tensorBar_ = nullptr;  // one row, or two when the dashboard is narrow
  QBoxLayout* tensorBarByRun_ = nullptr;
  QBoxLayout* tensorBarByTensor_ = nullptr;
};

}  // namespace larslab::ui
