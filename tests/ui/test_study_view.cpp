// The study view draws what study.csv says: one accuracy line per run with a point per batch
// size, a seed band when there are several seeds, failed configurations as markers (never
// dropped), and steps to target only where every seed reached it.

#include <gtest/gtest.h>

#include <QComboBox>
#include <QGraphicsView>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <cmath>
#include <map>

#include "engine/study.h"
#include "engine/study_curves.h"
#include "engine/study_runner.h"
#include "study_heatmap.h"
#include "study_view.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

engine::StudyResult row(const std::string& run, int batch, std::uint64_t seed, double accuracy, long steps,
                        const std::string& status = "finished") {
  engine::StudyResult r;
  r.id = run + std::to_string(batch) + "_" + std::to_string(seed);
  r.run = run;
  r.optimizer = run == "LARS" ? "lars" : "momentum";
  r.batchSize = batch;
  r.seed = seed;
  r.finalTestAccuracy = accuracy;
  r.stepsToTarget = steps;
  r.status = status;
  return r;
}

template <typename T>
std::vector<T*> seriesOf(QChart* chart) {
  std::vector<T*> out;
  for (QAbstractSeries* s : chart->series())
    if (auto* t = qobject_cast<T*>(s)) out.push_back(t);
  return out;
}

TEST(StudyView, DrawsMeansBandsFailuresAndStepsToTarget) {
  test::app();
  StudyView view;
  engine::StudySpec spec;
  spec.name = "test";
  spec.targetAccuracy = 0.9;
  view.setStudy(spec,
                  {row("LARS", 64, 1, 0.90, 100), row("LARS", 64, 2, 0.94, 120), row("LARS", 256, 1, 0.92, 30),
                   row("LARS", 256, 2, 0.90, -1), row("SGD", 64, 1, 0.91, 90), row("SGD", 64, 2, 0.93, 110),
                   row("SGD", 256, 1, std::nan(""), -1, "diverged at step 3: loss is NaN"),
                   row("SGD", 256, 2, 0.10, -1, "finished; blew up at step 5: ...")});
  const auto areas = seriesOf<QAreaSeries>(view.accuracyChart());
  EXPECT_EQ(areas.size(), 2u);  // a min-max band per run: two seeds
  const auto scatter = seriesOf<QScatterSeries>(view.accuracyChart());
  ASSERT_EQ(scatter.size(), 1u);
  ASSERT_EQ(scatter[0]->count(), 2);  // both failed SGD configurations, the NaN one at 0
  EXPECT_EQ(scatter[0]->at(0), QPointF(256, 0.0));
  EXPECT_EQ(scatter[0]->at(1), QPointF(256, 0.10));
  QLineSeries* lars = nullptr;
  for (QLineSeries* s : seriesOf<QLineSeries>(view.accuracyChart()))
    if (s->name() == QStringLiteral("LARS")) lars = s;
  ASSERT_NE(lars, nullptr);
  ASSERT_EQ(lars->count(), 2);
  EXPECT_DOUBLE_EQ(lars->at(0).y(), 0.92);  // mean of 0.90 and 0.94
  EXPECT_DOUBLE_EQ(lars->at(1).y(), 0.91);
  // Steps: LARS's batch 256 is left out (one seed never reached 0.9); the perfect-scaling line
  // runs from its batch 64 mean (110 steps): 27.5 at 256.
  std::map<QString, QLineSeries*> steps;
  for (QLineSeries* s : seriesOf<QLineSeries>(view.stepsChart())) steps[s->name()] = s;
  ASSERT_TRUE(steps.count(QStringLiteral("LARS")));
  ASSERT_EQ(steps[QStringLiteral("LARS")]->count(), 1);
  EXPECT_DOUBLE_EQ(steps[QStringLiteral("LARS")]->at(0).y(), 110.0);
  QLineSeries* perfect = steps[QStringLiteral("LARS: perfect scaling")];
  ASSERT_NE(perfect, nullptr);
  ASSERT_EQ(perfect->count(), 2);
  EXPECT_DOUBLE_EQ(perfect->at(1).y(), 27.5);
}

