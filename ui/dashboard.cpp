#include "dashboard.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSlider>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "run_colors.h"
#include "tensor_metric_text.h"

namespace larslab::ui {

namespace {

// Small enough that nine charts fit next to the docks of a 1280x720 window; the tick policy and
// the legend cap keep them readable there. Grows with the presentation text scale.
constexpr QSize kChartMinimum(180, 150);
constexpr int kTensorChartColumns = 3;

// Per-tensor chart places: one per metric of the table, except that an alternative way to plot a
// metric (alternativeOf) shares that metric's place.
int placeOf(engine::TensorMetric m) {
  const optim::TensorMetricInfo& info = optim::tensorMetricInfo(m);
  if (info.alternativeOf != engine::TensorMetric::Count) return placeOf(info.alternativeOf);
  int place = 0;
  for (int i = 0; i < static_cast<int>(m); ++i)
    place += optim::kTensorMetrics[static_cast<std::size_t>(i)].alternativeOf == engine::TensorMetric::Count;
  return place;
}

int tensorPlaceCount() { return placeOf(static_cast<engine::TensorMetric>(engine::kTensorMetricCount - 1)) + 1; }
constexpr int kSmoothSeriesBuckets = 128;

using engine::RunMetric;

QString runKey(const QString& run) { return QStringLiteral("run:") + run; }
QString testKey(const QString& run) { return QStringLiteral("test:") + run; }
QString tensorKey(const QString& tensor) { return QStringLiteral("tensor:") + tensor; }

// The run-level charts; the per-tensor ones come from the metric table.
struct RunChartInfo {
  const char* name;
  const char* fileStem;
  const char* tip;
  bool logScale;  // follows the log-scale switch
};
constexpr RunChartInfo kRunCharts[Dashboard::kRunChartCount] = {
    {QT_TRANSLATE_NOOP("larslab::ui::Dashboard", "Loss"), "loss",
     QT_TRANSLATE_NOOP("larslab::ui::Dashboard",
                       "Training loss of each run's minibatch (solid) and mean test loss at each evaluation (dashed)."),
     true},
    {QT_TRANSLATE_NOOP("larslab::ui::Dashboard", "Accuracy"), "accuracy",
     QT_TRANSLATE_NOOP("larslab::ui::Dashboard",
                       "Fraction of correctly classified samples: minibatch (solid) and test split (dashed)."),
     false},
    {QT_TRANSLATE_NOOP("larslab::ui::Dashboard", "Learning rate"), "lr",
     QT_TRANSLATE_NOOP("larslab::ui::Dashboard",
                       "Global learning rate of each run at each step, after warm-up and schedule."),
     true},
};

const RunChartInfo& runChartInfo(Dashboard::ChartId id) { return kRunCharts[id.index]; }

QString chartTip(Dashboard::ChartId id) {
  return id.isTensorChart() ? metricTip(id.tensorMetric()) : Dashboard::tr(runChartInfo(id).tip);
}

bool chartLogScale(Dashboard::ChartId id) {
  return id.isTensorChart() ? optim::tensorMetricInfo(id.tensorMetric()).logScale : runChartInfo(id).logScale;
}

}  // namespace

QString Dashboard::chartName(ChartId id) {
  return id.isTensorChart() ? metricLabel(id.tensorMetric()) : tr(runChartInfo(id).name);
}

QString Dashboard::chartFileStem(ChartId id) {
  return QString::fromUtf8(id.isTensorChart() ? engine::tensorMetricName(id.tensorMetric()) : runChartInfo(id).fileStem);
}

Dashboard::Dashboard(RunColorMap* colors, QWidget* parent) : QWidget(parent), colors_(colors) {
  // Two pages: the controls over the grid of charts, or one chart maximised.
  auto* outerLayout = new QVBoxLayout(this);
  outerLayout->setContentsMargins(6, 4, 6, 4);
  pages_ = new QStackedWidget(this);
  outerLayout->addWidget(pages_);
  auto* gridPage = new QWidget(pages_);
  auto* outer = new QVBoxLayout(gridPage);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(4);
  pages_->addWidget(gridPage);
  auto* maximizedPage = new QWidget(pages_);
  maximizedPage_ = new QVBoxLayout(maximizedPage);
  maximizedPage_->setContentsMargins(0, 0, 0, 0);
  pages_->addWidget(maximizedPage);

  // View controls shared by every chart.
  auto* controls = new QHBoxLayout;
  controls->setSpacing(8);
  auto* smoothLabel = new QLabel(tr("Smoothing"), this);
  smoothingSlider_ = new QSlider(Qt::Horizontal, this);
  smoothingSlider_->setObjectName(QStringLiteral("smoothingSlider"));
  smoothingSlider_->setRange(0, 99);
  smoothingSlider_->setFixedWidth(140);
  const QString smoothTip =
      tr("Debiased exponential moving average of every curve (as in TensorBoard); the raw data is kept.");
  smoothingSlider_->setToolTip(smoothTip);
  smoothLabel->setToolTip(smoothTip);
  smoothingLabel_ = new QLabel(QStringLiteral("0.00"), this);
  smoothingLabel_->setMinimumWidth(32);
  controls->addWidget(smoothLabel);
  controls->addWidget(smoothingSlider_);
  controls->addWidget(smoothingLabel_);
  controls->addSpacing(12);
  auto* xLabel = new QLabel(tr("X axis"), this);
  xAxis_ = new QComboBox(this);
  xAxis_->setObjectName(QStringLiteral("xAxisUnit"));
  xAxis_->addItem(tr("steps"));
  xAxis_->addItem(tr("epochs"));
  xAxis_->setToolTip(tr("Show training progress in optimizer steps or in passes over the training set."));
  controls->addWidget(xLabel);
  controls->addWidget(xAxis_);
  controls->addSpacing(12);
  logBox_ = new QCheckBox(tr("Log scale"), this);
  logBox_->setObjectName(QStringLiteral("logScale"));
  logBox_->setChecked(view_.logScale);
  logBox_->setToolTip(tr("Logarithmic y axes (all charts but accuracy); zeros and non-finite values are hidden and counted."));
  controls->addWidget(logBox_);
  auto* resetZoomButton = new QPushButton(tr("Reset zoom"), this);
  resetZoomButton->setObjectName(QStringLiteral("resetZoom"));
  resetZoomButton->setToolTip(tr("Fit every chart to its data again (or double-click a chart)."));
  controls->addWidget(resetZoomButton);
  controls->addStretch(1);
  outer->addLayout(controls);

  // The charts scroll when the window is smaller than their minimums (a 1280x720 laptop with
  // the docks open); the wheel zooms only over a plot, so it scrolls everywhere else.
  auto* chartArea = new QWidget;
  auto* grid = new QGridLayout(chartArea);
  grid_ = grid;
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(4);
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("chartScroll"));
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(chartArea);
  outer->addWidget(scroll, 1);

