// The dashboard at laptop sizes: every chart's tick labels and titles drawn in full (Qt Charts
// elides what does not fit into "..."), legends at most a fifth of a chart, on the real window.

#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QGraphicsView>
#include <QSpinBox>
#include <QToolButton>
#include <QTest>
#include <QComboBox>
#include <gtest/gtest.h>
#include <memory>

#include "builtin_experiments.h"
#include "dashboard.h"
#include "main_window.h"
#include "run_colors.h"
#include "transport_bar.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;

QStringList drawnTexts(const MetricChart* chart) {
  QStringList out;
  const auto* view = chart->findChild<QGraphicsView*>();
  if (view == nullptr || view->scene() == nullptr) return out;
  for (const QGraphicsItem* item : view->scene()->items()) {
    const auto* text = qgraphicsitem_cast<const QGraphicsTextItem*>(item);
    if (text != nullptr && text->isVisible() && !text->toPlainText().isEmpty()) out.append(text->toPlainText());
  }
  return out;
}

// Sizes the dashboard gets: the chart area of a 1280x720 and a 1366x768 window next to the docks,
// each whole window (docks closed), and 1920x1080.
class DashboardFitTest : public ::testing::TestWithParam<QSize> {};

TEST_P(DashboardFitTest, NoChartLabelIsElidedAndLegendsStaySmall) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  MainWindow window(2);
  window.setInteractive(false);
  window.show();
  // The default experiment: a deep MLP, 12 tensors, three runs.
  initUiResources();
  const QString path = test::writeFile(dir, QStringLiteral("default.json"),
                                       readResourceText(defaultExperimentPath()).toStdString());
  ASSERT_TRUE(window.openExperiment(path, /*autoplay=*/false))
      << window.lastError().toStdString();
  ASSERT_TRUE(waitFor([&] {
    return window.session() && window.controller()->state() == SessionController::State::Paused;
  }));
  window.transportBar()->stepCount()->setValue(120);
  QTest::mouseClick(window.transportBar()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window.session()->currentStep() == 120; }));

  RunColorMap colors;
  Dashboard d(&colors);
  const QSize size = GetParam();
  ASSERT_LE(d.minimumSizeHint().width(), size.width()) << "the charts can shrink to fit";
  ASSERT_LE(d.minimumSizeHint().height(), size.height()) << "the charts can shrink to fit";
  d.resize(size);
  d.show();
  d.setStore(window.session()->metrics());
  d.refresh();
  // Let Qt Charts finish its layouts (and delete the items of a detached axis).
  for (int i = 0; i < 3; ++i) {
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    d.refresh();
  }
  for (int i = 0; i < Dashboard::kChartCount; ++i) {
    const MetricChart* c = d.chart(Dashboard::ChartId{i});
    if (!c->isVisible()) continue;
    const QStringList texts = drawnTexts(c);
    EXPECT_GE(texts.size(), 3) << c->title().toStdString();
    for (const QString& t : texts) {
      EXPECT_FALSE(t.contains(QStringLiteral("...")) || t.contains(QChar(0x2026)))
          << c->title().toStdString() << " on a " << size.width() << "x" << size.height()
          << " dashboard (chart " << c->width() << "x" << c->height() << "): \"" << t.toStdString()
          << "\" in " << texts.join(QStringLiteral(" | ")).toStdString();
    }
    EXPECT_LE(c->legendHeight(), c->height() / 5 + 1) << c->title().toStdString();
  }
}

INSTANTIATE_TEST_SUITE_P(LaptopSizes, DashboardFitTest,
                         ::testing::Values(QSize(600, 430), QSize(690, 480), QSize(1260, 640),
                                           QSize(1340, 690), QSize(1250, 850)));


