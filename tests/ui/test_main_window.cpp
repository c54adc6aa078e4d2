// Drives the real MainWindow under the offscreen platform: transport, live tuning, runs,
// files, divergence, read-only logs and the --screenshot mode.

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <cmath>
#include <gtest/gtest.h>
#include <memory>

#include "builtin_experiments.h"
#include "dashboard.h"
#include "engine/experiment.h"
#include "experiment_panel.h"
#include "run_editor.h"
#include "help_dialog.h"
#include "hyperparameter_control.h"
#include "main_window.h"
#include "teaching_views.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "transport_bar.h"
#include "tuning_panel.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;
using State = SessionController::State;

class MainWindowTest : public test::WindowTest {
 protected:
  [[nodiscard]] long step() const { return window_->session()->currentStep(); }
  [[nodiscard]] TransportBar* transport() const { return window_->transportBar(); }
  void clickStep() { QTest::mouseClick(transport()->stepButton(), Qt::LeftButton); }

};

TEST_F(MainWindowTest, PlayPauseAndStepDriveTheSession) {
  open(test::smallExperimentJson());
  EXPECT_EQ(step(), 0);
  EXPECT_EQ(transport()->playButton()->text(), QStringLiteral("Play"));

  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  window_->syncWithWorker();
  EXPECT_EQ(step(), 1) << "one click must train exactly one step";

  transport()->stepCount()->setValue(25);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 26; }));
  window_->syncWithWorker();
  EXPECT_EQ(step(), 26);
  EXPECT_EQ(window_->controller()->state(), State::Paused);

  QTest::mouseClick(transport()->playButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window_->controller()->state() == State::Playing && step() >= 80; }));
  QCoreApplication::processEvents();
  EXPECT_EQ(transport()->playButton()->text(), QStringLiteral("Pause"));

  QTest::mouseClick(transport()->playButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window_->controller()->state() == State::Paused; }));
  window_->syncWithWorker();
  const long paused = step();
  window_->syncWithWorker();
  window_->refreshNow();
  EXPECT_EQ(step(), paused) << "no step may run after pause";
  EXPECT_EQ(transport()->playButton()->text(), QStringLiteral("Play"));

  // Every run's loss is drawn, train and test.
  MetricChart* loss = window_->dashboard()->chart(Dashboard::RunChart::Loss);
  for (const char* run : {"LARS", "SGD momentum", "Adam"}) {
    EXPECT_TRUE(loss->hasSeries(QStringLiteral("run:") + QString::fromUtf8(run))) << run;
    EXPECT_TRUE(loss->hasSeries(QStringLiteral("test:") + QString::fromUtf8(run))) << run;
  }
  // Per-tensor charts show one line per tensor of the selected run.
  MetricChart* ratio = window_->dashboard()->chart(engine::TensorMetric::TrustRatio);
  EXPECT_EQ(ratio->seriesKeys().size(), window_->session()->metrics()->tensorCount());
}

// One chart per per-tensor metric of the table, in its order, and the inspector's column for the
// same metric shows the same tooltip (the table's help, written once).
TEST_F(MainWindowTest, PerTensorChartsAndInspectorColumnsComeFromTheMetricTable) {
  Dashboard* d = window_->dashboard();
  TensorTableModel* model = window_->inspector()->model();
  ASSERT_EQ(Dashboard::kChartCount, Dashboard::kRunChartCount + engine::kTensorMetricCount);
  ASSERT_EQ(model->columnCount(), TensorTableModel::FirstMetric + engine::kTensorMetricCount);
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) {
    MetricChart* c = d->chart(m.id);
    EXPECT_EQ(c->objectName(), QStringLiteral("chart_") + QString::fromUtf8(m.key));
    EXPECT_EQ(c->title(), QString::fromUtf8(m.label));
    EXPECT_EQ(Dashboard::chartFileStem(Dashboard::ChartId::of(m.id)), QString::fromUtf8(m.key));
    EXPECT_TRUE(c->toolTip().endsWith(QString::fromUtf8(m.help))) << m.key;
    const int column = TensorTableModel::columnOf(m.id);
    EXPECT_EQ(model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(), QString::fromUtf8(m.symbol));
    EXPECT_EQ(model->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString(), c->toolTip()) << m.key;
  }
  EXPECT_EQ(d->chart(engine::TensorMetric::UpdateRatio)->toolTip(),
            QStringLiteral("‖Δw‖/‖w‖: relative size of each step; about 1e-3 (dashed line) is a common rule of thumb."));
}

