// Studies in the app: Training > Run study… trains in the background with progress and Stop,
// saves study.json at once and study.csv as configurations finish; closing a window (or the
// main window) with a study running asks first; File > Open study… shows a saved one.

#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "builtin_experiments.h"
#include "engine/study.h"
#include "engine/study_runner.h"
#include "main_window.h"
#include "study_launch_dialog.h"
#include "study_view.h"
#include "study_window.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

const QString kMoons = QStringLiteral(":/studies/batch-size-moons.json");

TEST(StudyWindow, RunsABuiltInStudyInTheBackgroundAndSavesWhatTheCliWould) {
  test::app();
  QTemporaryDir dir;
  const engine::StudySpec spec = loadBuiltinStudy(kMoons);
  StudyWindow window;
  window.show();
  ASSERT_TRUE(window.start(spec, dir.path(), 2)) << window.lastError().toStdString();
  // The description is on disk before anything trains: a crash from here on leaves a study.
  EXPECT_TRUE(QFile::exists(dir.filePath(QStringLiteral("study.json"))));
  EXPECT_TRUE(window.running());
  QSignalSpy finished(&window, &StudyWindow::finished);
  ASSERT_TRUE(test::waitFor([&] { return finished.count() == 1; }, 120000));
  EXPECT_FALSE(window.running());
  EXPECT_TRUE(window.lastError().isEmpty()) << window.lastError().toStdString();
  const std::vector<engine::StudyResult> saved = engine::readStudyResults(dir.path().toStdString());
  ASSERT_EQ(saved.size(), engine::expandStudy(spec).size());
  for (const engine::StudyResult& r : saved) EXPECT_EQ(r.status.rfind("finished", 0), 0u) << r.id << ": " << r.status;
  // The same numbers as running the study in the engine (the CLI's path), configuration by configuration.
  const engine::StudyOutcome again = engine::runStudy(spec, engine::expandStudy(spec), {2, {}, {}, nullptr, ""});
  for (std::size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(saved[i].id, again.results[i].id);
    EXPECT_EQ(engine::studyCsv({saved[i]}).substr(0, 60), engine::studyCsv({again.results[i]}).substr(0, 60));
    EXPECT_DOUBLE_EQ(saved[i].finalTestAccuracy, again.results[i].finalTestAccuracy) << saved[i].id;
    EXPECT_DOUBLE_EQ(saved[i].finalTrainLoss, again.results[i].finalTrainLoss) << saved[i].id;
  }
  // And the window shows them: one accuracy point per (run, batch size).
  EXPECT_TRUE(window.view()->summaryText().contains(QStringLiteral("18 configurations")))
      << window.view()->summaryText().toStdString();
}

TEST(StudyWindow, StopKeepsTheFinishedConfigurationsAndTheStudyReopens) {
  test::app();
  QTemporaryDir dir;
  engine::StudySpec spec = loadBuiltinStudy(kMoons);
  spec.epochs = 400;  // long enough to be stopped mid-way
  StudyWindow window;
  ASSERT_TRUE(window.start(spec, dir.path(), 1));
  QSignalSpy finished(&window, &StudyWindow::finished);
  ASSERT_TRUE(test::waitFor([&] { return !window.progressText().startsWith(QStringLiteral("starting")); }, 60000));
  window.stop();
  ASSERT_TRUE(test::waitFor([&] { return finished.count() == 1; }, 60000));
  const std::vector<engine::StudyResult> saved = engine::readStudyResults(dir.path().toStdString());
  ASSERT_EQ(saved.size(), engine::expandStudy(spec).size());
  int cancelled = 0;
  for (const engine::StudyResult& r : saved) cancelled += r.status.find("cancelled") != std::string::npos ? 1 : 0;
  EXPECT_GT(cancelled, 0);
  StudyWindow reopened;
  ASSERT_TRUE(reopened.open(dir.path())) << reopened.lastError().toStdString();
  EXPECT_TRUE(reopened.view()->notesText().contains(QStringLiteral("cancelled")));
}

