// The study view draws what study.csv says: one accuracy line per run with a point per batch
// size, a seed band when there are several seeds, failed configurations as markers (never
// dropped), and steps to target only where every seed reached it.

#include <gtest/gtest.h>

#include <QTemporaryDir>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <cmath>
#include <map>

#include "engine/study.h"
#include "engine/study_runner.h"
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
  view.setResults(QStringLiteral("test"), 0.9,
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
  const engine::StudyOutcome outcome = engine::runStudy(spec, configurations, {1, {}, nullptr, ""});
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