  for (int i = 0; i < kChartCount; ++i) {
    const ChartId id{i};
    auto* c = new MetricChart(this);
    c->setObjectName(QStringLiteral("chart_") + chartFileStem(id));
    c->setTitle(chartName(id));
    c->setToolTip(chartTip(id));
    c->setLogY(chartLogScale(id));
    c->setMinimumSize(kChartMinimum);
    if (id.index == ChartId::of(RunChart::Accuracy).index) c->setYBounds(0.0, 1.0);
    if (id.isTensorChart()) {
      const optim::TensorMetricInfo& m = optim::tensorMetricInfo(id.tensorMetric());
      if (m.referenceLabel != nullptr) c->setReferenceLine(m.referenceValue, metricText(m.referenceLabel));
    }
    connect(c, &MetricChart::seriesToggled, this, &Dashboard::onSeriesToggled);
    connect(c, &MetricChart::maximizeRequested, this, [this, id] { Q_EMIT chartMaximizeRequested(id); });
    connect(c, &MetricChart::cursorDragged, this, [this](double x) {
      Q_EMIT scrubRequested(std::max(0L, std::lround(x / lastXScale_)));
    });
    charts_.push_back(c);
  }

  auto* trainingHeading = new QLabel(tr("<b>Training</b> — every run, same data, same initial weights"), this);
  auto* headingRow = new QHBoxLayout;
  headingRow->addWidget(trainingHeading);
  grid->addLayout(headingRow, 0, 0, 1, 3);
  auto* hint = new QLabel(tr("drag: zoom · Shift+drag: pan · double-click: reset · legend click: hide"), this);
  hint->setToolTip(tr("Drag a rectangle or turn the wheel to zoom, Shift+drag (or middle drag) to pan, "
                      "double-click to fit again; click a legend entry to hide that line in every chart; "
                      "right-click for log scale and PNG/SVG export; drag along the x axis under a plot (or Alt+drag) "
                      "to scrub the step cursor, L returns to live."));
  hint->setForegroundRole(QPalette::PlaceholderText);
  hint->setObjectName(QStringLiteral("chartHint"));
  hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // first to go when space is short
  hint->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  headingRow->addWidget(hint, 1);
  hint_ = hint;
  trainingHeading_ = trainingHeading;
  placeRunCharts(true);

  // Per-tensor section heading with the mode switch: one row, or two on a narrow dashboard.
  tensorBar_ = new QBoxLayout(QBoxLayout::LeftToRight);
  tensorBarByRun_ = new QHBoxLayout;
  tensorBarByTensor_ = new QHBoxLayout;
  auto* tensorBar = tensorBarByRun_;
  tensorHeading_ = new QLabel(tr("<b>Per-tensor telemetry</b>"), this);
  tensorHeading_->setToolTip(tr("One tensor is one 'layer' for LARS: a dense layer's weight and bias are two tensors."));
  tensorBar->addWidget(tensorHeading_);
  tensorBar->addSpacing(12);
  byRun_ = new QRadioButton(tr("every tensor of run"), this);
  byRun_->setObjectName(QStringLiteral("modeTensorsOfRun"));
  byRun_->setToolTip(tr("One line per tensor (weights solid colour, biases lighter) of the chosen run."));
  byRun_->setChecked(true);
  runCombo_ = new QComboBox(this);
  runCombo_->setObjectName(QStringLiteral("dashboardRun"));
  runCombo_->setToolTip(tr("The run whose tensors the charts below show; also selects it for tuning and the inspector."));
  runCombo_->setMinimumContentsLength(10);
  byTensor_ = new QRadioButton(tr("one tensor across runs"), this);
  byTensor_->setObjectName(QStringLiteral("modeRunsOfTensor"));
  byTensor_->setToolTip(tr("One line per run for the chosen tensor: compare optimizers on the same layer."));
  tensorCombo_ = new QComboBox(this);
  tensorCombo_->setObjectName(QStringLiteral("dashboardTensor"));
  tensorCombo_->setToolTip(tr("The tensor compared across runs."));
  tensorCombo_->setMinimumContentsLength(12);
  tensorCombo_->setEnabled(false);
  auto* group = new QButtonGroup(this);
  group->addButton(byRun_);
  group->addButton(byTensor_);
  filterCombo_ = new QComboBox(this);
  filterCombo_->setObjectName(QStringLiteral("tensorFilter"));
  filterCombo_->addItem(tr("all tensors"));
  filterCombo_->addItem(tr("weights only"));
  filterCombo_->addItem(tr("biases and norms only"));
  // Sized for its short items: the per-tensor controls must fit next to the docks at 1280 px.
  filterCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  filterCombo_->setMinimumContentsLength(11);
  filterCombo_->setToolTip(tr("Which tensors of the run to draw; deep models have many, so weights only is the "
                              "default beyond eight tensors."));
  tensorBar->addWidget(byRun_);
  tensorBar->addWidget(runCombo_);
  tensorBar->addWidget(filterCombo_);
  tensorBar->addStretch(1);
  tensorBarByTensor_->addWidget(byTensor_);
  tensorBarByTensor_->addWidget(tensorCombo_);
  // A metric with another way to plot it (the update ratio and cs231n's update-to-data ratio):
  // a choice of which one its chart place shows.
  for (int m = 0; m < engine::kTensorMetricCount; ++m) {
    const optim::TensorMetricInfo& info = optim::kTensorMetrics[static_cast<std::size_t>(m)];
    if (info.alternativeOf == engine::TensorMetric::Count) continue;
    const optim::TensorMetricInfo& base = optim::tensorMetricInfo(info.alternativeOf);
    auto* combo = findChild<QComboBox*>(QStringLiteral("alternativeChart"));
    if (combo == nullptr || combo->itemData(0).toInt() != static_cast<int>(base.id)) {
      combo = new QComboBox(this);
      combo->setObjectName(QStringLiteral("alternativeChart"));
      combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
      combo->addItem(metricText(base.label), static_cast<int>(base.id));
      combo->setToolTip(tr("How the %1 chart measures a step's size.").arg(metricText(base.label)));
      connect(combo, &QComboBox::currentIndexChanged, this, [this, combo](int k) {
        if (k >= 0) chooseTensorChart(static_cast<engine::TensorMetric>(combo->itemData(k).toInt()));
      });
      tensorBarByTensor_->addWidget(combo);
    }
    combo->addItem(metricText(info.label), static_cast<int>(info.id));
    combo->setItemData(combo->count() - 1, metricText(info.help), Qt::ToolTipRole);
  }
  tensorBarByTensor_->addStretch(1);
  tensorBar_->addLayout(tensorBarByRun_);
  tensorBar_->addLayout(tensorBarByTensor_);
  grid->addLayout(tensorBar_, 2, 0, 1, 3);
  for (int m = 0; m < engine::kTensorMetricCount; ++m) placeChart(ChartId::of(static_cast<engine::TensorMetric>(m)));
  grid->setRowStretch(1, 1);
  for (int r = 0; r < (tensorPlaceCount() + kTensorChartColumns - 1) / kTensorChartColumns; ++r)
    grid->setRowStretch(3 + r, 1);
  for (int col = 0; col < 3; ++col) grid->setColumnStretch(col, 1);

  connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
  connect(xAxis_, &QComboBox::currentIndexChanged, this, [this](int i) { setXInEpochs(i == 1); });
  connect(logBox_, &QCheckBox::toggled, this, [this](bool on) { setLogScale(on); });
  connect(resetZoomButton, &QPushButton::clicked, this, &Dashboard::resetZoom);
  connect(byRun_, &QRadioButton::toggled, this, [this](bool on) {
    setTensorMode(on ? TensorMode::TensorsOfRun : TensorMode::RunsOfTensor);
  });
  connect(runCombo_, &QComboBox::currentIndexChanged, this, [this] {
    const QString name = runCombo_->currentData().toString();
    if (name.isEmpty() || name == selectedRun_) return;
    setSelectedRun(name);
    Q_EMIT selectedRunChanged(name);
  });
  connect(filterCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { chooseTensorFilter(static_cast<TensorFilter>(i)); });
  connect(tensorCombo_, &QComboBox::currentIndexChanged, this, [this] {
    const QString name = tensorCombo_->currentData().toString();
    if (!name.isEmpty()) setSelectedTensor(name);
  });
}

Dashboard::~Dashboard() = default;

void Dashboard::placeRunCharts(bool showAccuracy) {
  accuracyShown_ = showAccuracy;
  chart(RunChart::Accuracy)->setVisible(showAccuracy && lessonAllows(ChartId::of(RunChart::Accuracy)));
  for (const RunChart c : {RunChart::Loss, RunChart::LearningRate}) chart(c)->setVisible(lessonAllows(ChartId::of(c)));
  // A maximised chart stays where it is until it is restored.
  const auto place = [this](RunChart c, int column, int columnSpan) {
    if (maximized_ && maximized_->index == ChartId::of(c).index) return;
    grid_->addWidget(chart(c), 1, column, 1, columnSpan);
  };
  place(RunChart::Loss, 0, 1);
  if (showAccuracy) {
    place(RunChart::Accuracy, 1, 1);
    place(RunChart::LearningRate, 2, 1);
  } else {
    grid_->removeWidget(chart(RunChart::Accuracy));
    place(RunChart::LearningRate, 1, 2);  // no gap where accuracy was
  }
}

void Dashboard::setShownCharts(std::vector<ChartId> charts) {
  shownCharts_ = std::move(charts);
  placeRunCharts(accuracyShown_);
  for (int i = 0; i < engine::kTensorMetricCount; ++i) placeChart(ChartId::of(static_cast<engine::TensorMetric>(i)));
  const int tensorRows = (tensorPlaceCount() + kTensorChartColumns - 1) / kTensorChartColumns;
  if (shownCharts_.empty()) {
    grid_->setRowStretch(1, 1);
    for (int r = 0; r < tensorRows; ++r) grid_->setRowStretch(3 + r, 1);
    for (int col = 0; col < kTensorChartColumns; ++col) grid_->setColumnStretch(col, 1);
    return;
  }
  // Only the shown charts, packed from the top left in the order given, and the rows and
  // columns left empty take no room: a lesson's three charts fill the area, not a corner of it.
  int runColumn = 0, tensorPlace = 0;
  for (const ChartId id : shownCharts_) {
    if (maximized_ && maximized_->index == id.index) continue;
    if (!id.isTensorChart()) {
      grid_->addWidget(chart(id), 1, runColumn++, 1, 1);
    } else {
      grid_->addWidget(chart(id), 3 + tensorPlace / kTensorChartColumns, tensorPlace % kTensorChartColumns);
      ++tensorPlace;
    }
  }
  const int columns = std::max(runColumn, std::min(tensorPlace, kTensorChartColumns));
  for (int col = 0; col < kTensorChartColumns; ++col) grid_->setColumnStretch(col, col < columns ? 1 : 0);
  grid_->setRowStretch(1, runColumn > 0 ? 1 : 0);
  for (int r = 0; r < tensorRows; ++r) grid_->setRowStretch(3 + r, r * kTensorChartColumns < tensorPlace ? 1 : 0);
}