TEST_F(MainWindowTest, KeyboardShortcutsPlayPauseAndStep) {
  open(test::smallExperimentJson());
  window_->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
  QTest::keyClick(window_.get(), Qt::Key_S);
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  QTest::keyClick(window_.get(), Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] { return window_->controller()->state() == State::Playing; }));
  QTest::keyClick(window_.get(), Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] { return window_->controller()->state() == State::Paused; }));
}

TEST_F(MainWindowTest, EtaSliderChangesTheEtaTheEngineUsesAtTheNextStep) {
  open(test::smallExperimentJson());
  window_->setSelectedRun(QStringLiteral("LARS"));
  HyperparameterControl* eta = window_->tuningPanel()->control(QStringLiteral("eta"));
  ASSERT_NE(eta, nullptr) << "the LARS run must offer its trust coefficient";
  ASSERT_NE(eta->slider(), nullptr);
  EXPECT_TRUE(eta->spec().logScale);
  auto session = window_->session();
  EXPECT_DOUBLE_EQ(session->metrics()->appliedHyperparameter("LARS", "eta"), 0.01);

  clickStep();  // step 0 with the file's eta
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));

  const int position = eta->positionOf(0.05);
  eta->slider()->setValue(position);
  const double wanted = eta->valueAt(position);
  ASSERT_GT(wanted, 0.04);
  ASSERT_LT(wanted, 0.06);
  window_->syncWithWorker();
  EXPECT_DOUBLE_EQ(session->metrics()->appliedHyperparameter("LARS", "eta"), 0.01) << "applied only at the next step";

  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 2; }));
  EXPECT_DOUBLE_EQ(session->metrics()->appliedHyperparameter("LARS", "eta"), wanted);
  EXPECT_DOUBLE_EQ(session->metrics()->appliedHyperparameter("SGD momentum", "lr"), 0.05) << "other runs untouched";

  // The step that followed used the new eta: the LARS local LR of a weight tensor is
  // lr * eta * ||w|| / (||g|| + beta ||w||) in the paper convention (eps 0).
  auto store = session->metrics();
  const int run = store->runIndex("LARS");
  const double beta = session->metrics()->appliedHyperparameter("LARS", "weight_decay");
  for (long s : {0L, 1L}) {
    const double w = store->value(run, 0, engine::TensorMetric::WeightNorm, s);
    const double g = store->value(run, 0, engine::TensorMetric::GradNorm, s);
    const double local = store->value(run, 0, engine::TensorMetric::LocalLr, s);
    const double lr = store->value(run, engine::RunMetric::LearningRate, s);
    const double etaUsed = local / (lr * w / (g + beta * w));
    EXPECT_NEAR(etaUsed, s == 0 ? 0.01 : wanted, 1e-4 * etaUsed) << "step " << s;
  }

  // The change is drawn as a marker and logged.
  window_->refreshNow();
  bool marked = false;
  for (const auto& m : window_->dashboard()->chart(engine::TensorMetric::TrustRatio)->markers())
    marked = marked || (m.x == 1.0 && m.text.contains(QStringLiteral("eta")));
  EXPECT_TRUE(marked);
}