TEST(StudyView, OpensAStudyTheCliWroteAndNamesAMissingFile) {
  test::app();
  QTemporaryDir dir;
  const engine::StudySpec spec = engine::loadStudy(std::string(LARSLAB_SOURCE_DIR) + "/resources/studies/batch-size-moons.json");
  std::vector<engine::StudyConfiguration> configurations;
  for (const engine::StudyConfiguration& c : engine::expandStudy(spec))
    if (c.run == "LARS" && c.seed == 1) configurations.push_back(c);  // three batch sizes: enough here
  ASSERT_EQ(configurations.size(), 3u);
  const engine::StudyOutcome outcome = engine::runStudy(spec, configurations, {1, {}, {}, nullptr, ""});
  engine::writeStudyResults(dir.path().toStdString(), spec, outcome.results);
  StudyView view;
  ASSERT_TRUE(view.open(dir.path())) << view.lastError().toStdString();
  std::size_t points = 0;
  for (QLineSeries* s : seriesOf<QLineSeries>(view.accuracyChart())) points += static_cast<std::size_t>(s->count());
  EXPECT_EQ(points, 3u);
  StudyView missing;
  EXPECT_FALSE(missing.open(dir.path() + QStringLiteral("/nope")));
  EXPECT_TRUE(missing.lastError().contains(QStringLiteral("study.json"))) << missing.lastError().toStdString();
}

}  // namespace
}  // namespace larslab::ui