TEST(StudyWindow, ClosingWithAStudyRunningAsksAndNoKeepsItRunning) {
  test::app();
  QTemporaryDir dir;
  engine::StudySpec spec = loadBuiltinStudy(kMoons);
  spec.epochs = 400;
  MainWindow main;
  main.setInteractive(false);
  StudyWindow* study = main.startStudy(spec, dir.path(), 1);
  ASSERT_NE(study, nullptr) << main.lastError().toStdString();
  int asked = 0;
  study->setStopPrompt([&asked] {
    ++asked;
    return false;
  });
  // Quitting the main window asks the study first; "no" keeps both open and training.
  EXPECT_FALSE(main.close());
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(study->running());
  EXPECT_EQ(main.studyWindows().size(), 1);
  study->setStopPrompt([&asked] {
    ++asked;
    return true;
  });
  EXPECT_TRUE(study->close());  // stops, waits for the worker, saves what finished
  EXPECT_EQ(asked, 2);
  const std::vector<engine::StudyResult> saved = engine::readStudyResults(dir.path().toStdString());
  EXPECT_EQ(saved.size(), engine::expandStudy(spec).size());
}

TEST(StudyWindow, OpenStudyNamesTheMissingFile) {
  test::app();
  QTemporaryDir dir;
  MainWindow main;
  main.setInteractive(false);
  EXPECT_EQ(main.openStudy(dir.filePath(QStringLiteral("nowhere"))), nullptr);
  EXPECT_TRUE(main.lastError().contains(QStringLiteral("study.json"))) << main.lastError().toStdString();
  // A folder whose study.csv is damaged: the line and the column are named.
  engine::writeStudyResults(dir.path().toStdString(), loadBuiltinStudy(kMoons), {});
  QFile csv(dir.filePath(QStringLiteral("study.csv")));
  ASSERT_TRUE(csv.open(QIODevice::Append));
  csv.write("a,LARS,lars,sixteen,1,,1,,,,,,1,finished,,\n");
  csv.close();
  EXPECT_EQ(main.openStudy(dir.path()), nullptr);
  EXPECT_TRUE(main.lastError().contains(QStringLiteral("study.csv:2: batch_size"))) << main.lastError().toStdString();
}

TEST(StudyLaunchDialog, DescribesTheStudyAndAsksBeforeReplacingOne) {
  test::app();
  QTemporaryDir dir;
  StudyLaunchDialog dialog;
  ASSERT_TRUE(dialog.chooseBuiltin(kMoons));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("18 configurations: 3 runs × 3 batch sizes × 2 seeds")))
      << dialog.message().toStdString();
  EXPECT_TRUE(dialog.outputDirectory().contains(QStringLiteral("LARS Lab studies/batch-size-moons-")))
      << dialog.outputDirectory().toStdString();
  ASSERT_TRUE(dialog.chooseBuiltin(QStringLiteral(":/studies/grid-eta-lr-moons.json")));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("eta × lr grid"))) << dialog.message().toStdString();
  dialog.setOutputDirectory(dir.path());
  EXPECT_TRUE(dialog.tryAccept());  // an empty folder: nothing to replace
  engine::writeStudyResults(dir.path().toStdString(), loadBuiltinStudy(kMoons), {});
  QString asked;
  dialog.setOverwritePrompt([&asked](const QString& q) {
    asked = q;
    return false;
  });
  EXPECT_FALSE(dialog.tryAccept());
  EXPECT_TRUE(asked.contains(QStringLiteral("already holds a study"))) << asked.toStdString();
  dialog.setOverwritePrompt([](const QString&) { return true; });
  EXPECT_TRUE(dialog.tryAccept());
  // A study file with a mistake: the reason is shown and Run is refused.
  const QString bad = test::writeFile(dir, QStringLiteral("bad.json"), R"({"version": 1, "batch_sizes": []})");
  EXPECT_FALSE(dialog.addStudyFile(bad));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("experiment: missing required field"))) << dialog.message().toStdString();
  EXPECT_FALSE(dialog.tryAccept());
}

}  // namespace
}  // namespace larslab::ui

