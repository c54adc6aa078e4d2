// Pinned runs (issue 12, item 5): a pinned run, the previous attempt kept on reset and the runs of
// a metric log from disk are drawn, dimmed and labelled, in every chart next to the live runs;
// a pin never grows, survives resets, is never part of the document and can be removed.

#include <QAction>
#include <QDir>
#include <QFile>
#include <QMenu>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <gtest/gtest.h>
#include <memory>

#include "dashboard.h"
#include "main_window.h"
#include "pinned_runs.h"
#include "status_panel.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;
using State = SessionController::State;
using Kind = PinnedRun::Kind;

class PinsTest : public test::WindowTest {
 protected:
  void SetUp() override {
    WindowTest::SetUp();
    if (HasFatalFailure()) return;
    window_->setKeepPreviousAttempt(true);
  }
  void TearDown() override {
    window_->setKeepPreviousAttempt(true);  // the default, for the next test
    WindowTest::TearDown();
  }

  void open(const QString& name = QStringLiteral("experiment.json")) {
    WindowTest::open(test::smallExperimentJson(), name);
  }
  void train(long steps) {
    const long target = window_->session()->currentStep() + steps;
    window_->stepN(steps);
    ASSERT_TRUE(waitFor([&] { return window_->session()->currentStep() == target; }));
    window_->syncWithWorker();
    window_->refreshNow();
  }
  // Presses R and waits for the new session.
  void pressReset() {
    const auto before = window_->session();
    window_->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    QTest::keyClick(window_.get(), Qt::Key_R);
    ASSERT_TRUE(waitFor([&] { return window_->session() != before; }));
    window_->refreshNow();
  }
  [[nodiscard]] MetricChart* chart(Dashboard::RunChart c) const { return window_->dashboard()->chart(c); }
  [[nodiscard]] MetricChart* chart(engine::TensorMetric m) const { return window_->dashboard()->chart(m); }
  [[nodiscard]] std::vector<const PinnedRun*> pinsOf(Kind kind) const {
    std::vector<const PinnedRun*> out;
    for (const PinnedRun& p : window_->pins().list())
      if (p.kind == kind) out.push_back(&p);
    return out;
  }
  [[nodiscard]] const PinnedRun* pinNamed(const QString& label) const {
    for (const PinnedRun& p : window_->pins().list())
      if (p.label() == label) return &p;
    return nullptr;
  }
  static QString key(const PinnedRun& p) { return QStringLiteral("pin:") + QString::number(p.id); }
  static QString testKey(const PinnedRun& p) { return QStringLiteral("pintest:") + QString::number(p.id); }
  static QString tensorKey(const PinnedRun& p, const QString& tensor) {
    return QStringLiteral("pintensor:") + QString::number(p.id) + QLatin1Char(':') + tensor;
  }
  // The pinned rows of the runs table: "run name, kind".
  [[nodiscard]] QStringList pinnedRowTexts() const {
    QStringList rows;
    QTreeWidget* table = window_->statusPanel()->runTable();
    for (int i = 0; i < table->topLevelItemCount(); ++i)
      if (window_->statusPanel()->pinIdAt(i) != 0)
        rows << table->topLevelItem(i)->text(0) + QStringLiteral(", ") + table->topLevelItem(i)->text(1);
    return rows;
  }
  // A log exported by the app (the same writer as larslab-cli), `steps` steps long.
  QString exportLog(const QString& name, long steps) {
    train(steps);
    const QString logDir = dir_.filePath(name);
    EXPECT_TRUE(window_->exportMetricsTo(logDir)) << window_->lastError().toStdString();
    return logDir;
  }

};