namespace larslab::ui {
namespace {

// The point a series draws at `p`, in the chart view's coordinates.
QPoint onScreen(QChart* chart, QAbstractSeries* series, QPointF p) {
  auto* view = qobject_cast<QGraphicsView*>(chart->scene()->views().front());
  return view->mapFromScene(chart->mapToScene(chart->mapToPosition(p, series)));
}

class StudyOnDisk : public ::testing::Test {
 protected:
  // Runs a built-in study (all of it) into a temporary folder.
  void run(const std::string& file) {
    test::app();
    spec_ = engine::loadStudy(std::string(LARSLAB_SOURCE_DIR) + "/resources/studies/" + file);
    const std::vector<engine::StudyConfiguration> cs = engine::expandStudy(spec_);
    engine::StudyRunOptions options;
    options.threads = 2;
    options.outDir = dir_.path().toStdString();
    results_ = engine::runStudy(spec_, cs, options).results;
    engine::writeStudyResults(options.outDir, spec_, results_);
  }
  QTemporaryDir dir_;
  engine::StudySpec spec_;
  std::vector<engine::StudyResult> results_;
};

TEST_F(StudyOnDisk, ClickingAnAccuracyPointShowsItsSeedsCurves) {
  run("batch-size-moons.json");
  StudyView view;
  ASSERT_TRUE(view.open(dir_.path())) << view.lastError().toStdString();
  view.resize(1280, 720);
  view.show();
  // Qt Charts lays out its axes over a few turns of the event loop.
  for (int i = 0; i < 5; ++i) QTest::qWait(20);
  QLineSeries* lars = nullptr;
  for (QLineSeries* s : seriesOf<QLineSeries>(view.accuracyChart()))
    if (s->name() == QStringLiteral("LARS")) lars = s;
  ASSERT_NE(lars, nullptr);
  ASSERT_EQ(lars->count(), 3);  // batch 16, 64, 256
  auto* chartView = qobject_cast<QGraphicsView*>(view.accuracyChart()->scene()->views().front());
  QTest::mouseClick(chartView->viewport(), Qt::LeftButton, {}, onScreen(view.accuracyChart(), lars, lars->at(1)));
  ASSERT_EQ(view.selectedIds(), (std::vector<std::string>{"lars_b64_s1", "lars_b64_s2"}));
  // The curves: train loss and test accuracy, each with its band (two seeds).
  EXPECT_EQ(seriesOf<QAreaSeries>(view.curvesChart()).size(), 2u);
  std::map<QString, QLineSeries*> curves;
  for (QLineSeries* s : seriesOf<QLineSeries>(view.curvesChart())) curves[s->name()] = s;
  ASSERT_TRUE(curves.count(QStringLiteral("test accuracy")));
  // Its points are the seeds' evaluations averaged, read back from configs/<id>/evaluations.csv.
  const engine::StudyCurves c = engine::readStudyCurves(dir_.path().toStdString(), {"lars_b64_s1", "lars_b64_s2"});
  EXPECT_EQ(c.seeds, 2);
  ASSERT_EQ(curves[QStringLiteral("test accuracy")]->count(), static_cast<int>(c.testAccuracy.step.size()));
  EXPECT_DOUBLE_EQ(curves[QStringLiteral("test accuracy")]->at(0).y(), c.testAccuracy.mean[0]);
  EXPECT_TRUE(view.curvesChart()->title().contains(QStringLiteral("LARS at batch 64")))
      << view.curvesChart()->title().toStdString();
}

TEST_F(StudyOnDisk, AGridStudyDrawsAHeatmapPerRunAndACellOpensItsCurves) {
  run("grid-eta-lr-moons.json");
  StudyView view;
  ASSERT_TRUE(view.open(dir_.path())) << view.lastError().toStdString();
  EXPECT_TRUE(view.showsGrid());
  view.resize(1366, 768);
  view.show();
  QApplication::processEvents();
  ASSERT_EQ(view.heatmaps().size(), 2u);  // LARS and LARC
  StudyHeatmap* lars = view.heatmaps()[0];
  EXPECT_EQ(lars->accessibleName(), QStringLiteral("LARS"));
  // Cell (eta 0.01, lr 1): the mean of its two seeds' final test accuracy, printed with 3 digits.
  double sum = 0.0;
  int n = 0;
  for (const engine::StudyResult& r : results_)
    if (r.run == "LARS" && r.gridX == 0.01 && r.gridY == 1.0) sum += r.finalTestAccuracy, ++n;
  ASSERT_EQ(n, 2);
  EXPECT_EQ(lars->cell(1, 1).seeds, 2);
  EXPECT_DOUBLE_EQ(lars->cell(1, 1).value, sum / 2);
  EXPECT_EQ(lars->cellText(1, 1), QString::number(sum / 2, 'f', 3));
  QTest::mouseClick(lars, Qt::LeftButton, {}, lars->cellRect(1, 1).center());
  ASSERT_EQ(view.selectedIds().size(), 2u);
  EXPECT_EQ(view.selectedIds()[0], "lars_b64_eta0.01_lr1_s1");
  EXPECT_FALSE(seriesOf<QLineSeries>(view.curvesChart()).empty());
  // Another metric: the train loss, lower is better.
  view.heatmapMetricCombo()->setCurrentIndex(2);
  ASSERT_EQ(view.heatmaps().size(), 2u);
  double loss = 0.0;
  for (const engine::StudyResult& r : results_)
    if (r.run == "LARS" && r.gridX == 0.01 && r.gridY == 1.0) loss += r.finalTrainLoss / 2;
  EXPECT_DOUBLE_EQ(view.heatmaps()[0]->cell(1, 1).value, loss);
}

TEST(StudyViewNotes, ListsSkippedAndFailedConfigurationsWithTheirReason) {
  test::app();
  StudyView view;
  engine::StudySpec spec;
  spec.name = "notes";
  view.setStudy(spec, {row("LARS", 64, 1, 0.9, -1),
                       row("LARS", 8192, 1, std::nan(""), -1, "skipped: runs[0].optimizer.lr: must be in [1e-06, 100], got 160"),
                       row("SGD", 64, 1, std::nan(""), -1, "diverged at step 3: loss is NaN")});
  EXPECT_TRUE(view.summaryText().contains(QStringLiteral("1 failed"))) << view.summaryText().toStdString();
  EXPECT_TRUE(view.summaryText().contains(QStringLiteral("1 skipped"))) << view.summaryText().toStdString();
  EXPECT_TRUE(view.notesText().contains(QStringLiteral("LARS at batch 8192, seed 1: skipped: runs[0].optimizer.lr")))
      << view.notesText().toStdString();
  EXPECT_TRUE(view.notesText().contains(QStringLiteral("SGD at batch 64, seed 1: diverged at step 3")));
  // A point without a folder cannot show curves, and says so.
  EXPECT_TRUE(view.selectConfiguration(QStringLiteral("LARS64_1")));
  EXPECT_TRUE(view.curvesChart()->title().contains(QStringLiteral("folder is not known")));
  EXPECT_FALSE(view.selectConfiguration(QStringLiteral("nope")));
}

}  // namespace
}  // namespace larslab::ui