TEST_F(MainWindowTest, AddAndRemoveARun) {
  open(test::smallExperimentJson());
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  ExperimentPanel* panel = window_->experimentPanel();
  EXPECT_FALSE(panel->applyButton()->isEnabled());

  QTest::mouseClick(panel->addRunButton(), Qt::LeftButton);
  ASSERT_EQ(panel->draft().runs.size(), 4u);
  const std::string added = panel->draft().runs.back().name;
  EXPECT_TRUE(panel->applyButton()->isEnabled());
  EXPECT_TRUE(panel->applyButton()->text().contains(QStringLiteral("no restart")))
      << panel->applyButton()->text().toStdString();
  QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
  clickStep();
  ASSERT_TRUE(waitFor([&] { return window_->session()->metrics()->experiment()->runs.size() == 4; }));
  ASSERT_TRUE(waitFor([&] { return step() == 2; }));
  auto store = window_->session()->metrics();
  const int index = store->runIndex(added);
  ASSERT_GE(index, 0);
  ASSERT_TRUE(waitFor([&] { return store->stepCount(index) == 2; })) << "the added run catches up";
  window_->refreshNow();
  EXPECT_TRUE(window_->dashboard()->runNames().contains(QString::fromStdString(added)));
  EXPECT_EQ(window_->statusPanel()->runTable()->topLevelItemCount(), 4);
  {
    // Issue 12 item 5: the added run's row has its name and its colour.
    QTreeWidgetItem* row = window_->statusPanel()->runTable()->topLevelItem(3);
    EXPECT_EQ(row->text(0), QString::fromStdString(added));
    ASSERT_FALSE(row->icon(0).isNull());
    const QImage dot = row->icon(0).pixmap(14, 14).toImage();
    const QColor centre = dot.pixelColor(dot.width() / 2, dot.height() / 2);
    EXPECT_EQ(centre.alpha(), 255) << "a coloured dot, not an empty one";
    // The same colour as the run's entry in the experiment panel's list (one RunColorMap).
    QColor expected;
    for (QListWidget* list : panel->findChildren<QListWidget*>())
      for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->text() == QString::fromStdString(added)) {
          const QImage other = list->item(i)->icon().pixmap(14, 14).toImage();
          expected = other.pixelColor(other.width() / 2, other.height() / 2);
        }
    ASSERT_TRUE(expected.isValid());
    EXPECT_EQ(centre.rgb(), expected.rgb()) << centre.name().toStdString() << " vs " << expected.name().toStdString();
  }
  EXPECT_EQ(window_->session()->currentStep(), 2) << "adding a run does not restart the others";

  panel->selectRun(QString::fromStdString(added));
  QTest::mouseClick(panel->removeRunButton(), Qt::LeftButton);
  ASSERT_EQ(panel->draft().runs.size(), 3u);
  QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
  clickStep();
  ASSERT_TRUE(waitFor([&] { return window_->session()->metrics()->experiment()->runs.size() == 3; }));
  ASSERT_TRUE(waitFor([&] { return step() == 3; }));
  window_->refreshNow();
  EXPECT_FALSE(window_->dashboard()->runNames().contains(QString::fromStdString(added)));
  EXPECT_EQ(window_->statusPanel()->runTable()->topLevelItemCount(), 3);
  EXPECT_FALSE(window_->dashboard()->chart(Dashboard::RunChart::Loss)->hasSeries(QStringLiteral("run:") +
                                                                                  QString::fromStdString(added)));
}

// Issue 12 item 6: a finite blow-up is flagged, not reported "finished" or "diverged": in the
// runs table (its own text and colour), as a chart marker and in the selected run's tuning note.
TEST_F(MainWindowTest, AFiniteBlowUpIsFlaggedInTheRunsTableOnTheChartsAndInTheTuningNote) {
  open(R"({"version": 1, "name": "blow-up",
    "dataset": {"kind": "spirals", "samples": 1000, "noise": 0.1},
    "model": {"layers": [{"type": "dense", "units": 32}, {"type": "tanh"}, {"type": "dense", "units": 2}],
              "loss": "cross_entropy"},
    "batch_size": 64, "steps": 100000, "eval_every": 50, "seed": 3,
    "runs": [{"name": "LARS wild", "optimizer": {"type": "lars", "lr": 10, "eta": 0.05, "momentum": 0.99, "weight_decay": 0}},
             {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.01}}]})");
  transport()->stepCount()->setValue(120);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 120; }));
  window_->syncWithWorker();
  const auto store = window_->session()->metrics();
  const engine::RunStatusInfo st = store->status(store->runIndex("LARS wild"));
  ASSERT_EQ(st.warning, engine::RunWarning::BlowUp);
  Q_EMIT window_->statusPanel()->runActivated(QStringLiteral("LARS wild"));
  window_->refreshNow();
  StatusPanel* status = window_->statusPanel();
  EXPECT_EQ(status->statusText(QStringLiteral("LARS wild")), QStringLiteral("blew up at %1").arg(st.warningAtStep));
  EXPECT_TRUE(status->isMarkedWarning(QStringLiteral("LARS wild")));
  EXPECT_FALSE(status->isMarkedDiverged(QStringLiteral("LARS wild")));
  EXPECT_EQ(status->statusText(QStringLiteral("Adam")), QStringLiteral("training"));
  EXPECT_FALSE(status->isMarkedWarning(QStringLiteral("Adam")));
  EXPECT_TRUE(status->divergenceBanner().isEmpty()) << "a blow-up is not a divergence";
  EXPECT_TRUE(status->warningBanner().contains(QStringLiteral("LARS wild blew up at step %1").arg(st.warningAtStep)))
      << status->warningBanner().toStdString();
  // The event log shows the sentence; the loss chart has a marker at the step.
  bool logged = false;
  for (int i = 0; i < status->eventLog()->count(); ++i)
    logged |= status->eventLog()->item(i)->text().contains(QString::fromStdString(st.warningDetail));
  EXPECT_TRUE(logged);
  bool marker = false;
  for (const MetricChart::Marker& m : window_->dashboard()->chart(Dashboard::RunChart::Loss)->markers())
    marker |= m.x == static_cast<double>(st.warningAtStep) &&
              m.text == QStringLiteral("LARS wild blew up at step %1").arg(st.warningAtStep);
  EXPECT_TRUE(marker) << [&] {
    std::string all;
    for (const MetricChart::Marker& m : window_->dashboard()->chart(Dashboard::RunChart::Loss)->markers())
      all += std::to_string(m.x) + " " + m.text.toStdString() + "\n";
    return all;
  }();
  bool note = false;
  for (QLabel* label : window_->tuningPanel()->findChildren<QLabel*>())
    note |= label->isVisible() && label->text().contains(QStringLiteral("blew up at step %1").arg(st.warningAtStep));
  EXPECT_TRUE(note) << "the tuning note names the blow-up of the selected run";
}