TEST_F(PinsTest, APinnedRunKeepsItsLengthWhileTheLiveRunTrainsOn) {
  open();
  train(20);
  window_->setSelectedRun(QStringLiteral("Adam"));
  window_->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  QTest::keyClick(window_.get(), Qt::Key_P);  // Training > Pin the selected run
  ASSERT_EQ(window_->pins().size(), 1u);
  const PinnedRun& pin = window_->pins().list().front();
  EXPECT_EQ(pin.kind, Kind::Pinned);
  EXPECT_EQ(pin.label(), QStringLiteral("Adam (pinned)"));
  EXPECT_EQ(pin.steps, 20);
  window_->refreshNow();
  MetricChart* loss = chart(Dashboard::RunChart::Loss);
  ASSERT_TRUE(loss->hasSeries(key(pin)));
  EXPECT_EQ(loss->seriesLabel(key(pin)), QStringLiteral("Adam (pinned)"));
  EXPECT_LT(loss->seriesColor(key(pin)).alpha(), loss->seriesColor(QStringLiteral("run:Adam")).alpha()) << "dimmed";
  EXPECT_EQ(loss->seriesColor(key(pin)).rgb(), loss->seriesColor(QStringLiteral("run:Adam")).rgb()) << "the run's hue";
  EXPECT_DOUBLE_EQ(loss->seriesLastPoint(key(pin)).x(), 19.0);

  train(15);
  EXPECT_DOUBLE_EQ(loss->seriesLastPoint(QStringLiteral("run:Adam")).x(), 34.0);
  EXPECT_DOUBLE_EQ(loss->seriesLastPoint(key(pin)).x(), 19.0) << "a pin never grows with its live run";
  EXPECT_EQ(window_->pins().list().front().steps, 20);
  EXPECT_EQ(pinnedRowTexts(), QStringList{QStringLiteral("Adam, pinned")});
  EXPECT_FALSE(window_->isModified()) << "a pin is a view, not part of the experiment";

  // The runs table reads every row, pins included, at the step cursor: at its last step when live
  // or scrubbed past its end, at the cursor step before.
  QTreeWidget* table = window_->statusPanel()->runTable();
  int pinRow = -1;
  for (int i = 0; i < table->topLevelItemCount(); ++i)
    if (window_->statusPanel()->pinIdAt(i) == pin.id) pinRow = i;
  ASSERT_GE(pinRow, 0);
  const auto lossText = [](const PinnedRun& p, long step) {
    return QString::number(p.store->value(p.run, engine::RunMetric::Loss, step), 'g', 4);
  };
  EXPECT_EQ(table->topLevelItem(pinRow)->text(2), lossText(pin, 19));
  window_->scrubTo(7);
  window_->refreshNow();
  EXPECT_EQ(table->topLevelItem(pinRow)->text(2), lossText(pin, 7));
  EXPECT_NE(lossText(pin, 7), lossText(pin, 19)) << "the test tells the two apart";
  window_->scrubTo(30);
  window_->refreshNow();
  EXPECT_EQ(table->topLevelItem(pinRow)->text(2), lossText(pin, 19)) << "a pin ends at its length";
  window_->returnToLive();
  window_->refreshNow();

  // Pinning the same run again gives a second, distinct label.
  ASSERT_TRUE(window_->pinRun(QStringLiteral("Adam")));
  EXPECT_NE(pinNamed(QStringLiteral("Adam (pinned 2)")), nullptr);
  EXPECT_FALSE(window_->pinRun(QStringLiteral("no such run")));
  EXPECT_EQ(window_->pins().size(), 2u);
}

