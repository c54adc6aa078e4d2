// The step scrubber: one step cursor for the window (live until scrubbed), drawn in every chart,
// the values at that step in the inspector and the runs table, its keys and mouse gestures, the
// first non-finite tensor of a diverged run, and `larslab --screenshot --step K`.

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <cmath>
#include <gtest/gtest.h>
#include <memory>

#include "dashboard.h"
#include "help_dialog.h"
#include "main_window.h"
#include "status_panel.h"
#include "step_cursor.h"
#include "tensor_inspector.h"
#include "transport_bar.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;
using State = SessionController::State;

TEST(StepCursor, LiveFollowsTheLatestStepUntilScrubbed) {
  StepCursor c;
  EXPECT_TRUE(c.isLive());
  EXPECT_EQ(c.step(), -1);
  EXPECT_EQ(c.shown(-1), -1) << "nothing recorded yet";
  EXPECT_EQ(c.shown(9), 9);
  EXPECT_EQ(c.shown(19), 19);
  EXPECT_FALSE(c.scrubTo(3, -1)) << "no step to scrub to";
  EXPECT_TRUE(c.scrubTo(5, 19));
  EXPECT_FALSE(c.isLive());
  EXPECT_EQ(c.shown(40), 5) << "scrubbed: stays while training goes on";
  EXPECT_FALSE(c.scrubTo(5, 19)) << "no move";
  EXPECT_TRUE(c.scrubTo(100, 19));
  EXPECT_EQ(c.step(), 19) << "clamped to the steps recorded";
  EXPECT_TRUE(c.scrubTo(-4, 19));
  EXPECT_EQ(c.step(), 0);
  EXPECT_TRUE(c.goLive());
  EXPECT_FALSE(c.goLive());
  EXPECT_EQ(c.shown(19), 19);
}

TEST(StepCursor, MovesByStepsAndFractions) {
  StepCursor c;
  EXPECT_FALSE(c.moveBy(1, 99)) << "forward from live stays live";
  EXPECT_TRUE(c.isLive());
  EXPECT_TRUE(c.moveBy(-1, 99));
  EXPECT_EQ(c.step(), 98);
  EXPECT_TRUE(c.moveBy(1, 99));
  EXPECT_EQ(c.step(), 99);
  EXPECT_FALSE(c.moveBy(1, 99)) << "at the last step";
  EXPECT_TRUE(c.moveByFraction(-0.1, 99));
  EXPECT_EQ(c.step(), 89) << "10% of 100 steps";
  EXPECT_TRUE(c.moveByFraction(-10.0, 99));
  EXPECT_EQ(c.step(), 0);
  EXPECT_TRUE(c.moveByFraction(0.1, 4));
  EXPECT_EQ(c.step(), 1) << "at least one step";
}

class ScrubberTest : public test::WindowTest {
 protected:
  void train(long steps) {
    const long target = window_->session()->currentStep() + steps;
    window_->transportBar()->stepCount()->setValue(static_cast<int>(steps));
    QTest::mouseClick(window_->transportBar()->stepNButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor([&] { return window_->session()->currentStep() >= target; }));
    window_->syncWithWorker();
    window_->refreshNow();
  }
  [[nodiscard]] std::shared_ptr<const engine::MetricsStore> store() const { return window_->session()->metrics(); }
  [[nodiscard]] QString heading() const {
    return window_->inspector()->findChild<QLabel*>(QStringLiteral("inspectorHeading"))->text();
  }
  [[nodiscard]] QString lossText(const QString& run) const {
    QTreeWidget* t = window_->statusPanel()->runTable();
    for (int i = 0; i < t->topLevelItemCount(); ++i)
      if (t->topLevelItem(i)->text(0) == run) return t->topLevelItem(i)->text(2);
    return {};
  }
  // Every chart of the dashboard.
  [[nodiscard]] std::vector<MetricChart*> charts() const {
    std::vector<MetricChart*> out;
    for (int i = 0; i < Dashboard::kChartCount; ++i) out.push_back(window_->dashboard()->chart(Dashboard::ChartId{i}));
    return out;
  }

};