namespace larslab::ui {
namespace {

// Issue 16: a study file that reads an experiment outside its folder says so, with the field,
// before Run; one that reads only what lies beside it says nothing of the kind.
TEST(StudyLaunchDialog, AStudyFileReadingOutsideItsFolderSaysSoBeforeItRuns) {
  test::app();
  QTemporaryDir dir;
  ASSERT_TRUE(QDir(dir.path()).mkpath(QStringLiteral("downloaded")));
  test::writeFile(dir, QStringLiteral("moons.json"), test::smallExperimentJson());
  test::writeFile(dir, QStringLiteral("downloaded/moons.json"), test::smallExperimentJson());
  const std::string study = R"({"version": 1, "name": "Outside", "experiment": "EXPERIMENT",
                                "batch_sizes": [32, 64], "seeds": [1], "epochs": 1})";
  auto studyReading = [&](const std::string& experiment, const QString& name) {
    std::string text = study;
    text.replace(text.find("EXPERIMENT"), 10, experiment);
    return test::writeFile(dir, name, text);
  };
  StudyLaunchDialog dialog;
  ASSERT_TRUE(dialog.addStudyFile(studyReading("../moons.json", QStringLiteral("downloaded/outside.json"))))
      << dialog.message().toStdString();
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("Reads files outside its folder"))) << dialog.message().toStdString();
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("experiment: ../moons.json"))) << dialog.message().toStdString();
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("1 epoch each"))) << dialog.message().toStdString();
  ASSERT_TRUE(dialog.addStudyFile(studyReading("moons.json", QStringLiteral("downloaded/inside.json"))))
      << dialog.message().toStdString();
  EXPECT_FALSE(dialog.message().contains(QStringLiteral("outside"))) << dialog.message().toStdString();
}

TEST(StudyLaunchDialog, TheRunningExperimentBecomesABatchSizeStudyOverSeeds) {
  test::app();
  StudyLaunchDialog dialog;
  const engine::ExperimentSpec experiment = engine::parseExperiment(test::smallExperimentJson(), "small.json");
  dialog.setCurrentExperiment(experiment);
  EXPECT_EQ(dialog.studyCombo()->currentIndex(), 0);
  ASSERT_TRUE(dialog.study().has_value()) << dialog.message().toStdString();
  ASSERT_TRUE(dialog.setCurrentStudyFields(QStringLiteral("16, 64"), 2, QStringLiteral("sqrt"), QStringLiteral("0.9")))
      << dialog.message().toStdString();
  const engine::StudySpec& s = *dialog.study();
  EXPECT_EQ(s.batchSizes, (std::vector<int>{16, 64}));
  EXPECT_EQ(s.seeds, (std::vector<std::uint64_t>{experiment.seed, experiment.seed + 1}));
  EXPECT_EQ(s.lrScaling, "sqrt");
  EXPECT_EQ(s.baseBatchSize, experiment.batchSize);
  ASSERT_TRUE(s.targetAccuracy.has_value());
  EXPECT_DOUBLE_EQ(*s.targetAccuracy, 0.9);
  EXPECT_EQ(s.experiment.runs.size(), experiment.runs.size());
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("%1 runs × 2 batch sizes × 2 seeds").arg(experiment.runs.size())))
      << dialog.message().toStdString();
  // Mistakes name the field and keep Run from starting.
  EXPECT_FALSE(dialog.setCurrentStudyFields(QStringLiteral("16, many"), 2, QStringLiteral("none"), QString()));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("Batch sizes: \"many\" is not a whole number")))
      << dialog.message().toStdString();
  EXPECT_FALSE(dialog.tryAccept());
  EXPECT_FALSE(dialog.setCurrentStudyFields(QStringLiteral("16, 100000"), 2, QStringLiteral("none"), QString()));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("batch_sizes[1]: must not exceed the training split")))
      << dialog.message().toStdString();
  EXPECT_FALSE(dialog.setCurrentStudyFields(QStringLiteral("16"), 1, QStringLiteral("none"), QStringLiteral("2")));
  EXPECT_TRUE(dialog.message().contains(QStringLiteral("target_accuracy: must be a number in (0, 1]")))
      << dialog.message().toStdString();
}

}  // namespace
}  // namespace larslab::ui