TEST_F(MainWindowTest, ApplyWithADifferentBatchSizeRestartsTraining) {
  open(test::smallExperimentJson());
  transport()->stepCount()->setValue(10);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 10; }));
  const auto before = window_->session();
  ExperimentPanel* panel = window_->experimentPanel();
  panel->batchSizeBox()->setValue(64);
  EXPECT_TRUE(panel->applyButton()->text().contains(QStringLiteral("restart")));
  QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window_->session() != before && window_->session() != nullptr; }));
  EXPECT_EQ(window_->session()->metrics()->experiment()->batchSize, 64);
  EXPECT_EQ(step(), 0);
  EXPECT_FALSE(panel->isDirty());
}

TEST_F(MainWindowTest, SaveThenLoadGivesTheSameExperimentWithTunedValues) {
  open(test::smallExperimentJson());
  window_->setSelectedRun(QStringLiteral("LARS"));
  HyperparameterControl* eta = window_->tuningPanel()->control(QStringLiteral("eta"));
  ASSERT_NE(eta, nullptr);
  eta->spinBox()->setValue(0.02);
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  ASSERT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.02);

  const QString saved = dir_.filePath(QStringLiteral("saved.json"));
  ASSERT_TRUE(window_->saveExperimentTo(saved)) << window_->lastError().toStdString();
  const engine::ExperimentSpec running = *window_->session()->metrics()->experiment();
  const engine::ExperimentSpec loaded = engine::loadExperiment(saved.toStdString());
  EXPECT_EQ(engine::experimentToJson(loaded), engine::experimentToJson(running));
  EXPECT_DOUBLE_EQ(loaded.runs.at(0).optimizer.hyperparameters.at("eta"), 0.02);
  // Atomic save: nothing but the two files in the directory.
  const QStringList files = QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden);
  EXPECT_EQ(files.size(), 2) << files.join(QStringLiteral(", ")).toStdString();

  const auto before = window_->session();
  ASSERT_TRUE(window_->openExperiment(saved, false));
  ASSERT_TRUE(waitFor([&] { return window_->session() != before; }));
  EXPECT_EQ(engine::experimentToJson(*window_->session()->metrics()->experiment()), engine::experimentToJson(running));
  EXPECT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.02);
}

TEST_F(MainWindowTest, ADivergingRunIsMarkedWhileTheOtherContinues) {
  open(test::divergingExperimentJson());
  transport()->stepCount()->setValue(200);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 200; }));
  window_->refreshNow();

  auto store = window_->session()->metrics();
  const engine::RunStatusInfo sgd = store->status(store->runIndex("SGD"));
  const engine::RunStatusInfo adam = store->status(store->runIndex("Adam"));
  ASSERT_TRUE(sgd.diverged) << "SGD with lr 10 on this regression must diverge";
  EXPECT_FALSE(adam.diverged);
  EXPECT_EQ(store->stepCount(store->runIndex("Adam")), 200) << "Adam keeps training";
  EXPECT_LT(store->stepCount(store->runIndex("SGD")), 200) << "SGD stopped";

  StatusPanel* status = window_->statusPanel();
  EXPECT_TRUE(status->isMarkedDiverged(QStringLiteral("SGD")));
  EXPECT_FALSE(status->isMarkedDiverged(QStringLiteral("Adam")));
  EXPECT_TRUE(status->statusText(QStringLiteral("SGD")).contains(QString::number(sgd.divergedAtStep)));
  const QString banner = status->divergenceBanner();
  EXPECT_TRUE(banner.contains(QStringLiteral("SGD diverged at step %1").arg(sgd.divergedAtStep)))
      << banner.toStdString();
  EXPECT_TRUE(banner.contains(QString::fromStdString(sgd.reason).toHtmlEscaped())) << banner.toStdString();
  bool marker = false;
  for (const auto& m : window_->dashboard()->chart(Dashboard::RunChart::Loss)->markers())
    marker = marker || m.text.startsWith(QStringLiteral("SGD diverged"));
  EXPECT_TRUE(marker);
}