TEST_F(ScrubberTest, EveryChartDrawsTheCursorAndTheInspectorAndRunsTableShowThatStep) {
  open(test::smallExperimentJson());
  train(60);
  for (MetricChart* c : charts()) {
    EXPECT_TRUE(std::isnan(c->cursorX())) << "live: no cursor line";
    EXPECT_EQ(c->cursorPixel(), -1);
  }
  MetricChart* loss = window_->dashboard()->chart(Dashboard::RunChart::Loss);
  const QPointF xBefore = loss->xRange();
  const QPointF yBefore = loss->yRange();

  window_->scrubTo(20);
  EXPECT_EQ(window_->cursorStep(), 20);
  for (MetricChart* c : charts()) {
    EXPECT_DOUBLE_EQ(c->cursorX(), 20.0) << c->title().toStdString();
    EXPECT_EQ(c->cursorLabel(), QStringLiteral("step 20"));
    if (c->isVisible()) {  // not the update-to-data chart while the update ratio has its place
      EXPECT_GE(c->cursorPixel(), 0) << c->title().toStdString() << ": the line is inside the plot";
    }
  }
  EXPECT_EQ(loss->xRange(), xBefore) << "the cursor never refits the axes";
  EXPECT_EQ(loss->yRange(), yBefore);
  EXPECT_FALSE(loss->isZoomed());

  const auto s = store();
  const QString run = window_->selectedRun();
  const int r = s->runIndex(run.toStdString());
  TensorTableModel* model = window_->inspector()->model();
  EXPECT_EQ(model->step(), 20);
  ASSERT_EQ(model->rowCount(), s->tensorCount());
  for (int t = 0; t < s->tensorCount(); ++t)
    for (int m = 0; m < engine::kTensorMetricCount; ++m) {
      const double expected = s->value(r, t, static_cast<engine::TensorMetric>(m), 20);
      const double shown = model->index(t, TensorTableModel::FirstMetric + m).data(TensorTableModel::kValueRole).toDouble();
      EXPECT_EQ(shown, expected) << "tensor " << t << " metric " << m;
    }
  EXPECT_TRUE(heading().contains(QStringLiteral("at step 20 (scrubbed, L returns to live)"))) << heading().toStdString();
  for (int i = 0; i < s->runCount(); ++i) {
    const QString name = QString::fromStdString(s->runName(i));
    EXPECT_EQ(lossText(name), QString::number(s->value(i, engine::RunMetric::Loss, 20), 'g', 4)) << name.toStdString();
  }
  const QLabel* status = window_->findChild<QLabel*>(QStringLiteral("cursorLabel"));
  ASSERT_NE(status, nullptr);
  EXPECT_FALSE(status->isHidden());
  EXPECT_TRUE(status->text().contains(QStringLiteral("Step 20"))) << status->text().toStdString();

  // A zoom survives the cursor moving, and the cursor follows the x unit.
  loss->resetZoom();
  window_->dashboard()->setXInEpochs(true);
  window_->refreshNow();
  if (window_->dashboard()->xInEpochs()) {
    const double expected = 20.0 / s->stepsPerEpoch();
    EXPECT_NEAR(loss->cursorX(), expected, 1e-9);
  }
}

TEST_F(ScrubberTest, LiveModeFollowsNewStepsAndLReturnsToLive) {
  open(test::smallExperimentJson());
  train(10);
  EXPECT_EQ(window_->cursorStep(), -1);
  EXPECT_EQ(window_->inspector()->model()->step(), 9);
  train(10);
  EXPECT_EQ(window_->inspector()->model()->step(), 19) << "live follows the latest step";
  EXPECT_FALSE(heading().contains(QStringLiteral("scrubbed")));

  window_->scrubTo(5);
  train(10);
  EXPECT_EQ(window_->cursorStep(), 5) << "scrubbed: stays while training goes on";
  EXPECT_EQ(window_->inspector()->model()->step(), 5);

  window_->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  QTest::keyClick(window_.get(), Qt::Key_L);
  EXPECT_EQ(window_->cursorStep(), -1);
  EXPECT_EQ(window_->inspector()->model()->step(), 29);
  for (MetricChart* c : charts()) EXPECT_TRUE(std::isnan(c->cursorX()));
  EXPECT_TRUE(window_->findChild<QLabel*>(QStringLiteral("cursorLabel"))->isHidden());

  // A reset is another attempt: the cursor goes back to live.
  window_->scrubTo(3);
  QTest::mouseClick(window_->transportBar()->resetButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] {
    window_->refreshNow();
    return window_->cursorStep() == -1;
  }));
}