bool Dashboard::lessonAllows(ChartId id) const {
  return shownCharts_.empty() || std::any_of(shownCharts_.begin(), shownCharts_.end(),
                                             [id](ChartId c) { return c.index == id.index; });
}

void Dashboard::placeChart(ChartId id) {
  if (!id.isTensorChart()) {
    placeRunCharts(accuracyShown_);
    return;
  }
  // Per-tensor charts in table order, under their heading (row 2); of a metric and its
  // alternatives, only the one chosen is shown.
  const int place = placeOf(id.tensorMetric());
  grid_->addWidget(chart(id), 3 + place / kTensorChartColumns, place % kTensorChartColumns);
  chart(id)->setVisible(isTensorChartChosen(id.tensorMetric()) && lessonAllows(id));
}

bool Dashboard::isTensorChartChosen(engine::TensorMetric m) const {
  const int place = placeOf(m);
  for (const engine::TensorMetric chosen : view_.alternativeCharts)
    if (placeOf(chosen) == place) return chosen == m;
  return optim::tensorMetricInfo(m).alternativeOf == engine::TensorMetric::Count;  // by default the metric itself
}

void Dashboard::chooseTensorChart(engine::TensorMetric m) {
  if (isTensorChartChosen(m)) return;
  const int place = placeOf(m);
  std::optional<ChartId> shown;
  for (int i = 0; i < engine::kTensorMetricCount; ++i) {
    const auto other = static_cast<engine::TensorMetric>(i);
    if (placeOf(other) == place && isTensorChartChosen(other)) shown = ChartId::of(other);
  }
  if (shown && maximized_ && maximized_->index == shown->index) setMaximizedChart(ChartId::of(m));
  std::vector<engine::TensorMetric>& chosen = view_.alternativeCharts;
  chosen.erase(std::remove_if(chosen.begin(), chosen.end(), [&](engine::TensorMetric c) { return placeOf(c) == place; }),
               chosen.end());
  if (optim::tensorMetricInfo(m).alternativeOf != engine::TensorMetric::Count) {
    chosen.push_back(m);
    std::sort(chosen.begin(), chosen.end());
  }
  for (int i = 0; i < engine::kTensorMetricCount; ++i) {
    const auto other = static_cast<engine::TensorMetric>(i);
    if (placeOf(other) == place && !(maximized_ && maximized_->index == ChartId::of(other).index))
      chart(other)->setVisible(isTensorChartChosen(other) && lessonAllows(ChartId::of(other)));
  }
  for (QComboBox* combo : findChildren<QComboBox*>(QStringLiteral("alternativeChart")))
    for (int k = 0; k < combo->count(); ++k)
      if (combo->itemData(k).toInt() == static_cast<int>(m)) combo->setCurrentIndex(k);
  refresh();
}

void Dashboard::setMaximizedChart(std::optional<ChartId> id) {
  if (id && maximized_ && id->index == maximized_->index) return;
  if (!id && !maximized_) return;
  if (maximized_) {
    const ChartId previous = *maximized_;
    maximized_.reset();
    chart(previous)->setMaximized(false);
    placeChart(previous);
  }
  maximized_ = id;
  if (id) {
    MetricChart* c = chart(*id);
    maximizedPage_->addWidget(c);  // taken out of the grid until restored
    c->setMaximized(true);
    c->show();
    pages_->setCurrentIndex(1);
  } else {
    pages_->setCurrentIndex(0);
  }
}

Dashboard::ChartId Dashboard::currentChart() const {
  if (maximized_) return *maximized_;
  const QWidget* focus = QApplication::focusWidget();
  for (int i = 0; i < kChartCount; ++i)
    if (focus != nullptr && charts_[static_cast<std::size_t>(i)]->isAncestorOf(focus)) return ChartId{i};
  for (int i = 0; i < kChartCount; ++i) {
    const MetricChart* c = charts_[static_cast<std::size_t>(i)];
    if (c->isVisible() && c->underMouse()) return ChartId{i};
  }
  return ChartId::of(RunChart::Loss);
}

void Dashboard::setFontScale(double scale) {
  if (!(scale > 0.0) || scale == fontScale_) return;
  fontScale_ = scale;
  // Taller charts keep the plot readable under larger labels; widths grow half as fast, so three
  // columns still fit next to the docks of a laptop window at 150%.
  const QSize minimum(static_cast<int>(std::lround(kChartMinimum.width() * (1.0 + (scale - 1.0) / 2.0))),
                      static_cast<int>(std::lround(kChartMinimum.height() * scale)));
  for (MetricChart* c : charts_) {
    c->setFontScale(scale);
    c->setMinimumSize(minimum.expandedTo(kChartMinimum));
  }
}

