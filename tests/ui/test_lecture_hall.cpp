// The window in a lecture hall: one chart maximised to the whole window and back (its corner
// button, a double-click on its title, Esc), the presentation text scale, a PNG export at the
// remembered size and DPI, and the view choices remembered across starts and reset.

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QRadioButton>
#include <QSlider>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <gtest/gtest.h>
#include <memory>

#include "main_window.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "tuning_panel.h"
#include "ui/charts/png_export_dialog.h"
#include "ui_test_support.h"
#include "view_settings.h"

namespace larslab::ui {
namespace {

using test::dock;
using test::shownWindow;

using ChartId = Dashboard::ChartId;

// The window's action bound to `keys` (the menus' shortcuts are what a user presses).
QAction* actionFor(MainWindow& w, const QKeySequence& keys) {
  for (QAction* a : w.findChildren<QAction*>())
    if (a->shortcuts().contains(keys)) return a;
  return nullptr;
}

// Presses `keys` the way the shortcut system sees them: the action must be enabled to fire.
bool press(MainWindow& w, const QKeySequence& keys) {
  QAction* a = actionFor(w, keys);
  if (a == nullptr || !a->isEnabled()) return false;
  a->trigger();
  QCoreApplication::processEvents();
  return true;
}

class LectureHallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::app();
    QSettings().clear();  // every test starts from a first start
  }
  void TearDown() override { QSettings().clear(); }
};

TEST_F(LectureHallTest, TheCornerButtonMaximisesAChartAndRestoresTheDocksAsTheyWere) {
  auto w = shownWindow(QSize(1920, 1080));
  ASSERT_TRUE(w->openDefaultExperiment(/*autoplay=*/false));
  QDockWidget* experiment = dock(*w, "experimentDock");
  QDockWidget* tuning = dock(*w, "tuningDock");
  QDockWidget* runs = dock(*w, "statusDock");
  runs->hide();  // the user closed one dock: it stays closed after the restore
  QTest::qWait(20);
  const Qt::DockWidgetArea experimentArea = w->dockWidgetArea(experiment);

  MetricChart* trust = w->dashboard()->chart(engine::TensorMetric::TrustRatio);
  MetricChart* loss = w->dashboard()->chart(Dashboard::RunChart::Loss);
  auto* button = trust->findChild<QToolButton*>(QStringLiteral("maximizeButton"));
  ASSERT_NE(button, nullptr);
  QTest::mouseClick(button, Qt::LeftButton);
  QTest::qWait(20);

  ASSERT_TRUE(w->maximizedChart().has_value());
  EXPECT_EQ(w->maximizedChart()->index, ChartId::of(engine::TensorMetric::TrustRatio).index);
  EXPECT_TRUE(trust->isMaximized());
  EXPECT_TRUE(trust->isVisible());
  EXPECT_FALSE(loss->isVisible()) << "the dashboard shows only that chart";
  for (QDockWidget* d : {experiment, tuning, runs}) EXPECT_FALSE(d->isVisible()) << d->objectName().toStdString();
  EXPECT_FALSE(w->inspector()->isVisible());
  EXPECT_GT(trust->width(), w->width() * 9 / 10) << "it fills the window";
  EXPECT_GT(trust->height(), w->height() * 3 / 4);

  QTest::mouseClick(button, Qt::LeftButton);
  QTest::qWait(20);
  EXPECT_FALSE(w->maximizedChart().has_value());
  EXPECT_FALSE(trust->isMaximized());
  EXPECT_TRUE(loss->isVisible());
  EXPECT_TRUE(experiment->isVisible());
  EXPECT_TRUE(tuning->isVisible());
  EXPECT_FALSE(runs->isVisible()) << "hidden before, hidden after";
  EXPECT_EQ(w->dockWidgetArea(experiment), experimentArea);
  EXPECT_TRUE(w->inspector()->isVisible());
  EXPECT_LT(trust->width(), w->width() / 2) << "back in its cell of the grid";
  EXPECT_TRUE(w->isAutomaticLayout()) << "maximising is not the user arranging docks";
}