TEST_F(PinsTest, ResetKeepsThePreviousAttemptDimmedAndLabelledInEveryChart) {
  open();
  train(30);
  ASSERT_TRUE(window_->pinRun(QStringLiteral("LARS")));
  window_->setSelectedRun(QStringLiteral("LARS"));
  const auto firstStore = window_->session()->metrics();
  pressReset();
  EXPECT_EQ(window_->session()->currentStep(), 0);
  ASSERT_EQ(pinsOf(Kind::PreviousAttempt).size(), 3u);
  EXPECT_EQ(pinsOf(Kind::Pinned).size(), 1u) << "an explicit pin survives the reset";
  const PinnedRun* lars = pinNamed(QStringLiteral("LARS (previous attempt)"));
  ASSERT_NE(lars, nullptr);
  EXPECT_EQ(lars->store, firstStore);
  EXPECT_EQ(lars->steps, 30);
  train(5);
  for (MetricChart* c : {chart(Dashboard::RunChart::Loss), chart(Dashboard::RunChart::Accuracy),
                         chart(Dashboard::RunChart::LearningRate)}) {
    ASSERT_TRUE(c->hasSeries(key(*lars))) << c->title().toStdString();
    EXPECT_EQ(c->seriesLabel(key(*lars)), QStringLiteral("LARS (previous attempt)"));
    EXPECT_LT(c->seriesColor(key(*lars)).alpha(), 255);
    EXPECT_DOUBLE_EQ(c->seriesLastPoint(key(*lars)).x(), 29.0) << c->title().toStdString();
  }
  // Its test evaluations (the one at step 0), dashed next to the live ones.
  EXPECT_TRUE(chart(Dashboard::RunChart::Loss)->hasSeries(testKey(*lars)));
  EXPECT_TRUE(chart(Dashboard::RunChart::Accuracy)->hasSeries(testKey(*lars)));

  // A per-tensor chart, one run: the previous attempt of the selected run, tensor by tensor.
  const QString tensor = QString::fromStdString(window_->session()->metrics()->tensors().front().name);
  MetricChart* norms = chart(engine::TensorMetric::WeightNorm);
  ASSERT_TRUE(norms->hasSeries(tensorKey(*lars, tensor)));
  EXPECT_EQ(norms->seriesLabel(tensorKey(*lars, tensor)), tensor + QStringLiteral(" (previous attempt)"));
  EXPECT_LT(norms->seriesColor(tensorKey(*lars, tensor)).alpha(), 255);
  const PinnedRun* adam = pinNamed(QStringLiteral("Adam (previous attempt)"));
  ASSERT_NE(adam, nullptr);
  EXPECT_FALSE(norms->hasSeries(tensorKey(*adam, tensor))) << "another run's pin is not this run's";
  // One tensor across runs: every pin's tensor of that name.
  window_->dashboard()->setSelectedTensor(tensor);
  window_->dashboard()->setTensorMode(Dashboard::TensorMode::RunsOfTensor);
  window_->refreshNow();
  EXPECT_TRUE(norms->hasSeries(key(*lars)));
  EXPECT_TRUE(norms->hasSeries(key(*adam)));
  EXPECT_EQ(norms->seriesLabel(key(*adam)), QStringLiteral("Adam (previous attempt)"));
  // Optimizers without a trust ratio are named once, not once more per pin.
  MetricChart* trust = chart(engine::TensorMetric::TrustRatio);
  EXPECT_TRUE(trust->hasSeries(key(*lars)));
  EXPECT_FALSE(trust->hasSeries(key(*adam)));
  EXPECT_TRUE(trust->plotMessage().contains(QStringLiteral("Adam"))) << trust->plotMessage().toStdString();
  EXPECT_FALSE(trust->plotMessage().contains(QStringLiteral("previous attempt"))) << trust->plotMessage().toStdString();

  // The next reset replaces the previous attempt (5 steps now); the explicit pin stays.
  const int oldId = lars->id;
  pressReset();
  ASSERT_EQ(pinsOf(Kind::PreviousAttempt).size(), 3u);
  const PinnedRun* again = pinNamed(QStringLiteral("LARS (previous attempt)"));
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again->id, oldId);
  EXPECT_EQ(again->steps, 5);
  EXPECT_FALSE(chart(Dashboard::RunChart::Loss)->hasSeries(QStringLiteral("pin:") + QString::number(oldId)));
  EXPECT_NE(pinNamed(QStringLiteral("LARS (pinned)")), nullptr);
  EXPECT_EQ(pinnedRowTexts().size(), 4);
  EXPECT_FALSE(window_->isModified());
}

TEST_F(PinsTest, WithTheOptionOffResetKeepsNoPreviousAttempt) {
  open();
  train(10);
  window_->setKeepPreviousAttempt(false);
  EXPECT_FALSE(window_->keepsPreviousAttempt());
  {
    MainWindow other(1);  // remembered for the next window
    EXPECT_FALSE(other.keepsPreviousAttempt());
  }
  pressReset();
  EXPECT_TRUE(window_->pins().empty());
  for (const QString& k : chart(Dashboard::RunChart::Loss)->seriesKeys()) EXPECT_FALSE(k.startsWith(QStringLiteral("pin")));
  EXPECT_TRUE(pinnedRowTexts().isEmpty());
}