void Dashboard::setView(const View& view) {
  setSmoothing(view.smoothing);
  setLogScale(view.logScale);
  setXInEpochs(view.xInEpochs);
  setTensorMode(view.tensorMode);
  if (view.tensorFilter) {
    chooseTensorFilter(*view.tensorFilter);
  } else {
    view_.tensorFilter.reset();
    setTensorFilter(automaticTensorFilter());
  }
  // Each place shows what `view` chose for it, its own metric where it chose nothing.
  for (int i = 0; i < engine::kTensorMetricCount; ++i) {
    const auto m = static_cast<engine::TensorMetric>(i);
    const bool listed = std::find(view.alternativeCharts.begin(), view.alternativeCharts.end(), m) != view.alternativeCharts.end();
    const bool own = optim::tensorMetricInfo(m).alternativeOf == engine::TensorMetric::Count;
    const bool placeListed = std::any_of(view.alternativeCharts.begin(), view.alternativeCharts.end(),
                                         [&](engine::TensorMetric c) { return placeOf(c) == placeOf(m); });
    if (listed || (own && !placeListed)) chooseTensorChart(m);
  }
}

void Dashboard::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  const int oneRow = tensorBarByRun_->sizeHint().width() + tensorBarByTensor_->sizeHint().width() + 24;
  const auto direction = width() >= oneRow ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
  if (tensorBar_->direction() != direction) tensorBar_->setDirection(direction);
  // The hint is shown whole or not at all, never cut or drawn over the heading.
  hint_->setVisible(width() >= trainingHeading_->sizeHint().width() + hint_->sizeHint().width() + 40);
}

void Dashboard::setStore(std::shared_ptr<const engine::MetricsStore> store) {
  if (store == store_) return;
  store_ = std::move(store);
  caches_.clear();
  evalSeen_.clear();
  unitTrust_.clear();
  runs_.clear();
  runNames_.clear();
  events_.clear();
  markersDirty_ = true;
  for (MetricChart* c : charts_) {
    c->clearSeries();
    c->setMarkers({});
    c->resetZoom();
  }
  syncTensorList();
  syncRunList();
}

void Dashboard::setSelectedRun(const QString& run) {
  if (run == selectedRun_) return;
  selectedRun_ = run;
  const int i = runCombo_->findData(run);
  if (i >= 0 && runCombo_->currentIndex() != i) {
    const QSignalBlocker block(runCombo_);
    runCombo_->setCurrentIndex(i);
  }
  markersDirty_ = true;
  if (view_.tensorMode == TensorMode::TensorsOfRun) refitTensorCharts_ = true;
}

void Dashboard::setTensorMode(TensorMode mode) {
  if (mode == view_.tensorMode) return;
  view_.tensorMode = mode;
  {
    const QSignalBlocker a(byRun_);
    const QSignalBlocker b(byTensor_);
    byRun_->setChecked(mode == TensorMode::TensorsOfRun);
    byTensor_->setChecked(mode == TensorMode::RunsOfTensor);
  }
  runCombo_->setEnabled(mode == TensorMode::TensorsOfRun);
  filterCombo_->setEnabled(mode == TensorMode::TensorsOfRun);
  tensorCombo_->setEnabled(mode == TensorMode::RunsOfTensor);
  markersDirty_ = true;
  for (int m = 0; m < engine::kTensorMetricCount; ++m) chart(static_cast<engine::TensorMetric>(m))->clearSeries();
  refitTensorCharts_ = true;
}

void Dashboard::chooseTensorFilter(TensorFilter filter) {
  view_.tensorFilter = filter;
  setTensorFilter(filter);
}

Dashboard::TensorFilter Dashboard::automaticTensorFilter() const {
  // Legends of a dozen tensors leave no room for the plots: weights only beyond eight.
  return store_ && store_->tensorCount() > 8 ? TensorFilter::Weights : TensorFilter::All;
}

void Dashboard::setTensorFilter(TensorFilter filter) {
  if (filterCombo_->currentIndex() != static_cast<int>(filter)) {
    const QSignalBlocker block(filterCombo_);
    filterCombo_->setCurrentIndex(static_cast<int>(filter));
  }
  if (filter == tensorFilter_) return;
  tensorFilter_ = filter;
  refitTensorCharts_ = true;
}

void Dashboard::setSelectedTensor(const QString& tensor) {
  if (tensor == selectedTensor_) return;
  selectedTensor_ = tensor;
  const int i = tensorCombo_->findData(tensor);
  if (i >= 0 && tensorCombo_->currentIndex() != i) {
    const QSignalBlocker block(tensorCombo_);
    tensorCombo_->setCurrentIndex(i);
  }
  if (view_.tensorMode == TensorMode::RunsOfTensor) {
    for (int m = 0; m < engine::kTensorMetricCount; ++m) chart(static_cast<engine::TensorMetric>(m))->clearSeries();
    refitTensorCharts_ = true;
  }
}

void Dashboard::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.999);
  if (weight == view_.smoothing) return;
  view_.smoothing = weight;
  smoothingLabel_->setText(QString::number(weight, 'f', 2));
  const int pos = static_cast<int>(std::lround(weight * 100));
  if (smoothingSlider_->value() != pos) {
    const QSignalBlocker block(smoothingSlider_);
    smoothingSlider_->setValue(pos);
  }
  for (auto& [key, c] : caches_) c.setSmoothing(weight);
  for (auto& [key, c] : pinCaches_) c.setSmoothing(weight);
}

void Dashboard::setXInEpochs(bool epochs) {
  if (epochs && store_ && store_->stepsPerEpoch() <= 0) epochs = false;
  if (epochs == view_.xInEpochs) return;
  view_.xInEpochs = epochs;
  if (xAxis_->currentIndex() != (epochs ? 1 : 0)) {
    const QSignalBlocker block(xAxis_);
    xAxis_->setCurrentIndex(epochs ? 1 : 0);
  }
  for (MetricChart* c : charts_) c->setXAxisLabel(epochs ? tr("epoch") : tr("step"));
  refitAll_ = true;
  markersDirty_ = true;
}

void Dashboard::setLogScale(bool log) {
  view_.logScale = log;
  if (logBox_->isChecked() != log) {
    const QSignalBlocker block(logBox_);
    logBox_->setChecked(log);
  }
  for (int i = 0; i < kChartCount; ++i)
    if (chartLogScale(ChartId{i})) chart(ChartId{i})->setLogY(log);
}