TEST_F(MainWindowTest, ABadFileIsReportedWithFileAndFieldAndNothingIsLost) {
  open(test::smallExperimentJson());
  const auto before = window_->session();
  window_->experimentPanel()->batchSizeBox()->setValue(48);  // an edit not applied yet
  std::string bad = test::smallExperimentJson();
  const std::string from = "\"eta\": 0.01";
  bad.replace(bad.find(from), from.size(), "\"eta\": -1");
  const QString path = test::writeFile(dir_, QStringLiteral("broken.json"), bad);
  EXPECT_FALSE(window_->openExperiment(path, false));
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("broken.json"))) << window_->lastError().toStdString();
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("runs[0].optimizer.eta"))) << window_->lastError().toStdString();
  window_->syncWithWorker();
  EXPECT_EQ(window_->session(), before);
  EXPECT_EQ(window_->experimentPanel()->draft().batchSize, 48);
}

TEST_F(MainWindowTest, ExportedMetricsOpenReadOnlyInTheSameCharts) {
  open(test::smallExperimentJson());
  transport()->stepCount()->setValue(30);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 30; }));
  const QString logDir = dir_.filePath(QStringLiteral("log"));
  ASSERT_TRUE(window_->exportMetricsTo(logDir)) << window_->lastError().toStdString();
  for (const char* f : {"run_metrics.csv", "tensor_metrics.csv", "evaluations.csv", "events.csv"})
    EXPECT_TRUE(QFileInfo::exists(QDir(logDir).filePath(QString::fromUtf8(f)))) << f;

  ASSERT_TRUE(window_->openLog(QDir(logDir).filePath(QStringLiteral("run_metrics.csv"))))
      << window_->lastError().toStdString();
  EXPECT_TRUE(window_->isReadOnly());
  EXPECT_FALSE(transport()->playButton()->isEnabled());
  window_->refreshNow();
  MetricChart* loss = window_->dashboard()->chart(Dashboard::RunChart::Loss);
  EXPECT_TRUE(loss->hasSeries(QStringLiteral("run:LARS")));
  EXPECT_TRUE(loss->hasSeries(QStringLiteral("run:Adam")));
  EXPECT_EQ(window_->dashboard()->store()->stepCount(0), 30);
  EXPECT_FALSE(window_->dashboard()->chart(engine::TensorMetric::WeightNorm)->seriesKeys().isEmpty());

  window_->closeLog();
  EXPECT_FALSE(window_->isReadOnly());
  EXPECT_TRUE(transport()->playButton()->isEnabled());
}

TEST_F(MainWindowTest, ChartsExportAsPngAndSvg) {
  open(test::smallExperimentJson());
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  window_->refreshNow();
  const QString png = dir_.filePath(QStringLiteral("loss.png"));
  const QString svg = dir_.filePath(QStringLiteral("ratio.svg"));
  ASSERT_TRUE(window_->exportChartTo(Dashboard::ChartId::of(Dashboard::RunChart::Loss), png)) << window_->lastError().toStdString();
  ASSERT_TRUE(window_->exportChartTo(Dashboard::ChartId::of(engine::TensorMetric::TrustRatio), svg)) << window_->lastError().toStdString();
  EXPECT_FALSE(QImage(png).isNull());
  QFile f(svg);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  EXPECT_TRUE(f.readAll().contains("<svg"));
}