TEST_F(PinsTest, ResetToTheFilesValuesKeepsThePreviousAttemptAndOpeningAnotherDropsIt) {
  open();
  train(12);
  const auto before = window_->session();
  window_->setSaveChangesPrompt([](const QString&) { return MainWindow::SaveAnswer::Discard; });
  window_->resetToFile();
  ASSERT_TRUE(waitFor([&] { return window_->session() != before; }));
  window_->refreshNow();
  ASSERT_EQ(pinsOf(Kind::PreviousAttempt).size(), 3u);
  EXPECT_EQ(pinsOf(Kind::PreviousAttempt).front()->steps, 12);
  ASSERT_TRUE(window_->pinRun(QStringLiteral("Adam")));

  // Another document: its attempts are not this one's; the explicit pin stays.
  open(QStringLiteral("other.json"));
  window_->refreshNow();
  EXPECT_TRUE(pinsOf(Kind::PreviousAttempt).empty());
  EXPECT_EQ(pinsOf(Kind::Pinned).size(), 1u);
  EXPECT_EQ(pinnedRowTexts(), QStringList{QStringLiteral("Adam, pinned")});
}

TEST_F(PinsTest, ALogFromDiskIsPinnedNextToTheLiveRuns) {
  open();
  const QString logDir = exportLog(QStringLiteral("sgd-log"), 25);
  pressReset();
  window_->removeAllPins();
  ASSERT_TRUE(window_->pinLog(QDir(logDir).filePath(QStringLiteral("run_metrics.csv"))))
      << window_->lastError().toStdString();
  ASSERT_EQ(pinsOf(Kind::Log).size(), 3u);
  const PinnedRun* sgd = pinNamed(QStringLiteral("SGD momentum (sgd-log)"));
  ASSERT_NE(sgd, nullptr);
  EXPECT_EQ(sgd->steps, 25);
  EXPECT_NE(sgd->store, window_->session()->metrics());
  train(3);
  MetricChart* loss = chart(Dashboard::RunChart::Loss);
  ASSERT_TRUE(loss->hasSeries(key(*sgd)));
  EXPECT_EQ(loss->seriesLabel(key(*sgd)), QStringLiteral("SGD momentum (sgd-log)"));
  EXPECT_DOUBLE_EQ(loss->seriesLastPoint(key(*sgd)).x(), 24.0);
  EXPECT_TRUE(loss->hasSeries(QStringLiteral("run:SGD momentum"))) << "the live run is still drawn";
  // The same steps, the same weights: the log's first loss is the live run's.
  EXPECT_FLOAT_EQ(sgd->store->value(sgd->run, engine::RunMetric::Loss, 0),
                  window_->session()->metrics()->value(1, engine::RunMetric::Loss, 0));
  // In epochs, with the log's own steps per epoch (read back from its epoch column).
  const double perEpoch = sgd->store->stepsPerEpoch();
  ASSERT_GT(perEpoch, 0.0);
  EXPECT_NEAR(perEpoch, window_->session()->metrics()->stepsPerEpoch(), 1e-6);
  window_->dashboard()->setXInEpochs(true);
  window_->refreshNow();
  EXPECT_NEAR(loss->seriesLastPoint(key(*sgd)).x(), 24.0 / perEpoch, 1e-9);
  window_->dashboard()->setXInEpochs(false);
  EXPECT_TRUE(pinnedRowTexts().contains(QStringLiteral("SGD momentum, log"))) << pinnedRowTexts().join(QLatin1Char(';')).toStdString();
  EXPECT_FALSE(window_->isModified());
}

TEST_F(PinsTest, ABadLogIsReportedNamingTheFileAndChangesNothing) {
  open();
  train(5);
  ASSERT_TRUE(window_->pinRun(QStringLiteral("LARS")));
  QDir(dir_.path()).mkpath(QStringLiteral("bad"));
  const QString bad = test::writeFile(dir_, QStringLiteral("bad/run_metrics.csv"), "run,step,accuracy\nLARS,0,0.5\n");
  EXPECT_FALSE(window_->pinLog(bad));
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("run_metrics.csv"))) << window_->lastError().toStdString();
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("loss"))) << window_->lastError().toStdString();
  EXPECT_FALSE(window_->pinLog(dir_.filePath(QStringLiteral("missing"))));
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("missing"))) << window_->lastError().toStdString();
  EXPECT_EQ(window_->pins().size(), 1u);
  window_->refreshNow();
  EXPECT_EQ(pinnedRowTexts(), QStringList{QStringLiteral("LARS, pinned")});
}

