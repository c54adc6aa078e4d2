#include "study_view.h"

#include <QHBoxLayout>
#include <QLabel>
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

#include "engine/study.h"
#include "run_colors.h"

namespace larslab::ui {

namespace {

// Per run, per batch size: the seeds' values.
using Grouped = std::map<std::string, std::map<int, std::vector<const engine::StudyResult*>>>;

QChart* makeChart(QWidget* parent, QLayout* layout) {
  auto* chart = new QChart;
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(320, 240);
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

}  // namespace

StudyView::StudyView(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  auto* charts = new QHBoxLayout;
  accuracy_ = makeChart(this, charts);
  steps_ = makeChart(this, charts);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addLayout(charts, 1);
}

bool StudyView::failed(const engine::StudyResult& r) {
  return r.status.find("diverged") != std::string::npos || r.status.find("blew up") != std::string::npos ||
         r.status.find("cancelled") != std::string::npos;
}

bool StudyView::open(const QString& dir) {
  try {
    const std::string folder = dir.toStdString();
    const engine::StudySpec spec = engine::loadStudy(folder + "/" + engine::kStudyJsonFile);
    setResults(QString::fromStdString(spec.name), spec.targetAccuracy.value_or(-1.0),
               engine::readStudyResults(folder));
  } catch (const std::exception& e) {
    lastError_ = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

void StudyView::setResults(const QString& title, double targetAccuracy, std::vector<engine::StudyResult> results) {
  titleText_ = title;
  target_ = targetAccuracy;
  results_ = std::move(results);
  draw();
}

void StudyView::draw() {
  clear(accuracy_);
  clear(steps_);
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
    const QColor color = colors.color(QString::fromStdString(order[k]));
    auto* mean = new QLineSeries;
    mean->setName(QString::fromStdString(order[k]));
    mean->setPen(QPen(color, 2.0));
    mean->setPointsVisible(true);
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    auto* stepsLine = new QLineSeries;
    stepsLine->setName(QString::fromStdString(order[k]));
    stepsLine->setPen(QPen(color, 2.0));
    stepsLine->setPointsVisible(true);  // a run that reached the target at one batch size only is a dot
    auto* perfect = new QLineSeries;
    perfect->setName(tr("%1: perfect scaling").arg(QString::fromStdString(order[k])));
    perfect->setPen(QPen(color, 1.0, Qt::DashLine));
    double firstSteps = -1.0;
    int firstBatch = 0;
    for (const auto& [batch, rows] : grouped[order[k]]) {
      double sum = 0.0, least = 1.0, most = 0.0, stepSum = 0.0;
      int finite = 0, reached = 0;
      for (const engine::StudyResult* r : rows) {
        if (failed(*r)) failures->append(batch, std::isfinite(r->finalTestAccuracy) ? r->finalTestAccuracy : 0.0);
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
        upper->append(batch, most);
        lower->append(batch, least);
      }
      // Steps to target: only when every seed reached it (a mean over some seeds would flatter).
      if (reached > 0 && reached == static_cast<int>(rows.size())) {
        const double steps = stepSum / reached;
        stepsLine->append(batch, steps);
        maxSteps = std::max(maxSteps, steps);
        minSteps = std::min(minSteps, steps);
        if (firstSteps < 0) {
          firstSteps = steps;
          firstBatch = batch;
        }
      }
    }
    if (seeds > 1 && upper->count() > 0) {
      auto* band = new QAreaSeries(upper, lower);
      band->setName(tr("%1: min-max over seeds").arg(QString::fromStdString(order[k])));
      QColor fill = color;
      fill.setAlpha(50);
      band->setBrush(fill);
      band->setPen(Qt::NoPen);
      accuracy_->addSeries(band);
      // The title explains the band; one legend entry per run keeps the legend readable at 1280 px.
      for (QLegendMarker* marker : accuracy_->legend()->markers(band)) marker->setVisible(false);
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
    } else {
      delete stepsLine;
      delete perfect;
    }
  }
  accuracy_->addSeries(failures);
  accuracy_->setTitle(seeds > 1 ? tr("Final test accuracy (mean over %1 seeds, band: min to max)").arg(seeds)
                                : tr("Final test accuracy (one seed)"));
  auto* accuracyY = new QValueAxis;
  accuracyY->setRange(0.0, 1.0);
  accuracyY->setTitleText(tr("test accuracy"));
  attachAll(accuracy_, batchAxis(lo, hi), accuracyY);

  steps_->setTitle(target_ > 0 ? tr("Steps to %1% test accuracy (every seed reached it)").arg(target_ * 100.0)
                               : tr("Steps to target: the study sets no target accuracy"));
  auto* stepsY = new QLogValueAxis;
  stepsY->setBase(10.0);
  stepsY->setLabelFormat(QStringLiteral("%g"));
  stepsY->setTitleText(tr("steps (log scale)"));
  stepsY->setMinorTickCount(-1);
  stepsY->setRange(std::max(1.0, (minSteps < 1e300 ? minSteps : 1.0) / 1.5), maxSteps * 1.5);
  attachAll(steps_, batchAxis(lo, hi), stepsY);

  int failedCount = 0;
  for (const engine::StudyResult& r : results_) failedCount += failed(r) ? 1 : 0;
  title_->setText(tr("<b>%1</b> — %2 configurations, %3 failed: diverged or blew up (red squares).")
                      .arg(titleText_.toHtmlEscaped())
                      .arg(results_.size())
                      .arg(failedCount));
}

}  // namespace larslab::ui