TEST_F(MainWindowTest, InspectorShowsEveryTensorAtTheLatestStepAndSorts) {
  open(test::smallExperimentJson());
  window_->setSelectedRun(QStringLiteral("Adam"));
  transport()->stepCount()->setValue(5);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 5; }));
  window_->refreshNow();
  TensorTableModel* model = window_->inspector()->model();
  auto store = window_->session()->metrics();
  const int run = store->runIndex("Adam");
  ASSERT_EQ(model->rowCount(), store->tensorCount());
  EXPECT_EQ(model->step(), 4);
  for (int t = 0; t < store->tensorCount(); ++t) {
    const double shown = model->data(model->index(t, TensorTableModel::columnOf(engine::TensorMetric::GradNorm)), TensorTableModel::kValueRole).toDouble();
    EXPECT_DOUBLE_EQ(shown, store->value(run, t, engine::TensorMetric::GradNorm, 4)) << t;
  }
  QTableView* view = window_->inspector()->view();
  view->sortByColumn(TensorTableModel::columnOf(engine::TensorMetric::GradNorm), Qt::DescendingOrder);
  auto* proxy = view->model();
  for (int r = 1; r < proxy->rowCount(); ++r)
    EXPECT_GE(proxy->index(r - 1, TensorTableModel::columnOf(engine::TensorMetric::GradNorm)).data(TensorTableModel::kValueRole).toDouble(),
              proxy->index(r, TensorTableModel::columnOf(engine::TensorMetric::GradNorm)).data(TensorTableModel::kValueRole).toDouble());
}

TEST_F(MainWindowTest, OpensTheBuiltInDefaultExperimentAndEveryExampleIsValid) {
  ASSERT_TRUE(QFile::exists(QStringLiteral(":/experiments/default.json")))
      << "resources/experiments/default.json (the experiment the app opens on start) must be embedded";
  EXPECT_EQ(defaultExperimentPath(), QStringLiteral(":/experiments/default.json"));
  ASSERT_TRUE(window_->openDefaultExperiment(/*autoplay=*/false)) << window_->lastError().toStdString();
  ASSERT_TRUE(waitFor([&] { return window_->session() != nullptr; }));
  EXPECT_GE(window_->session()->metrics()->experiment()->runs.size(), 2u);
  for (const QString& path :
       QDir(QStringLiteral(":/experiments")).entryList({QStringLiteral("*.json")}, QDir::Files)) {
    EXPECT_NO_THROW(loadBuiltinExperiment(QStringLiteral(":/experiments/") + path)) << path.toStdString();
  }
}

TEST_F(MainWindowTest, HelpExplainsThePaperFormulaAndEmbedsTheDocs) {
  const QString lars = HelpDialog::larsHtml();
  EXPECT_TRUE(lars.contains(QStringLiteral("η · ‖w‖ / (‖g‖ + β‖w‖)")));
  EXPECT_TRUE(lars.contains(QStringLiteral("sum of the")));
  HelpDialog help;
  // LARS, Metrics, the docs, Views, Keyboard.
  EXPECT_EQ(help.tabTitles().size(), 4 + builtinDocs().size());
  EXPECT_TRUE(help.tabTitles().contains(QStringLiteral("Views")));
  for (const TeachingViewInfo& v : teachingViews())
    EXPECT_TRUE(HelpDialog::viewsHtml().contains(QLatin1String(v.id))) << v.id;
  // For looking at it: LARSLAB_UI_SHOT_DIR=/tmp/x writes every help tab as a PNG.
  const QString shots = qEnvironmentVariable("LARSLAB_UI_SHOT_DIR");
  if (!shots.isEmpty()) {
    help.show();
    for (const QString& t : help.tabTitles()) {
      help.showTab(t);
      QCoreApplication::processEvents();
      help.grab().save(QDir(shots).filePath(QStringLiteral("help_") + QString(t).replace(QLatin1Char(' '), QLatin1Char('_')) + QStringLiteral(".png")));
    }
  }
}

TEST_F(MainWindowTest, ResetRestartsEveryRunFromTheSameWeightsKeepingTunedValues) {
  open(test::smallExperimentJson());
  transport()->stepCount()->setValue(20);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 20; }));
  auto first = window_->session();
  const float lossAtZero = first->metrics()->value(0, engine::RunMetric::Loss, 0);
  first->submit(engine::SetHyperparameter{"Adam", "lr", 0.01});
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 21; }));
  QTest::mouseClick(transport()->resetButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window_->session() != first; }));
  EXPECT_EQ(step(), 0);
  EXPECT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("Adam", "lr"), 0.01) << "tuned value kept";
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  EXPECT_EQ(window_->session()->metrics()->value(0, engine::RunMetric::Loss, 0), lossAtZero)
      << "same initial weights and first batch";
}