TEST_F(PinsTest, PinsAreRemovedOneByOneFromTheRunsTableOrAllAtOnce) {
  open();
  train(8);
  for (const char* run : {"LARS", "Adam", "SGD momentum"}) ASSERT_TRUE(window_->pinRun(QString::fromUtf8(run)));
  window_->refreshNow();
  QTreeWidget* table = window_->statusPanel()->runTable();
  ASSERT_EQ(table->topLevelItemCount(), 6);
  const PinnedRun* adam = pinNamed(QStringLiteral("Adam (pinned)"));
  ASSERT_NE(adam, nullptr);
  const QString adamKey = key(*adam);
  ASSERT_TRUE(chart(Dashboard::RunChart::Loss)->hasSeries(adamKey));

  // The context menu of Adam's pinned row removes that pin only.
  int row = -1;
  for (int i = 0; i < table->topLevelItemCount(); ++i)
    if (window_->statusPanel()->pinIdAt(i) == adam->id) row = i;
  ASSERT_GE(row, 0);
  std::unique_ptr<QMenu> menu(window_->statusPanel()->contextMenuFor(table->topLevelItem(row)));
  QAction* remove = nullptr;
  for (QAction* a : menu->actions())
    if (a->text() == QStringLiteral("Remove pin Adam (pinned)")) remove = a;
  ASSERT_NE(remove, nullptr);
  remove->trigger();
  EXPECT_EQ(window_->pins().size(), 2u);
  EXPECT_FALSE(chart(Dashboard::RunChart::Loss)->hasSeries(adamKey));
  EXPECT_EQ(pinnedRowTexts(), (QStringList{QStringLiteral("LARS, pinned"), QStringLiteral("SGD momentum, pinned")}));

  // A live row's menu pins that run.
  std::unique_ptr<QMenu> live(window_->statusPanel()->contextMenuFor(table->topLevelItem(1)));
  ASSERT_FALSE(live->actions().isEmpty());
  live->actions().front()->trigger();
  EXPECT_EQ(window_->pins().size(), 3u);

  window_->removeAllPins();
  window_->refreshNow();
  EXPECT_TRUE(window_->pins().empty());
  EXPECT_TRUE(pinnedRowTexts().isEmpty());
  EXPECT_EQ(table->topLevelItemCount(), 3);
  for (const QString& k : chart(Dashboard::RunChart::Loss)->seriesKeys()) EXPECT_FALSE(k.startsWith(QStringLiteral("pin")));
}

// --pin LOG on the command line, as a user would run it.
TEST(LarslabExecutable, PinOptionPinsALogAndReportsABadOne) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  QString logDir;
  {
    MainWindow w(2);
    w.setInteractive(false);
    w.setAutosaveDirectory(dir.filePath(QStringLiteral("autosave")));
    const QString experiment = test::writeFile(dir, QStringLiteral("e.json"), test::smallExperimentJson());
    ASSERT_TRUE(w.openExperiment(experiment, false));
    ASSERT_TRUE(waitFor([&] { return w.session() && w.controller()->state() == State::Paused; }));
    w.stepN(10);
    ASSERT_TRUE(waitFor([&] { return w.session()->currentStep() == 10; }));
    logDir = dir.filePath(QStringLiteral("log"));
    ASSERT_TRUE(w.exportMetricsTo(logDir)) << w.lastError().toStdString();
  }
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  QProcess good;
  good.setProcessEnvironment(env);
  const QString png = dir.filePath(QStringLiteral("pinned.png"));
  good.start(QStringLiteral(LARSLAB_UI_BINARY), {QStringLiteral("--screenshot"), png, QStringLiteral("--steps"),
                                                 QStringLiteral("5"), QStringLiteral("--size"),
                                                 QStringLiteral("800x600"), QStringLiteral("--pin"), logDir});
  ASSERT_TRUE(good.waitForFinished(120000));
  EXPECT_EQ(good.exitCode(), 0) << good.readAllStandardError().toStdString();
  EXPECT_TRUE(QFile::exists(png));

  QProcess bad;
  bad.setProcessEnvironment(env);
  const QString missing = dir.filePath(QStringLiteral("no-such-log"));
  bad.start(QStringLiteral(LARSLAB_UI_BINARY), {QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png")),
                                                QStringLiteral("--steps"), QStringLiteral("5"), QStringLiteral("--pin"),
                                                missing});
  ASSERT_TRUE(bad.waitForFinished(120000));
  EXPECT_EQ(bad.exitCode(), 1);
  EXPECT_TRUE(bad.readAllStandardError().contains("no-such-log"));
  EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("x.png"))));
}

}  // namespace
}  // namespace larslab::ui