TEST(DashboardCharts, SharedXRangeBoundedAccuracyAndNoTrustRatioLineForSgdOrAdam) {
  app();
  QTemporaryDir dir;
  MainWindow window(2);
  window.setInteractive(false);
  window.show();
  test::openAndTrain(window, dir, test::smallExperimentJson(), 90);
  Dashboard* d = window.dashboard();
  using R = Dashboard::RunChart;
  using T = engine::TensorMetric;

  // Accuracy never leaves [0, 1], whatever the hysteresis would give.
  const QPointF acc = d->chart(R::Accuracy)->yRange();
  EXPECT_GE(acc.x(), 0.0);
  EXPECT_LE(acc.y(), 1.0);
  EXPECT_TRUE(d->chart(R::Accuracy)->isVisible());

  // One tensor across runs: LARS has a trust ratio; SGD momentum and Adam (constant 1) do not
  // get a line but a note; every per-tensor chart spans the same steps.
  d->setTensorMode(Dashboard::TensorMode::RunsOfTensor);
  window.refreshNow();
  MetricChart* trust = d->chart(T::TrustRatio);
  EXPECT_TRUE(trust->hasSeries(QStringLiteral("run:LARS")));
  EXPECT_FALSE(trust->hasSeries(QStringLiteral("run:SGD momentum")));
  EXPECT_FALSE(trust->hasSeries(QStringLiteral("run:Adam")));
  EXPECT_TRUE(trust->plotMessage().contains(QStringLiteral("SGD momentum"))) << trust->plotMessage().toStdString();
  EXPECT_TRUE(trust->plotMessage().contains(QStringLiteral("Adam")));
  EXPECT_TRUE(d->chart(T::LocalLr)->hasSeries(QStringLiteral("run:Adam"))) << "its local LR is real";
  const QPointF x = d->chart(T::WeightNorm)->xRange();
  EXPECT_GE(x.y(), 89.0);
  for (T id : {T::GradNorm, T::TrustRatio, T::LocalLr, T::UpdateNorm, T::UpdateRatio})
    EXPECT_EQ(d->chart(id)->xRange(), x) << Dashboard::chartName(Dashboard::ChartId::of(id)).toStdString();

  // Every tensor of SGD momentum: no trust-ratio line at all, and the chart says why.
  d->setTensorMode(Dashboard::TensorMode::TensorsOfRun);
  d->setSelectedRun(QStringLiteral("SGD momentum"));
  window.refreshNow();
  EXPECT_TRUE(trust->seriesKeys().isEmpty());
  EXPECT_TRUE(trust->plotMessage().startsWith(QStringLiteral("Not applicable"))) << trust->plotMessage().toStdString();
  d->setSelectedRun(QStringLiteral("LARS"));
  window.refreshNow();
  EXPECT_FALSE(trust->seriesKeys().isEmpty());
  EXPECT_TRUE(trust->plotMessage().isEmpty());

  // cs231n's update-to-data ratio takes the update ratio's place when chosen, and gives it back.
  MetricChart* ratio = d->chart(T::UpdateRatio);
  MetricChart* toData = d->chart(T::UpdateToData);
  EXPECT_TRUE(ratio->isVisible());
  EXPECT_FALSE(toData->isVisible());
  auto* choice = d->findChild<QComboBox*>(QStringLiteral("alternativeChart"));
  ASSERT_NE(choice, nullptr);
  ASSERT_EQ(choice->count(), 2);
  choice->setCurrentIndex(1);
  window.refreshNow();
  EXPECT_FALSE(ratio->isVisible());
  EXPECT_TRUE(toData->isVisible());
  EXPECT_EQ(toData->geometry(), ratio->geometry()) << "the same place in the grid";
  EXPECT_FALSE(toData->seriesKeys().isEmpty());
  EXPECT_FALSE(toData->logY()) << "a log10 value, drawn on a linear axis";
  d->chooseTensorChart(T::UpdateRatio);
  EXPECT_TRUE(ratio->isVisible());
  EXPECT_FALSE(toData->isVisible());
  EXPECT_EQ(choice->currentIndex(), 0);

  // A regression experiment: no accuracy chart; the axes of the old session are gone.
  test::openAndTrain(window, dir, test::divergingExperimentJson(), 20);
  EXPECT_FALSE(d->chart(R::Accuracy)->isVisible());
  EXPECT_TRUE(d->chart(R::LearningRate)->isVisible());
  EXPECT_LE(d->chart(R::Loss)->xRange().y(), 40.0) << "no stale x range from the 90-step session";
  test::openAndTrain(window, dir, test::smallExperimentJson(), 5);
  EXPECT_TRUE(d->chart(R::Accuracy)->isVisible());
}

}  // namespace
}  // namespace larslab::ui