TEST_F(MainWindowTest, RunEditorIsGeneratedFromTheRegistryForEveryOptimizer) {
  open(test::smallExperimentJson());
  ExperimentPanel* panel = window_->experimentPanel();
  auto* type = panel->runEditor()->findChild<QComboBox*>(QStringLiteral("optimizerType"));
  ASSERT_NE(type, nullptr);
  ASSERT_EQ(type->count(), static_cast<int>(optim::optimizerRegistry().size()));
  for (int i = 0; i < type->count(); ++i) {
    type->setCurrentIndex(i);
    const optim::OptimizerInfo& info = optim::optimizerRegistry()[static_cast<std::size_t>(i)];
    EXPECT_EQ(panel->runEditor()->run().optimizer.type, info.type);
    for (const auto& h : info.hyperparameters)
      EXPECT_NE(panel->runEditor()->findChild<QDoubleSpinBox*>(QString::fromStdString("spin_" + h.name)), nullptr)
          << info.type << "." << h.name;
    for (const auto& o : info.options) {
      auto* combo = panel->runEditor()->findChild<QComboBox*>(QString::fromStdString("option_" + o.name));
      ASSERT_NE(combo, nullptr) << info.type << "." << o.name;
      EXPECT_EQ(combo->count(), static_cast<int>(o.choices.size()));
    }
  }
  // A different optimizer for a run needs a new session.
  EXPECT_TRUE(panel->applyButton()->text().contains(QStringLiteral("restart")));
  panel->revert();
  EXPECT_FALSE(panel->isDirty());
}

TEST_F(MainWindowTest, AConventionSwitchedInTheRunEditorAppliesLive) {
  open(test::smallExperimentJson());
  clickStep();
  ASSERT_TRUE(waitFor([&] { return step() == 1; }));
  ExperimentPanel* panel = window_->experimentPanel();
  panel->selectRun(QStringLiteral("LARS"));
  auto* clipping = panel->runEditor()->findChild<QComboBox*>(QStringLiteral("option_clipping"));
  ASSERT_NE(clipping, nullptr);
  clipping->setCurrentIndex(clipping->findData(QStringLiteral("larc")));
  EXPECT_TRUE(panel->applyButton()->text().contains(QStringLiteral("no restart")));
  QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
  const auto before = window_->session();
  clickStep();
  // The convention lands before the step that follows it finishes, so the test
  // waits for both; a restart would leave the session at step 1 and time out.
  EXPECT_TRUE(waitFor([&] {
    const auto spec = window_->session()->metrics()->experiment();
    const auto& o = spec->runs[0].optimizer.options;
    return o.count("clipping") && o.at("clipping") == "larc" && step() == 2;
  })) << "the convention applies and the session goes on from step 1";
  EXPECT_EQ(window_->session(), before) << "no restart";
  EXPECT_EQ(step(), 2);
}

TEST_F(MainWindowTest, ChartViewControls) {
  open(test::smallExperimentJson());
  transport()->stepCount()->setValue(60);
  QTest::mouseClick(transport()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return step() == 60; }));
  window_->refreshNow();
  Dashboard* d = window_->dashboard();
  auto store = window_->session()->metrics();

  // One tensor across runs: one line per run.
  d->setSelectedTensor(QString::fromStdString(store->tensors()[0].name));
  d->setTensorMode(Dashboard::TensorMode::RunsOfTensor);
  window_->refreshNow();
  EXPECT_EQ(d->chart(engine::TensorMetric::WeightNorm)->seriesKeys().size(), 3);
  EXPECT_TRUE(d->chart(engine::TensorMetric::WeightNorm)->hasSeries(QStringLiteral("run:Adam")));
  d->setTensorMode(Dashboard::TensorMode::TensorsOfRun);
  d->chooseTensorFilter(Dashboard::TensorFilter::Weights);
  window_->refreshNow();
  int weights = 0;
  for (const auto& t : store->tensors()) weights += t.kind == nn::TensorKind::Weight;
  EXPECT_EQ(d->chart(engine::TensorMetric::WeightNorm)->seriesKeys().size(), weights);

  // Epochs on the x axis: 60 steps of a 300-sample training split at batch 32 (9 per epoch).
  ASSERT_GT(store->stepsPerEpoch(), 0.0);
  d->setXInEpochs(true);
  window_->refreshNow();
  const QPointF x = d->chart(Dashboard::RunChart::Loss)->xRange();
  EXPECT_LE(x.y(), 2.0 * 60.0 / store->stepsPerEpoch());
  EXPECT_GE(x.y(), 59.0 / store->stepsPerEpoch());
  d->setXInEpochs(false);

  // A legend click hides a run in every chart that shows it.
  MetricChart* loss = d->chart(Dashboard::RunChart::Loss);
  d->setTensorMode(Dashboard::TensorMode::RunsOfTensor);
  window_->refreshNow();
  QCoreApplication::processEvents();
  const QPoint at = loss->legendEntryPosition(QStringLiteral("run:Adam"));
  ASSERT_FALSE(at.isNull());
  QTest::mouseClick(loss->interactionSurface(), Qt::LeftButton, Qt::NoModifier, at);
  EXPECT_FALSE(loss->isSeriesVisible(QStringLiteral("run:Adam")));
  EXPECT_FALSE(d->chart(Dashboard::RunChart::Accuracy)->isSeriesVisible(QStringLiteral("run:Adam")));
  EXPECT_FALSE(d->chart(engine::TensorMetric::TrustRatio)->isSeriesVisible(QStringLiteral("run:Adam")));
  EXPECT_TRUE(d->chart(engine::TensorMetric::TrustRatio)->isSeriesVisible(QStringLiteral("run:LARS")));
}