TEST_F(ScrubberTest, KeysMoveTheCursorByOneStepAndByATenth) {
  open(test::smallExperimentJson());
  train(100);
  window_->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  QTest::keyClick(window_.get(), Qt::Key_Right, Qt::AltModifier);
  EXPECT_EQ(window_->cursorStep(), -1) << "forward from live stays live";
  QTest::keyClick(window_.get(), Qt::Key_Left, Qt::AltModifier);
  EXPECT_EQ(window_->cursorStep(), 98);
  QTest::keyClick(window_.get(), Qt::Key_Left, Qt::AltModifier);
  EXPECT_EQ(window_->cursorStep(), 97);
  QTest::keyClick(window_.get(), Qt::Key_Right, Qt::AltModifier);
  EXPECT_EQ(window_->cursorStep(), 98);
  QTest::keyClick(window_.get(), Qt::Key_Left, Qt::AltModifier | Qt::ShiftModifier);
  EXPECT_EQ(window_->cursorStep(), 88) << "10% of 100 steps";
  QTest::keyClick(window_.get(), Qt::Key_Right, Qt::AltModifier | Qt::ShiftModifier);
  EXPECT_EQ(window_->cursorStep(), 98);
  EXPECT_EQ(window_->inspector()->model()->step(), 98);
  EXPECT_DOUBLE_EQ(window_->dashboard()->chart(Dashboard::RunChart::Loss)->cursorX(), 98.0);
  // Plain arrows still pan a chart: they are not the cursor's.
  MetricChart* loss = window_->dashboard()->chart(Dashboard::RunChart::Loss);
  loss->interactionSurface()->setFocus();
  QTest::keyClick(loss->interactionSurface(), Qt::Key_Left);
  EXPECT_EQ(window_->cursorStep(), 98);
  EXPECT_TRUE(loss->isZoomed()) << "panned";
}

TEST_F(ScrubberTest, DraggingAlongTheXAxisScrubsAndADragInThePlotStillZooms) {
  open(test::smallExperimentJson());
  train(100);
  MetricChart* loss = window_->dashboard()->chart(Dashboard::RunChart::Loss);
  QWidget* surface = loss->interactionSurface();
  const QPointF x = loss->xRange();
  const double stepsPerPixel = (x.y() - x.x()) / std::max(1, surface->width() / 2);
  const long tolerance = static_cast<long>(std::ceil(stepsPerPixel)) + 1;

  QTest::mousePress(surface, Qt::LeftButton, Qt::NoModifier, loss->scrubStripPosition(30.0));
  EXPECT_NEAR(window_->cursorStep(), 30, tolerance);
  QTest::mouseMove(surface, loss->scrubStripPosition(60.0));
  EXPECT_NEAR(window_->cursorStep(), 60, tolerance) << "the drag follows the mouse";
  QTest::mouseRelease(surface, Qt::LeftButton, Qt::NoModifier, loss->scrubStripPosition(60.0));
  EXPECT_FALSE(loss->isZoomed()) << "scrubbing is not zooming";
  EXPECT_DOUBLE_EQ(window_->dashboard()->chart(engine::TensorMetric::TrustRatio)->cursorX(),
                   static_cast<double>(window_->cursorStep()))
      << "one cursor for every chart";

  // Alt+drag in the plot scrubs too.
  const QPoint inPlot(loss->scrubStripPosition(40.0).x(), loss->scrubStripPosition(40.0).y() - surface->height() / 4);
  QTest::mousePress(surface, Qt::LeftButton, Qt::AltModifier, inPlot);
  QTest::mouseRelease(surface, Qt::LeftButton, Qt::AltModifier, inPlot);
  EXPECT_NEAR(window_->cursorStep(), 40, tolerance);
  EXPECT_FALSE(loss->isZoomed());

  // A plain drag in the plot is still the rubber-band zoom, and leaves the cursor alone.
  const long before = window_->cursorStep();
  const QPoint a(loss->scrubStripPosition(10.0).x(), inPlot.y() - 20);
  const QPoint b(loss->scrubStripPosition(80.0).x(), inPlot.y() + 10);
  QTest::mousePress(surface, Qt::LeftButton, Qt::NoModifier, a);
  QTest::mouseMove(surface, b);
  QTest::mouseRelease(surface, Qt::LeftButton, Qt::NoModifier, b);
  EXPECT_TRUE(loss->isZoomed());
  EXPECT_EQ(window_->cursorStep(), before);
  // ... and the cursor moving does not undo that zoom.
  const QPointF zoomed = loss->xRange();
  window_->moveCursor(-1);
  EXPECT_EQ(loss->xRange(), zoomed);
  EXPECT_TRUE(loss->isZoomed());
}