void Dashboard::resetZoom() {
  for (MetricChart* c : charts_) c->resetZoom();
}

namespace {
// Changes and divergence are drawn on the charts; a rejected command changed nothing. A switch
// without default, so a new kind is a compiler warning here.
bool drawnAsMarker(engine::EventKind kind) {
  switch (kind) {
    case engine::EventKind::Set:
    case engine::EventKind::Option:
    case engine::EventKind::Added:
    case engine::EventKind::Removed:
    case engine::EventKind::Diverged:
    case engine::EventKind::Warning:
      return true;
    case engine::EventKind::Rejected:
    case engine::EventKind::Described:
    case engine::EventKind::Count:
      return false;
  }
  return false;
}
}  // namespace

void Dashboard::addEvents(const std::vector<engine::Event>& events) {
  for (const auto& e : events) {
    if (drawnAsMarker(e.kind)) {
      events_.push_back(e);
      markersDirty_ = true;
    }
  }
}

void Dashboard::syncTensorList() {
  const QString previous = selectedTensor_;
  const QSignalBlocker block(tensorCombo_);
  tensorCombo_->clear();
  if (!store_) return;
  for (int t = 0; t < store_->tensorCount(); ++t) {
    const auto& info = store_->tensors()[static_cast<std::size_t>(t)];
    const QString name = QString::fromStdString(info.name);
    tensorCombo_->addItem(name, name);
    tensorCombo_->setItemData(t, tensorColorOf(store_->tensors(), t), Qt::DecorationRole);
  }
  int i = tensorCombo_->findData(previous);
  if (i < 0) i = 0;
  tensorCombo_->setCurrentIndex(i);
  selectedTensor_ = tensorCombo_->currentData().toString();
  if (!view_.tensorFilter) setTensorFilter(automaticTensorFilter());
}

void Dashboard::syncRunList() {
  if (!store_) {
    const QSignalBlocker block(runCombo_);
    runCombo_->clear();
    return;
  }
  // Runs appear (added) and disappear (removed) rarely: rebuild the list only then.
  std::vector<RunEntry> now;
  const int n = store_->runCount();
  for (int r = 0; r < n; ++r) {
    RunEntry e;
    e.index = r;
    e.name = QString::fromStdString(store_->runName(r));
    e.removed = store_->status(r).removed;
    now.push_back(e);
  }
  const bool same = now.size() == runs_.size() &&
                    std::equal(now.begin(), now.end(), runs_.begin(), [](const RunEntry& a, const RunEntry& b) {
                      return a.index == b.index && a.name == b.name && a.removed == b.removed;
                    });
  if (same) return;
  runs_ = std::move(now);
  runNames_.clear();
  for (const auto& e : runs_)
    if (!e.removed) runNames_.append(e.name);
  const QSignalBlocker block(runCombo_);
  runCombo_->clear();
  for (const QString& name : runNames_) runCombo_->addItem(name, name);
  for (int i = 0; i < runCombo_->count(); ++i) runCombo_->setItemData(i, colors_->color(runNames_[i]), Qt::DecorationRole);
  markersDirty_ = true;
  if (!runNames_.contains(selectedRun_) && !runNames_.isEmpty()) {
    selectedRun_.clear();
    setSelectedRun(runNames_.front());
    Q_EMIT selectedRunChanged(selectedRun_);
  } else {
    runCombo_->setCurrentIndex(runCombo_->findData(selectedRun_));
  }
}

SeriesCache& Dashboard::cache(const ColumnRef& ref, int targetBuckets) {
  const CacheKey key{ref.run, ref.tensor, ref.metric};
  auto it = caches_.find(key);
  if (it == caches_.end()) it = caches_.emplace(key, SeriesCache(ref, targetBuckets, view_.smoothing)).first;
  it->second.setTargetBuckets(targetBuckets);
  return it->second;
}

bool Dashboard::trustRatioNotApplicable(int run, int tensor) {
  auto& [read, allOne] = unitTrust_.try_emplace({run, tensor}, 0L, true).first->second;
  const long n = store_->stepCount(run);
  for (; allOne && read < n; ++read)
    allOne = store_->value(run, tensor, engine::TensorMetric::TrustRatio, read) == 1.0f;
  return allOne && n > 0;
}

int Dashboard::bucketsFor(const MetricChart* chart) const {
  // The pyramid keeps between T and 2T buckets of two points (min, max): with T a third of the
  // plot's width (the widget minus its axes), about 0.7 to 1.3 points per pixel column. Qt Charts
  // re-strokes every point of a replaced series, so more points only cost time.
  return std::clamp((chart->width() - 60) / 3, 48, 2048);
}

void Dashboard::applyVisibility(MetricChart* chart, const QString& key) {
  if (hiddenKeys_.contains(key)) chart->setSeriesVisible(key, false);
}

void Dashboard::updateColumn(MetricChart* chart, const QString& key, const QString& label, const QColor& color,
                             const ColumnRef& ref, double xScale, QSet<QString>& present) {
  drawColumn(chart, key, label, color, cache(ref, bucketsFor(chart)), *store_, xScale, present);
}

