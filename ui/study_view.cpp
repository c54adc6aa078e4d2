#include "study_view.h"

#include <QComboBox>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>

#include "engine/study_curves.h"
#include "run_colors.h"
#include "study_heatmap.h"

namespace larslab::ui {

namespace {

// Per run, per batch size: the seeds' values.
using Grouped = std::map<std::string, std::map<int, std::vector<const engine::StudyResult*>>>;

QChart* makeChart(QWidget* parent, QLayout* layout, int minimumHeight) {
  auto* chart = new QChart;
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->legend()->setShowToolTips(true);  // an entry Qt Charts shortens shows its full name on hover
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(320, minimumHeight);
  layout->addWidget(view);
  return chart;
}

void clear(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
}

QLogValueAxis* batchAxis(int lo, int hi) {
  auto* x = new QLogValueAxis;
  x->setBase(2.0);
  x->setLabelFormat(QStringLiteral("%g"));
  x->setTitleText(QObject::tr("batch size (log scale)"));
  x->setRange(lo / 1.3, hi * 1.3);
  return x;
}

void attachAll(QChart* chart, QAbstractAxis* x, QAbstractAxis* y) {
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
}

bool sameValue(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Two configurations of one point: the same run, batch size and grid values, any seed.
bool samePoint(const engine::StudyResult& a, const engine::StudyResult& b) {
  return a.run == b.run && a.batchSize == b.batchSize && sameValue(a.gridX, b.gridX) && sameValue(a.gridY, b.gridY);
}

// The band between two series (hidden from the legend: the chart's title explains it).
void addBand(QChart* chart, QLineSeries* upper, QLineSeries* lower, const QColor& color) {
  auto* band = new QAreaSeries(upper, lower);
  QColor fill = color;
  fill.setAlpha(50);
  band->setBrush(fill);
  band->setPen(Qt::NoPen);
  chart->addSeries(band);
  for (QLegendMarker* marker : chart->legend()->markers(band)) marker->setVisible(false);
}

struct HeatmapMetric {
  const char* label;
  double engine::StudyResult::*field;
  bool higherIsBetter;
};
const HeatmapMetric kHeatmapMetrics[] = {
    {QT_TRANSLATE_NOOP("StudyView", "final test accuracy"), &engine::StudyResult::finalTestAccuracy, true},
    {QT_TRANSLATE_NOOP("StudyView", "best test accuracy"), &engine::StudyResult::bestTestAccuracy, true},
    {QT_TRANSLATE_NOOP("StudyView", "final train loss"), &engine::StudyResult::finalTrainLoss, false},
};

QString pointName(const engine::StudySpec& spec, const engine::StudyResult& r) {
  QString where = QObject::tr("batch %1").arg(r.batchSize);
  if (spec.grid) {
    where = QStringLiteral("%1 = %2, %3 = %4")
                .arg(QString::fromStdString(spec.grid->x.parameter), gridValueLabel(r.gridX),
                     QString::fromStdString(spec.grid->y.parameter), gridValueLabel(r.gridY));
    if (spec.grid->x.parameter != "batch_size" && spec.grid->y.parameter != "batch_size")
      where += QObject::tr(", batch %1").arg(r.batchSize);
  }
  return QString::fromStdString(r.run) + QStringLiteral(" at ") + where;
}

}  // namespace

StudyView::StudyView(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  title_->setTextFormat(Qt::RichText);

  pictures_ = new QStackedWidget(this);
  auto* chartsPage = new QWidget(pictures_);
  auto* charts = new QHBoxLayout(chartsPage);
  charts->setContentsMargins(0, 0, 0, 0);
  accuracy_ = makeChart(chartsPage, charts, 220);
  steps_ = makeChart(chartsPage, charts, 220);
  for (QChart* chart : {accuracy_, steps_}) chart->scene()->views().front()->viewport()->installEventFilter(this);
  pictures_->addWidget(chartsPage);

  auto* gridPage = new QWidget(pictures_);
  auto* gridLayout = new QVBoxLayout(gridPage);
  gridLayout->setContentsMargins(0, 0, 0, 0);
  auto* metricRow = new QHBoxLayout;
  auto* metricLabel = new QLabel(tr("Colour and number:"), gridPage);
  heatmapMetric_ = new QComboBox(gridPage);
  for (const HeatmapMetric& m : kHeatmapMetrics) heatmapMetric_->addItem(tr(m.label));
  metricLabel->setBuddy(heatmapMetric_);
  metricRow->addWidget(metricLabel);
  metricRow->addWidget(heatmapMetric_);
  metricRow->addStretch(1);
  gridLayout->addLayout(metricRow);
  auto* scroll = new QScrollArea(gridPage);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* heatmapHolder = new QWidget(scroll);
  heatmapRow_ = new QHBoxLayout(heatmapHolder);
  heatmapRow_->setContentsMargins(0, 0, 0, 0);
  scroll->setWidget(heatmapHolder);
  gridLayout->addWidget(scroll, 1);
  pictures_->addWidget(gridPage);
  connect(heatmapMetric_, &QComboBox::currentIndexChanged, this, [this] { drawHeatmaps(); });

  auto* bottom = new QWidget(this);
  auto* bottomLayout = new QHBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  curves_ = makeChart(bottom, bottomLayout, 200);
  bottomLayout->setStretch(0, 3);
  notes_ = new QLabel(bottom);
  notes_->setWordWrap(true);
  notes_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  notes_->setTextFormat(Qt::RichText);
  notes_->setMinimumWidth(220);
  auto* notesScroll = new QScrollArea(bottom);
  notesScroll->setWidgetResizable(true);
  notesScroll->setFrameShape(QFrame::NoFrame);
  notesScroll->setWidget(notes_);
  bottomLayout->addWidget(notesScroll, 1);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(pictures_);
  splitter->addWidget(bottom);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(splitter, 1);
}

bool StudyView::failed(const engine::StudyResult& r) {
  return r.status.find("diverged") != std::string::npos || r.status.find("blew up") != std::string::npos ||
         r.status.find("cancelled") != std::string::npos;
}

bool StudyView::skipped(const engine::StudyResult& r) { return r.status.rfind("skipped", 0) == 0; }

bool StudyView::open(const QString& dir) {
  try {
    const std::string folder = dir.toStdString();
    engine::StudySpec spec = engine::loadStudy(folder + "/" + engine::kStudyJsonFile);
    setStudy(std::move(spec), engine::readStudyResults(folder), dir);
  } catch (const std::exception& e) {
    lastError_ = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

void StudyView::setStudy(engine::StudySpec spec, std::vector<engine::StudyResult> results, const QString& dir) {
  spec_ = std::move(spec);
  dir_ = dir;
  selectedIds_.clear();
  results_ = std::move(results);
  draw();
}

void StudyView::setResults(std::vector<engine::StudyResult> results) {
  results_ = std::move(results);
  draw();
}

QString StudyView::summaryText() const { return title_->text(); }
QString StudyView::notesText() const { return notes_->text(); }

void StudyView::draw() {
  pictures_->setCurrentIndex(spec_.grid ? 1 : 0);
  if (spec_.grid)
    drawHeatmaps();
  else
    drawBatchCharts();
  int failedCount = 0, skippedCount = 0;
  QStringList notes;
  for (const engine::StudyResult& r : results_) {
    failedCount += failed(r) ? 1 : 0;
    skippedCount += skipped(r) ? 1 : 0;
    if (failed(r) || skipped(r))
      notes << QStringLiteral("<li>%1, seed %2: %3</li>")
                   .arg(pointName(spec_, r).toHtmlEscaped())
                   .arg(r.seed)
                   .arg(QString::fromStdString(r.status).toHtmlEscaped());
  }
  const QString marks = spec_.grid ? tr("a red corner marks a cell where a seed did, a dark cell has no result")
                                   : tr("red squares");
  title_->setText(tr("<b>%1</b> — %2: %3 failed (diverged or blew up; %4), %5 skipped. "
                     "Click a point to see its training curves.")
                      .arg(QString::fromStdString(spec_.name).toHtmlEscaped())
                      .arg(results_.size() == 1 ? tr("1 configuration") : tr("%1 configurations").arg(results_.size()))
                      .arg(failedCount)
                      .arg(marks)
                      .arg(skippedCount));
  notes_->setText(notes.isEmpty() ? tr("Every configuration trained to the end without diverging.")
                                  : tr("<b>Not trained to the end</b><ul style=\"margin-left: 12px; "
                                       "-qt-list-indent: 0\">%1</ul>")
                                        .arg(notes.join(QString())));
  drawCurves();
}

void StudyView::drawBatchCharts() {
  clear(accuracy_);
  clear(steps_);
  clickTargets_.clear();
  Grouped grouped;
  std::vector<std::string> order;  // runs in the order of the file
  int lo = 1 << 30;
  int hi = 1;
  std::size_t seeds = 1;
  for (const engine::StudyResult& r : results_) {
    if (!grouped.count(r.run)) order.push_back(r.run);
    grouped[r.run][r.batchSize].push_back(&r);
    lo = std::min(lo, r.batchSize);
    hi = std::max(hi, r.batchSize);
    seeds = std::max(seeds, grouped[r.run][r.batchSize].size());
  }
  if (results_.empty()) lo = 1, hi = 2;
  auto* failures = new QScatterSeries;
  failures->setName(tr("failed"));
  failures->setColor(QColor(214, 39, 40));
  failures->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  failures->setMarkerSize(9.0);
  RunColorMap colors;  // the palette the main window's runs use
  double maxSteps = 1.0;
  double minSteps = 1e300;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const QString run = QString::fromStdString(order[k]);
    const QColor color = colors.color(run);
    auto* mean = new QLineSeries;
    mean->setName(run);
    mean->setPen(QPen(color, 2.0));
    mean->setPointsVisible(true);
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    auto* stepsLine = new QLineSeries;
    stepsLine->setName(run);
    stepsLine->setPen(QPen(color, 2.0));
    stepsLine->setPointsVisible(true);  // a run that reached the target at one batch size only is a dot
    auto* perfect = new QLineSeries;
    perfect->setName(tr("%1: perfect scaling").arg(run));
    perfect->setPen(QPen(color, 1.0, Qt::DashLine));
    double firstSteps = -1.0;
    int firstBatch = 0;
    for (const auto& [batch, rows] : grouped[order[k]]) {
      double sum = 0.0, least = 1.0, most = 0.0, stepSum = 0.0;
      int finite = 0, reached = 0;
      for (const engine::StudyResult* r : rows) {
        if (failed(*r)) {
          const QPointF at(batch, std::isfinite(r->finalTestAccuracy) ? r->finalTestAccuracy : 0.0);
          failures->append(at);
          clickTargets_.push_back({accuracy_, failures, at, r->id});
        }
        if (!std::isfinite(r->finalTestAccuracy)) continue;
        sum += r->finalTestAccuracy;
        least = std::min(least, r->finalTestAccuracy);
        most = std::max(most, r->finalTestAccuracy);
        ++finite;
        if (r->stepsToTarget >= 0) {
          stepSum += static_cast<double>(r->stepsToTarget);
          ++reached;
        }
      }
      if (finite > 0) {
        mean->append(batch, sum / finite);
        clickTargets_.push_back({accuracy_, mean, QPointF(batch, sum / finite), rows.front()->id});
        upper->append(batch, most);
        lower->append(batch, least);
      }
      // Steps to target: only when every seed reached it (a mean over some seeds would flatter).
      if (reached > 0 && reached == static_cast<int>(rows.size())) {
        const double steps = stepSum / reached;
        stepsLine->append(batch, steps);
        clickTargets_.push_back({steps_, stepsLine, QPointF(batch, steps), rows.front()->id});
        maxSteps = std::max(maxSteps, steps);
        minSteps = std::min(minSteps, steps);
        if (firstSteps < 0) {
          firstSteps = steps;
          firstBatch = batch;
        }
      }
    }
    if (seeds > 1 && upper->count() > 0) {
      addBand(accuracy_, upper, lower, color);
    } else {
      delete upper;
      delete lower;
    }
    accuracy_->addSeries(mean);
    if (stepsLine->count() > 0) {
      steps_->addSeries(stepsLine);
      for (const auto& [batch, rows] : grouped[order[k]])
        if (batch >= firstBatch) perfect->append(batch, firstSteps * firstBatch / batch);
      minSteps = std::min(minSteps, firstSteps * firstBatch / hi);
      steps_->addSeries(perfect);
      // Named in the title (a legend entry per run would be cut short at 1366 px).
      for (QLegendMarker* marker : steps_->legend()->markers(perfect)) marker->setVisible(false);
    } else {
      delete stepsLine;
      delete perfect;
    }
  }
  accuracy_->addSeries(failures);
  if (failures->count() == 0)
    for (QLegendMarker* marker : accuracy_->legend()->markers(failures)) marker->setVisible(false);
  accuracy_->setTitle(seeds > 1 ? tr("Final test accuracy (mean over %1 seeds, band: min to max)").arg(seeds)
                                : tr("Final test accuracy (one seed)"));
  // From just below the lowest point drawn (failures included) to 1, in steps of 0.05: runs that
  // all score 0.86-0.88 must not look identical on a 0-1 axis.
  double lowest = 1.0;
  for (const ClickTarget& t : clickTargets_)
    if (t.chart == accuracy_) lowest = std::min(lowest, t.point.y());
  auto* accuracyY = new QValueAxis;
  accuracyY->setRange(std::max(0.0, std::floor((lowest - 0.02) * 20.0) / 20.0), 1.0);
  accuracyY->applyNiceNumbers();
  accuracyY->setTitleText(tr("test accuracy"));
  attachAll(accuracy_, batchAxis(lo, hi), accuracyY);

  const double target = spec_.targetAccuracy.value_or(-1.0);
  steps_->setTitle(target > 0 ? tr("Steps to %1% test accuracy (every seed reached it); dashed: perfect scaling")
                                    .arg(target * 100.0)
                              : tr("Steps to target: the study sets no target accuracy"));
  auto* stepsY = new QLogValueAxis;
  stepsY->setBase(10.0);
  stepsY->setLabelFormat(QStringLiteral("%g"));
  stepsY->setTitleText(tr("steps (log scale)"));
  stepsY->setMinorTickCount(-1);
  stepsY->setRange(std::max(1.0, (minSteps < 1e300 ? minSteps : 1.0) / 1.5), maxSteps * 1.5);
  attachAll(steps_, batchAxis(lo, hi), stepsY);
}

void StudyView::drawHeatmaps() {
  if (!spec_.grid) return;
  for (StudyHeatmap* h : heatmaps_) delete h;
  heatmaps_.clear();
  const HeatmapMetric& metric = kHeatmapMetrics[std::max(0, heatmapMetric_->currentIndex())];
  const engine::StudyGrid& grid = *spec_.grid;
  const std::size_t nx = grid.x.values.size();
  const std::size_t ny = grid.y.values.size();
  auto indexOf = [](const std::vector<double>& values, double v) {
    const auto it = std::find(values.begin(), values.end(), v);
    return it == values.end() ? -1 : static_cast<int>(it - values.begin());
  };
  // One colour scale for every run: the extremes of the cells' means.
  std::map<std::string, std::vector<HeatmapCell>> cells;
  std::map<std::string, std::vector<double>> sums;
  std::vector<std::string> order;
  for (const engine::StudyResult& r : results_) {
    if (!cells.count(r.run)) {
      order.push_back(r.run);
      cells[r.run].resize(nx * ny);
      sums[r.run].assign(nx * ny, 0.0);
    }
    const int x = indexOf(grid.x.values, r.gridX);
    const int y = indexOf(grid.y.values, r.gridY);
    if (x < 0 || y < 0) continue;  // a row of another grid: not drawn
    const std::size_t i = static_cast<std::size_t>(y) * nx + static_cast<std::size_t>(x);
    HeatmapCell& c = cells[r.run][i];
    ++c.seeds;
    c.failed += failed(r) ? 1 : 0;
    c.skipped += skipped(r) ? 1 : 0;
    if (failed(r) || skipped(r))
      c.detail += (c.detail.isEmpty() ? QString() : QStringLiteral("\n")) +
                  tr("seed %1: %2").arg(r.seed).arg(QString::fromStdString(r.status));
    const double v = r.*metric.field;
    // A diverged seed has no final value; one that blew up has one, and counts.
    if (std::isfinite(v) && r.status.rfind("diverged", 0) != 0) {
      sums[r.run][i] += v;
      c.value = c.value + 1.0;  // finite seeds so far, turned into the mean below
    }
  }
  double low = INFINITY, high = -INFINITY;
  for (const std::string& run : order)
    for (std::size_t i = 0; i < nx * ny; ++i) {
      HeatmapCell& c = cells[run][i];
      c.value = c.value > 0 ? sums[run][i] / c.value : std::nan("");
      if (std::isfinite(c.value)) low = std::min(low, c.value), high = std::max(high, c.value);
    }
  if (!(low <= high)) low = 0.0, high = 1.0;
  for (const std::string& run : order) {
    auto* heatmap = new StudyHeatmap(heatmapRow_->parentWidget());
    const QString name = QString::fromStdString(run);
    heatmap->setGrid(name, QString::fromStdString(grid.x.parameter), grid.x.values,
                     QString::fromStdString(grid.y.parameter), grid.y.values, cells[run], low, high,
                     metric.higherIsBetter);
    heatmap->setAccessibleName(name);
    connect(heatmap, &StudyHeatmap::cellClicked, this, [this, run, xs = grid.x.values, ys = grid.y.values](int x, int y) {
      for (const engine::StudyResult& r : results_)
        if (r.run == run && r.gridX == xs[static_cast<std::size_t>(x)] && r.gridY == ys[static_cast<std::size_t>(y)]) {
          selectConfiguration(QString::fromStdString(r.id));
          return;
        }
    });
    heatmapRow_->addWidget(heatmap);
    heatmaps_.push_back(heatmap);
  }
  outlineSelection();  // kept across a redraw (another metric, new results)
}

bool StudyView::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::MouseButtonPress) {
    // The configuration drawn nearest the click, within a few pixels: a line series' own
    // clicked() needs a hit on the one-pixel line, and several runs share the failure markers.
    const QPoint at = static_cast<QMouseEvent*>(event)->position().toPoint();
    const ClickTarget* best = nullptr;
    double bestDistance = 15.0;
    for (const ClickTarget& t : clickTargets_) {
      auto* view = qobject_cast<QGraphicsView*>(t.chart->scene()->views().value(0));
      if (view == nullptr || view->viewport() != watched) continue;
      const QPoint p = view->mapFromScene(t.chart->mapToScene(t.chart->mapToPosition(t.point, t.series)));
      const double d = std::hypot(p.x() - at.x(), p.y() - at.y());
      if (d < bestDistance) bestDistance = d, best = &t;
    }
    if (best != nullptr) selectConfiguration(QString::fromStdString(best->id));
  }
  return QWidget::eventFilter(watched, event);
}

bool StudyView::selectConfiguration(const QString& id) {
  const auto it = std::find_if(results_.begin(), results_.end(),
                               [&](const engine::StudyResult& r) { return QString::fromStdString(r.id) == id; });
  if (it == results_.end()) return false;
  selectedIds_.clear();
  for (const engine::StudyResult& r : results_)
    if (samePoint(r, *it)) selectedIds_.push_back(r.id);
  outlineSelection();
  drawCurves();
  return true;
}

void StudyView::outlineSelection() {
  const auto it = std::find_if(results_.begin(), results_.end(), [&](const engine::StudyResult& r) {
    return !selectedIds_.empty() && r.id == selectedIds_.front();
  });
  for (StudyHeatmap* h : heatmaps_) {
    if (!spec_.grid || it == results_.end() || h->accessibleName() != QString::fromStdString(it->run)) {
      h->setSelected(std::nullopt);
      continue;
    }
    const auto& xs = spec_.grid->x.values;
    const auto& ys = spec_.grid->y.values;
    h->setSelected(std::pair{static_cast<int>(std::find(xs.begin(), xs.end(), it->gridX) - xs.begin()),
                             static_cast<int>(std::find(ys.begin(), ys.end(), it->gridY) - ys.begin())});
  }
}

void StudyView::markSelection() {
  // A ring around the selected point on the batch charts (the heatmaps outline their cell).
  for (QChart* chart : {accuracy_, steps_}) {
    for (QAbstractSeries* s : chart->series())
      if (s->objectName() == QLatin1String("selection")) {
        chart->removeSeries(s);
        delete s;
      }
    if (spec_.grid || selectedIds_.empty()) continue;
    for (const ClickTarget& t : clickTargets_) {
      if (t.chart != chart || t.id != selectedIds_.front()) continue;
      auto* ring = new QScatterSeries;
      ring->setObjectName(QStringLiteral("selection"));
      ring->setMarkerSize(16.0);
      ring->setColor(Qt::transparent);
      ring->setBorderColor(palette().color(QPalette::Highlight));
      ring->setPen(QPen(palette().color(QPalette::Highlight), 2.5));
      ring->append(t.point);
      chart->addSeries(ring);
      for (QAbstractAxis* axis : chart->axes()) ring->attachAxis(axis);
      for (QLegendMarker* marker : chart->legend()->markers(ring)) marker->setVisible(false);
    }
  }
}

void StudyView::drawCurves() {
  markSelection();
  clear(curves_);
  if (selectedIds_.empty()) {
    curves_->setTitle(tr("Click a point (or a heatmap cell) to see its training curves here"));
    return;
  }
  const auto first = std::find_if(results_.begin(), results_.end(),
                                  [&](const engine::StudyResult& r) { return r.id == selectedIds_.front(); });
  if (first == results_.end()) return;
  const QString where = pointName(spec_, *first);
  if (dir_.isEmpty()) {
    curves_->setTitle(tr("%1: the study's folder is not known, so its curves cannot be read").arg(where));
    return;
  }
  // Only configurations that trained have metric files (a skipped or not-started one has none).
  std::vector<std::string> ids;
  for (const engine::StudyResult& r : results_)
    if (std::find(selectedIds_.begin(), selectedIds_.end(), r.id) != selectedIds_.end() && !skipped(r) &&
        r.status != "cancelled")
      ids.push_back(r.id);
  engine::StudyCurves c;
  try {
    c = engine::readStudyCurves(dir_.toStdString(), ids);
  } catch (const std::exception& e) {
    curves_->setTitle(tr("%1: %2").arg(where, QString::fromUtf8(e.what())));
    return;
  }
  if (c.seeds == 0) {
    curves_->setTitle(tr("%1: not trained (%2)").arg(where, QString::fromStdString(first->status)));
    return;
  }
  RunColorMap colors;
  const QColor lossColor = colors.color(QString::fromStdString(first->run));
  const QColor accuracyColor(60, 60, 60);
  auto lineOf = [](const std::vector<double>& x, const std::vector<double>& y, bool positive) {
    auto* s = new QLineSeries;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!positive || y[i] > 0) s->append(x[i], y[i]);
    return s;
  };
  const bool band = c.seeds > 1;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < c.trainLoss.step.size(); ++i)
    if (c.trainLoss.least[i] > 0) lo = std::min(lo, c.trainLoss.least[i]), hi = std::max(hi, c.trainLoss.most[i]);
  if (!(lo < hi)) lo = 0.01, hi = 10.0;
  // A log axis when the loss spans decades (a blow-up stays readable), else a linear one: a
  // log axis over less than a decade has one label or none.
  QAbstractAxis* lossAxis = nullptr;
  if (hi / lo >= 20.0) {
    auto* log = new QLogValueAxis;
    log->setBase(10.0);
    log->setLabelFormat(QStringLiteral("%g"));
    log->setMinorTickCount(-1);
    log->setRange(lo / 1.2, hi * 1.2);
    log->setTitleText(tr("train loss (log scale)"));
    lossAxis = log;
  } else {
    auto* linear = new QValueAxis;
    linear->setRange(0.0, hi * 1.1);
    linear->setTitleText(tr("train loss"));
    linear->applyNiceNumbers();
    lossAxis = linear;
  }
  lossAxis->setLinePenColor(lossColor);
  auto* accuracyAxis = new QValueAxis;
  accuracyAxis->setRange(0.0, 1.0);
  accuracyAxis->setTitleText(tr("test accuracy"));
  accuracyAxis->setLinePenColor(accuracyColor);
  auto* stepAxis = new QValueAxis;
  stepAxis->setTitleText(tr("step"));
  stepAxis->setLabelFormat(QStringLiteral("%d"));
  double lastStep = 1.0;
  if (!c.trainLoss.step.empty()) lastStep = std::max(lastStep, c.trainLoss.step.back());
  if (!c.testAccuracy.step.empty()) lastStep = std::max(lastStep, c.testAccuracy.step.back());
  stepAxis->setRange(0.0, lastStep);
  // Ticks at a round interval from 0 (0, 100, 200 rather than 0, 72, 145), the range kept.
  const double raw = lastStep / 4.0;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  const double interval = decade * (raw / decade < 2.0 ? 1.0 : raw / decade < 5.0 ? 2.0 : 5.0);
  stepAxis->setTickType(QValueAxis::TicksDynamic);
  stepAxis->setTickAnchor(0.0);
  stepAxis->setTickInterval(interval);
  curves_->addAxis(stepAxis, Qt::AlignBottom);
  curves_->addAxis(lossAxis, Qt::AlignLeft);
  curves_->addAxis(accuracyAxis, Qt::AlignRight);
  auto add = [&](QAbstractSeries* s, QAbstractAxis* y) {
    curves_->addSeries(s);
    s->attachAxis(stepAxis);
    s->attachAxis(y);
  };
  if (band) {
    QLineSeries* up = lineOf(c.trainLoss.step, c.trainLoss.most, true);
    QLineSeries* down = lineOf(c.trainLoss.step, c.trainLoss.least, true);
    addBand(curves_, up, down, lossColor);
    QAbstractSeries* area = curves_->series().back();
    area->attachAxis(stepAxis);
    area->attachAxis(lossAxis);
    QLineSeries* aUp = lineOf(c.testAccuracy.step, c.testAccuracy.most, false);
    QLineSeries* aDown = lineOf(c.testAccuracy.step, c.testAccuracy.least, false);
    addBand(curves_, aUp, aDown, accuracyColor);
    area = curves_->series().back();
    area->attachAxis(stepAxis);
    area->attachAxis(accuracyAxis);
  }
  QLineSeries* loss = lineOf(c.trainLoss.step, c.trainLoss.mean, true);
  loss->setName(c.bucketSteps > 1 ? tr("train loss (mean of %1 steps)").arg(c.bucketSteps) : tr("train loss"));
  loss->setPen(QPen(lossColor, 2.0));
  add(loss, lossAxis);
  QLineSeries* accuracy = lineOf(c.testAccuracy.step, c.testAccuracy.mean, false);
  accuracy->setName(tr("test accuracy"));
  accuracy->setPen(QPen(accuracyColor, 2.0, Qt::DashLine));
  accuracy->setPointsVisible(true);
  add(accuracy, accuracyAxis);
  curves_->setTitle(band ? tr("%1: mean over %2 seeds, band min to max").arg(where).arg(c.seeds)
                         : tr("%1, seed %2: %3").arg(where).arg(first->seed).arg(QString::fromStdString(first->status)));
}

}  // namespace larslab::ui