TEST_F(LectureHallTest, ATitleDoubleClickMaximisesAndEscRestoresBeforeLeavingFullScreen) {
  auto w = shownWindow(QSize(1280, 720));
  MetricChart* lr = w->dashboard()->chart(Dashboard::RunChart::LearningRate);
  QTest::mouseDClick(lr->interactionSurface(), Qt::LeftButton, Qt::NoModifier, lr->titlePosition());
  QTest::qWait(20);
  ASSERT_TRUE(w->maximizedChart().has_value());
  EXPECT_EQ(w->maximizedChart()->index, ChartId::of(Dashboard::RunChart::LearningRate).index);
  EXPECT_FALSE(dock(*w, "tuningDock")->isVisible());

  ASSERT_TRUE(press(*w, QKeySequence(Qt::Key_F11)));
  EXPECT_TRUE(w->isFullScreen());
  ASSERT_TRUE(press(*w, QKeySequence(Qt::Key_Escape)));
  EXPECT_FALSE(w->maximizedChart().has_value()) << "Esc restores the chart first";
  EXPECT_TRUE(w->isFullScreen());
  EXPECT_TRUE(dock(*w, "tuningDock")->isVisible());
  ASSERT_TRUE(press(*w, QKeySequence(Qt::Key_Escape)));
  EXPECT_FALSE(w->isFullScreen());
  EXPECT_FALSE(press(*w, QKeySequence(Qt::Key_Escape))) << "nothing left for Esc: it is free for others";

  // The keyboard: the chart with the focus, again to restore.
  MetricChart* accuracy = w->dashboard()->chart(Dashboard::RunChart::Accuracy);
  accuracy->interactionSurface()->setFocus();
  ASSERT_TRUE(press(*w, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M)));
  ASSERT_TRUE(w->maximizedChart().has_value());
  EXPECT_EQ(w->maximizedChart()->index, ChartId::of(Dashboard::RunChart::Accuracy).index);
  ASSERT_TRUE(press(*w, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M)));
  EXPECT_FALSE(w->maximizedChart().has_value());
}

TEST_F(LectureHallTest, TextScaleGrowsChartsAndTablesAndIsRemembered) {
  double title = 0;
  double ticks = 0;
  double table = 0;
  {
    auto w = shownWindow(QSize(1366, 768));
    ASSERT_TRUE(w->openDefaultExperiment(/*autoplay=*/false));
    MetricChart* loss = w->dashboard()->chart(Dashboard::RunChart::Loss);
    title = loss->titleFont().pointSizeF();
    ticks = loss->tickLabelFont().pointSizeF();
    table = w->statusPanel()->runTable()->font().pointSizeF();
    ASSERT_GT(table, 0);
    auto* label = w->findChild<QLabel*>(QStringLiteral("textScaleLabel"));
    ASSERT_NE(label, nullptr);
    EXPECT_FALSE(label->isVisible()) << "nothing to say at 100%";

    ASSERT_TRUE(press(*w, QKeySequence(Qt::CTRL | Qt::Key_Equal)));
    ASSERT_TRUE(press(*w, QKeySequence(QKeySequence::ZoomIn)));
    EXPECT_EQ(w->textScale(), 150);
    EXPECT_NEAR(loss->titleFont().pointSizeF(), 1.5 * title, 1e-6);
    EXPECT_NEAR(loss->tickLabelFont().pointSizeF(), 1.5 * ticks, 1e-6);
    EXPECT_NEAR(w->dashboard()->chart(engine::TensorMetric::UpdateRatio)->titleFont().pointSizeF(), 1.5 * title, 1e-6);
    EXPECT_NEAR(w->statusPanel()->runTable()->font().pointSizeF(), 1.5 * table, 1e-6);
    EXPECT_NEAR(w->statusPanel()->eventLog()->font().pointSizeF(), 1.5 * table, 1e-6);
    EXPECT_NEAR(w->inspector()->view()->font().pointSizeF(), 1.5 * table, 1e-6);
    EXPECT_NEAR(w->tuningPanel()->font().pointSizeF(), 1.5 * table, 1e-6);
    EXPECT_TRUE(label->isVisible());
    EXPECT_EQ(label->text(), QStringLiteral("Text 150%"));
    EXPECT_GE(loss->minimumHeight(), 220) << "charts grow and the dashboard scrolls";

    for (int i = 0; i < 5; ++i) press(*w, QKeySequence(QKeySequence::ZoomIn));
    EXPECT_EQ(w->textScale(), 200) << "stops at the largest step";
    ASSERT_TRUE(press(*w, QKeySequence(QKeySequence::ZoomOut)));
    EXPECT_EQ(w->textScale(), 175);
    w->saveViewChoices();
  }
  {
    auto w = shownWindow(QSize(1366, 768));
    w->restoreViewChoices();
    EXPECT_EQ(w->textScale(), 175) << "a new window reads it";
    EXPECT_NEAR(w->dashboard()->chart(Dashboard::RunChart::Loss)->titleFont().pointSizeF(), 1.75 * title, 1e-6);
    ASSERT_TRUE(press(*w, QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_0)));
    EXPECT_EQ(w->textScale(), 100);
    EXPECT_NEAR(w->statusPanel()->runTable()->font().pointSizeF(), table, 1e-6);
    EXPECT_NEAR(w->dashboard()->chart(Dashboard::RunChart::Loss)->tickLabelFont().pointSizeF(), ticks, 1e-6);
  }
}