void Dashboard::drawColumn(MetricChart* chart, const QString& key, const QString& label, const QColor& color,
                           SeriesCache& c, const engine::MetricsStore& store, double xScale, QSet<QString>& present) {
  present.insert(key);
  c.update(store);
  double lo = 1.0;
  double hi = 0.0;
  if (chart->isZoomed()) {
    const QPointF r = chart->xRange();
    lo = r.x();
    hi = r.y();
  }
  const bool isNew = !chart->hasSeries(key);
  if (isNew) c.invalidateOutput();  // the chart lost this series: push it in full
  // Growth at the right edge moves a few pixels: for a long series (replacing it costs Qt Charts
  // time per point) that can wait. Qt Charts re-strokes every series of a chart when one of them
  // changes, so the charts take turns: each tick redraws the growing edges of one chart (every
  // chart about three times a second at 30 Hz); short series stay smooth at every tick.
  const auto place = std::find(charts_.begin(), charts_.end(), chart) - charts_.begin();
  const bool edgeMayWait =
      c.bucketCount() > kSmoothSeriesBuckets && c.lastPushTick >= 0 && refreshCount_ % kChartCount != place;
  if (c.points(store, xScale, lo, hi, scratch_, edgeMayWait)) {
    chart->setSeries(key, label, color, scratch_);
    c.lastPushTick = refreshCount_;
    if (isNew) applyVisibility(chart, key);
  }
}

void Dashboard::updateEvaluations(MetricChart* chart, int run, const QString& name, bool accuracy,
                                  double xScale, QSet<QString>& present) {
  const QString key = testKey(name);
  present.insert(key);
  const std::vector<engine::EvalPoint> evals = store_->evaluations(run);
  auto& seen = evalSeen_[{run, accuracy}];
  if (chart->hasSeries(key) && seen.first == evals.size() && seen.second == xScale) return;
  seen = {evals.size(), xScale};
  drawEvaluations(chart, key, name + tr(" (test)"), colors_->color(name), evals, evals.size(), accuracy, xScale);
}

void Dashboard::drawEvaluations(MetricChart* chart, const QString& key, const QString& label, const QColor& color,
                                const std::vector<engine::EvalPoint>& evals, std::size_t count, bool accuracy,
                                double xScale) {
  QList<QPointF> pts;
  count = std::min(count, evals.size());
  pts.reserve(static_cast<qsizetype>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const double y = accuracy ? evals[i].accuracy : evals[i].loss;
    if (std::isfinite(y)) pts.append(QPointF(static_cast<double>(evals[i].step) * xScale, y));
  }
  const bool isNew = !chart->hasSeries(key);
  chart->setSeries(key, label, color, pts);
  if (isNew) {
    chart->setDashed(key, true);
    applyVisibility(chart, key);
  }
}

void Dashboard::removeAbsent(MetricChart* chart, const QSet<QString>& present) {
  for (const QString& key : chart->seriesKeys())
    if (!present.contains(key)) chart->removeSeries(key);
}

void Dashboard::onSeriesToggled(const QString& key, bool visible) {
  if (visible)
    hiddenKeys_.remove(key);
  else
    hiddenKeys_.insert(key);
  // The same run or tensor is hidden or shown in every chart, so the charts stay comparable.
  for (MetricChart* c : charts_)
    if (c->hasSeries(key)) c->setSeriesVisible(key, visible);
}

void Dashboard::rebuildMarkers() {
  markersDirty_ = false;
  const double xScale = lastXScale_;
  QList<MetricChart::Marker> all;
  QList<MetricChart::Marker> selected;
  for (const auto& e : events_) {
    const QString run = QString::fromStdString(e.run);
    if (!run.isEmpty() && !runNames_.contains(run)) continue;
    MetricChart::Marker m;
    m.x = static_cast<double>(e.step) * xScale;
    const QString detail = QString::fromStdString(e.detail);
    const bool diverged = e.kind == engine::EventKind::Diverged;
    const bool warning = e.kind == engine::EventKind::Warning;
    if (diverged)
      m.text = tr("%1 diverged: %2").arg(run, detail);
    else if (warning)  // "blew up at step 120": the whole sentence is in the event log
      m.text = run + QStringLiteral(" ") + detail.section(QLatin1Char(':'), 0, 0);
    else
      m.text = run.isEmpty() ? detail : run + QStringLiteral(": ") + detail;
    m.color = run.isEmpty() ? palette().color(QPalette::Text) : colors_->color(run);
    if (diverged) m.color = QColor(0xd6, 0x27, 0x28);
    if (warning) m.color = QColor(0xe6, 0x7e, 0x22);
    all.append(m);
    if (run == selectedRun_) selected.append(m);
  }
  for (int i = 0; i < kChartCount; ++i) {
    const bool perRun = ChartId{i}.isTensorChart() && view_.tensorMode == TensorMode::TensorsOfRun;
    charts_[static_cast<std::size_t>(i)]->setMarkers(perRun ? selected : all);
  }
}

void Dashboard::setPlannedSteps(long steps) { plannedSteps_ = steps; }

void Dashboard::setCursorStep(long step) {
  if (step == cursorStep_) return;
  cursorStep_ = step;
  applyCursor();
}

void Dashboard::applyCursor() {
  // Charts draw x in steps or epochs: the same conversion as their points (refresh()).
  const double x = cursorStep_ >= 0 ? static_cast<double>(cursorStep_) * lastXScale_
                                    : std::numeric_limits<double>::quiet_NaN();
  const QString label = cursorStep_ >= 0 ? tr("step %1").arg(cursorStep_) : QString();
  for (MetricChart* c : charts_) c->setCursorX(x, label);
}