TEST_F(MainWindowTest, DroppedFilesOpenAndBecomeRecent) {
  open(test::smallExperimentJson());
  const QString other = test::writeFile(dir_, QStringLiteral("dropped.json"), test::divergingExperimentJson());
  const auto before = window_->session();
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(other)});
  QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(window_.get(), &enter);
  EXPECT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(window_.get(), &drop);
  ASSERT_TRUE(waitFor([&] { return window_->session() != before && window_->session() != nullptr; }));
  EXPECT_EQ(window_->session()->metrics()->experiment()->name, "UI test divergence");
  EXPECT_EQ(window_->recentFiles().value(0), QFileInfo(other).absoluteFilePath());
}

TEST_F(MainWindowTest, AnExperimentWhoseDataCannotBeLoadedKeepsTheSessionAndTheEdits) {
  open(test::smallExperimentJson());
  const auto before = window_->session();
  std::string csv = test::smallExperimentJson();
  const std::string from = "\"dataset\": {\"kind\": \"spirals\", \"samples\": 400, \"noise\": 0.1, \"test_fraction\": 0.25}";
  const auto at = csv.find(from);
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, from.size(), "\"dataset\": {\"kind\": \"csv\", \"path\": \"/nonexistent/data.csv\"}");
  const QString path = test::writeFile(dir_, QStringLiteral("missing_data.json"), csv);
  ASSERT_TRUE(window_->openExperiment(path, false)) << "the file itself is valid";
  ASSERT_TRUE(waitFor([&] { return !window_->lastError().isEmpty(); }));
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("/nonexistent/data.csv"))) << window_->lastError().toStdString();
  window_->syncWithWorker();
  EXPECT_EQ(window_->session(), before) << "the running session goes on";
  // The experiment that failed is kept as pending edits to fix and apply.
  EXPECT_EQ(window_->experimentPanel()->draft().dataset.path, "/nonexistent/data.csv");
  EXPECT_TRUE(window_->experimentPanel()->isDirty());
}

// --screenshot, run as a user would: a separate process.
TEST(LarslabExecutable, ScreenshotWritesAPngOfTheRequestedSize) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString experiment = test::writeFile(dir, QStringLiteral("e.json"), test::smallExperimentJson());
  const QString png = dir.filePath(QStringLiteral("shot.png"));
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(LARSLAB_UI_BINARY),
          {QStringLiteral("--screenshot"), png, QStringLiteral("--steps"), QStringLiteral("40"),
           QStringLiteral("--size"), QStringLiteral("1200x800"), experiment});
  ASSERT_TRUE(p.waitForFinished(120000));
  EXPECT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  const QImage image(png);
  ASSERT_FALSE(image.isNull());
  EXPECT_EQ(image.size(), QSize(1200, 800));
  // Not a blank window: the charts put many distinct colours on screen.
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 4)
    for (int x = 0; x < image.width(); x += 4) colours.insert(image.pixel(x, y));
  EXPECT_GT(colours.size(), 50);
}

TEST(LarslabExecutable, HelpAndBadArguments) {
  app();
  QProcess p;
  p.start(QStringLiteral(LARSLAB_UI_BINARY), {QStringLiteral("--help")});
  ASSERT_TRUE(p.waitForFinished(30000));
  EXPECT_EQ(p.exitCode(), 0);
  EXPECT_TRUE(p.readAllStandardOutput().contains("--screenshot"));
  QProcess bad;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  bad.setProcessEnvironment(env);
  bad.start(QStringLiteral(LARSLAB_UI_BINARY), {QStringLiteral("--steps"), QStringLiteral("zero")});
  ASSERT_TRUE(bad.waitForFinished(30000));
  EXPECT_EQ(bad.exitCode(), 2);
  EXPECT_TRUE(bad.readAllStandardError().contains("--steps"));
}

}  // namespace
}  // namespace larslab::ui