TEST_F(ScrubberTest, ADivergedRunsFirstNonFiniteTensorIsMarked) {
  open(test::divergingExperimentJson());
  train(200);
  window_->setSelectedRun(QStringLiteral("SGD"));
  window_->refreshNow();
  const auto s = store();
  const int r = s->runIndex("SGD");
  const engine::RunStatusInfo st = s->status(r);
  ASSERT_TRUE(st.diverged);
  TensorTableModel* model = window_->inspector()->model();
  const int row = model->firstNonFiniteRow();
  ASSERT_GE(row, 0) << st.reason;
  const long k = model->firstNonFiniteStep();
  EXPECT_GE(k, 0);
  EXPECT_LE(k, st.divergedAtStep);
  const std::string name = s->tensors()[static_cast<std::size_t>(row)].name;
  const std::string prefix = "parameter ";
  if (st.reason.rfind(prefix, 0) == 0) {
    EXPECT_EQ(st.reason.substr(prefix.size(), name.size() + 1), name + " ") << "the tensor the session named";
  } else {
    // The earliest non-finite weight, gradient or update norm in the store's columns.
    const engine::TensorMetric measured[] = {engine::TensorMetric::WeightNorm, engine::TensorMetric::GradNorm,
                                             engine::TensorMetric::UpdateNorm};
    bool atK = false;
    for (const auto m : measured) atK = atK || !std::isfinite(s->value(r, row, m, k));
    EXPECT_TRUE(atK) << name << " at step " << k;
    for (int t = 0; t < s->tensorCount(); ++t)
      for (long i = 0; i < k; ++i)
        for (const auto m : measured) EXPECT_TRUE(std::isfinite(s->value(r, t, m, i))) << t << " " << i;
  }
  const QModelIndex cell = model->index(row, TensorTableModel::Name);
  EXPECT_EQ(cell.data(Qt::ToolTipRole).toString(), QStringLiteral("first non-finite: step %1").arg(k));
  EXPECT_TRUE(cell.data(Qt::BackgroundRole).value<QColor>().isValid()) << "a red row";
  EXPECT_TRUE(heading().contains(QStringLiteral("%1 went non-finite first, at step %2").arg(QString::fromStdString(name)).arg(k)))
      << heading().toStdString();
  for (int t = 0; t < model->rowCount(); ++t)
    if (t != row) {
      EXPECT_FALSE(model->index(t, TensorTableModel::Name).data(Qt::BackgroundRole).isValid());
    }

  // Adam did not diverge: nothing marked.
  window_->setSelectedRun(QStringLiteral("Adam"));
  window_->refreshNow();
  EXPECT_EQ(model->firstNonFiniteRow(), -1);
  EXPECT_FALSE(heading().contains(QStringLiteral("non-finite")));
}

TEST_F(ScrubberTest, HelpAndReadmeNameEveryCursorKey) {
  QFile readme(QStringLiteral(LARSLAB_SOURCE_DIR "/README.md"));
  ASSERT_TRUE(readme.open(QIODevice::ReadOnly));
  const QString readmeText = QString::fromUtf8(readme.readAll());
  const QString help = HelpDialog::shortcutsHtml();
  int found = 0;
  for (const QKeySequence& keys : {QKeySequence(Qt::ALT | Qt::Key_Left), QKeySequence(Qt::ALT | Qt::Key_Right),
                                   QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_Left),
                                   QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_Right), QKeySequence(Qt::Key_L)}) {
    int actions = 0;
    for (const QAction* a : window_->findChildren<QAction*>())
      if (a->shortcut() == keys) ++actions;
    EXPECT_EQ(actions, 1) << keys.toString().toStdString() << ": exactly one action, no clash";
    const QString text = keys.toString(QKeySequence::PortableText);
    EXPECT_TRUE(help.contains(QStringLiteral("<b>%1</b>").arg(text))) << text.toStdString();
    found += actions;
  }
  EXPECT_EQ(found, 5);
  for (const char* k : {"Alt+Left", "Alt+Right", "Alt+Shift+Left/Right", "L back to live"})
    EXPECT_TRUE(readmeText.contains(QLatin1String(k))) << k;
}

// --screenshot --step, run as a user would.
TEST(LarslabStepOption, ScreenshotAtAStepAndAStepOutsideTheTrainedRange) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString experiment = test::writeFile(dir, QStringLiteral("e.json"), test::smallExperimentJson());
  const QString png = dir.filePath(QStringLiteral("shot.png"));
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  const auto run = [&](const QString& step) {
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(LARSLAB_UI_BINARY), {QStringLiteral("--screenshot"), png, QStringLiteral("--steps"),
                                                 QStringLiteral("20"), QStringLiteral("--size"),
                                                 QStringLiteral("1000x700"), QStringLiteral("--step"), step, experiment});
    EXPECT_TRUE(p->waitForFinished(120000));
    return p;
  };
  auto bad = run(QStringLiteral("20"));
  EXPECT_EQ(bad->exitCode(), 2);
  const QByteArray error = bad->readAllStandardError();
  EXPECT_TRUE(error.contains("--step: expected a step in [0, 19] (the steps trained), got '20'")) << error.toStdString();
  EXPECT_FALSE(QFile::exists(png)) << "no picture of a step that is not there";
  auto good = run(QStringLiteral("7"));
  EXPECT_EQ(good->exitCode(), 0) << good->readAllStandardError().toStdString();
  EXPECT_FALSE(QImage(png).isNull());
}

}  // namespace
}  // namespace larslab::ui