void Dashboard::refresh() {
  if (!store_) return;
  ++refreshCount_;
  const engine::MetricsStore& s = *store_;
  if (tensorCombo_->count() != s.tensorCount()) syncTensorList();
  syncRunList();
  syncPins();
  const double xScale = view_.xInEpochs && s.stepsPerEpoch() > 0 ? 1.0 / s.stepsPerEpoch() : 1.0;
  if (xScale != lastXScale_) {
    lastXScale_ = xScale;
    markersDirty_ = true;
    applyCursor();
  }

  // Run charts.
  QSet<QString> presentLoss;
  QSet<QString> presentAcc;
  QSet<QString> presentLr;
  for (const RunEntry& e : runs_) {
    if (e.removed) continue;
    const QColor color = colors_->color(e.name);
    const QString key = runKey(e.name);
    updateColumn(chart(RunChart::Loss), key, e.name, color, {e.index, -1, static_cast<int>(RunMetric::Loss)},
                 xScale, presentLoss);
    updateEvaluations(chart(RunChart::Loss), e.index, e.name, false, xScale, presentLoss);
    updateColumn(chart(RunChart::Accuracy), key, e.name, color,
                 {e.index, -1, static_cast<int>(RunMetric::Accuracy)}, xScale, presentAcc);
    updateEvaluations(chart(RunChart::Accuracy), e.index, e.name, true, xScale, presentAcc);
    updateColumn(chart(RunChart::LearningRate), key, e.name, color,
                 {e.index, -1, static_cast<int>(RunMetric::LearningRate)}, xScale, presentLr);
  }
  drawPinsInRunCharts(presentLoss, presentAcc, presentLr);
  removeAbsent(chart(RunChart::Loss), presentLoss);
  removeAbsent(chart(RunChart::Accuracy), presentAcc);
  removeAbsent(chart(RunChart::LearningRate), presentLr);
  // The x axis grows by doubling while training, but not past the planned length (the final
  // evaluation sits at the last step): a 93-step run is not drawn on a 0..200 axis.
  const double xLimit = plannedSteps_ > 0 ? static_cast<double>(plannedSteps_) * xScale
                                          : std::numeric_limits<double>::quiet_NaN();
  if (!(xLimit == lastXLimit_) && !(std::isnan(xLimit) && std::isnan(lastXLimit_))) {
    lastXLimit_ = xLimit;
    for (MetricChart* c : charts_) c->setXLimit(xLimit);
  }

  // Per-tensor charts.
  int selectedIndex = -1;
  for (const RunEntry& e : runs_)
    if (!e.removed && e.name == selectedRun_) selectedIndex = e.index;
  const int tensorIndex = tensorCombo_->currentIndex();
  // Every per-tensor chart covers the same steps, so they read against each other.
  long tensorSteps = 0;
  for (const RunEntry& e : runs_) {
    if (e.removed) continue;
    if (view_.tensorMode == TensorMode::RunsOfTensor || e.index == selectedIndex)
      tensorSteps = std::max(tensorSteps, s.stepCount(e.index));
  }
  for (int metric = 0; metric < engine::kTensorMetricCount; ++metric) {
    if (!isTensorChartChosen(static_cast<engine::TensorMetric>(metric))) continue;  // its place shows another
    MetricChart* c = chart(static_cast<engine::TensorMetric>(metric));
    // A trust ratio that is 1 at every step is the optimizer having none: not drawn as a line.
    const bool trustChart = static_cast<engine::TensorMetric>(metric) == engine::TensorMetric::TrustRatio;
    QStringList notApplicable;
    QSet<QString> present;
    if (view_.tensorMode == TensorMode::TensorsOfRun) {
      if (selectedIndex >= 0) {
        for (int t = 0; t < s.tensorCount(); ++t) {
          const bool weight = s.tensors()[static_cast<std::size_t>(t)].kind == nn::TensorKind::Weight;
          if ((tensorFilter_ == TensorFilter::Weights && !weight) ||
              (tensorFilter_ == TensorFilter::OneDimensional && weight))
            continue;
          const QString name = QString::fromStdString(s.tensors()[static_cast<std::size_t>(t)].name);
          if (trustChart && trustRatioNotApplicable(selectedIndex, t)) {
            notApplicable.append(name);
            continue;
          }
          updateColumn(c, tensorKey(name), name, tensorColorOf(s.tensors(), t), {selectedIndex, t, metric}, xScale,
                       present);
        }
      }
    } else if (tensorIndex >= 0) {
      for (const RunEntry& e : runs_) {
        if (e.removed) continue;
        if (trustChart && trustRatioNotApplicable(e.index, tensorIndex)) {
          notApplicable.append(e.name);
          continue;
        }
        updateColumn(c, runKey(e.name), e.name, colors_->color(e.name), {e.index, tensorIndex, metric}, xScale,
                     present);
      }
    }
    double coverage = tensorSteps > 0 ? static_cast<double>(tensorSteps - 1) * xScale : -1.0;  // -1: no data
    drawPinsInTensorChart(c, metric, notApplicable, present, coverage);
    removeAbsent(c, present);
    if (trustChart) {
      QString message;
      if (!notApplicable.isEmpty() && present.isEmpty() && view_.tensorMode == TensorMode::TensorsOfRun)
        message = tr("Not applicable: %1 has no trust ratio (it is 1 for every tensor).").arg(selectedRun_);
      else if (!notApplicable.isEmpty())
        message = tr("Not applicable (no trust ratio): %1").arg(notApplicable.join(QStringLiteral(", ")));
      c->setPlotMessage(message);
    }
    if (coverage >= 0) c->setXCoverage(0.0, coverage);
  }
  if (markersDirty_) rebuildMarkers();
  // Regression has no accuracy: the chart goes, the learning rate takes its place.
  bool anyAccuracy = false;
  bool anySteps = false;
  for (const RunEntry& e : runs_) {
    if (e.removed || s.stepCount(e.index) == 0) continue;
    anySteps = true;
    anyAccuracy = anyAccuracy || !std::isnan(s.value(e.index, RunMetric::Accuracy, 0));
  }
  const bool showAccuracy = !anySteps || anyAccuracy;
  if (showAccuracy != accuracyShown_) placeRunCharts(showAccuracy);
  // Fit the axes to what the charts now show (a new run, tensor, filter or x unit): axes never
  // shrink on their own.
  if (refitAll_ || refitTensorCharts_) {
    for (int i = refitAll_ ? 0 : kRunChartCount; i < kChartCount; ++i)
      charts_[static_cast<std::size_t>(i)]->resetZoom();
    refitAll_ = refitTensorCharts_ = false;
  }
}

}  // namespace larslab::ui