TEST_F(LectureHallTest, ViewChoicesAreRememberedAndResetLayoutForgetsThem) {
  Dashboard::View chosen;
  chosen.smoothing = 0.6;
  chosen.logScale = false;
  chosen.xInEpochs = true;
  chosen.tensorMode = Dashboard::TensorMode::RunsOfTensor;
  chosen.tensorFilter = Dashboard::TensorFilter::OneDimensional;
  chosen.alternativeCharts = {engine::TensorMetric::UpdateToData};
  {
    auto w = shownWindow(QSize(1600, 900));
    Dashboard* d = w->dashboard();
    EXPECT_EQ(d->view(), Dashboard::View{}) << "a first start has the defaults";
    // As the user does it: the controls.
    d->findChild<QSlider*>(QStringLiteral("smoothingSlider"))->setValue(60);
    d->findChild<QCheckBox*>(QStringLiteral("logScale"))->setChecked(false);
    d->findChild<QComboBox*>(QStringLiteral("xAxisUnit"))->setCurrentIndex(1);
    d->findChild<QRadioButton*>(QStringLiteral("modeRunsOfTensor"))->setChecked(true);
    d->findChild<QComboBox*>(QStringLiteral("tensorFilter"))->setCurrentIndex(2);
    d->findChild<QComboBox*>(QStringLiteral("alternativeChart"))->setCurrentIndex(1);
    EXPECT_EQ(d->view(), chosen);
    w->setTextScale(125);
    w->saveViewChoices();
  }
  {
    auto w = shownWindow(QSize(1600, 900));
    w->restoreViewChoices();
    EXPECT_EQ(w->dashboard()->view(), chosen);
    EXPECT_FALSE(w->dashboard()->chart(Dashboard::RunChart::Loss)->logY());
    EXPECT_TRUE(w->dashboard()->isTensorChartChosen(engine::TensorMetric::UpdateToData));
    EXPECT_FALSE(w->dashboard()->isTensorChartChosen(engine::TensorMetric::UpdateRatio));
    EXPECT_EQ(w->dashboard()->findChild<QComboBox*>(QStringLiteral("alternativeChart"))->currentIndex(), 1);
    EXPECT_EQ(w->textScale(), 125);
    // The command line is applied after the remembered values (main.cpp) and wins.
    w->dashboard()->setSmoothing(0.2);
    EXPECT_DOUBLE_EQ(w->dashboard()->smoothing(), 0.2);

    w->resetLayout();
    EXPECT_EQ(w->dashboard()->view(), Dashboard::View{});
    EXPECT_TRUE(w->dashboard()->chart(Dashboard::RunChart::Loss)->logY());
    EXPECT_TRUE(w->dashboard()->isTensorChartChosen(engine::TensorMetric::UpdateRatio));
    EXPECT_EQ(w->textScale(), 100);
    EXPECT_TRUE(QSettings().childKeys().filter(QStringLiteral("view")).isEmpty());
    EXPECT_FALSE(QSettings().childGroups().contains(QStringLiteral("view")));
  }
  {
    auto w = shownWindow(QSize(1600, 900));
    w->restoreViewChoices();
    EXPECT_EQ(w->dashboard()->view(), Dashboard::View{}) << "forgotten, not just reset on screen";
  }
}

TEST_F(LectureHallTest, BadRememberedValuesFallBackToTheDefaults) {
  QSettings s;
  s.setValue(QStringLiteral("view/smoothing"), 7.5);
  s.setValue(QStringLiteral("view/textScale"), QStringLiteral("huge"));
  s.setValue(QStringLiteral("view/tensorMode"), QStringLiteral("sideways"));
  s.setValue(QStringLiteral("view/tensorFilter"), 42);
  s.setValue(QStringLiteral("view/alternativeCharts"), QStringList{QStringLiteral("loss"), QStringLiteral("weight_norm")});
  s.setValue(QStringLiteral("export/pngWidth"), -3);
  s.setValue(QStringLiteral("export/pngDpi"), 123);
  s.sync();
  EXPECT_EQ(loadViewChoices(), ViewChoices{});
  EXPECT_EQ(rememberedPngExport(), PngExportChoice{});
}

TEST_F(LectureHallTest, TextScaleSteps) {
  EXPECT_EQ(steppedTextScale(100, +1), 125);
  EXPECT_EQ(steppedTextScale(100, -1), 80);
  EXPECT_EQ(steppedTextScale(80, -1), 80);
  EXPECT_EQ(steppedTextScale(200, +1), 200);
  EXPECT_EQ(steppedTextScale(100, +4), 200);
  EXPECT_EQ(steppedTextScale(130, +1), 150) << "from between two steps, the next one up";
  EXPECT_EQ(steppedTextScale(130, -1), 125);
  EXPECT_EQ(steppedTextScale(130, 0), 100);
}

TEST_F(LectureHallTest, FileExportChartWritesThePngAtTheRememberedSizeAndDpi) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  auto w = shownWindow(QSize(1366, 768));
  ASSERT_TRUE(w->openDefaultExperiment(/*autoplay=*/false));
  rememberPngExport({QSize(1000, 600), 200});
  const QString png = dir.filePath(QStringLiteral("loss.png"));
  ASSERT_TRUE(w->exportChartTo(ChartId::of(Dashboard::RunChart::Loss), png)) << w->lastError().toStdString();
  const QImage image(png);
  EXPECT_EQ(image.size(), QSize(1000, 600));
  EXPECT_EQ(image.dotsPerMeterX(), std::lround(200 / 0.0254));
}

}  // namespace
}  // namespace larslab::ui
