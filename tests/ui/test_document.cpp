// Never lose the user's work: the window shows and saves what is running (never a file that
// failed to start), marks the document modified, asks before every path that would discard it,
// and keeps an autosave that a crash or a kill leaves behind and the next start offers back.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

#include "autosave.h"
#include "builtin_experiments.h"
#include "engine/experiment.h"
#include "experiment_panel.h"
#include "main_window.h"
#include "transport_bar.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;
using State = SessionController::State;
using Answer = MainWindow::SaveAnswer;

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

class DocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app();
    ASSERT_TRUE(dir_.isValid());
    window_ = makeWindow();
  }
  void TearDown() override { window_.reset(); }

  std::unique_ptr<MainWindow> makeWindow() {
    auto w = std::make_unique<MainWindow>(2);
    w->setInteractive(false);
    w->setAutosaveDirectory(autosaveDir());
    w->setSaveChangesPrompt([this](const QString& question) {
      questions_ << question;
      return answer_;
    });
    w->resize(1400, 900);
    w->show();
    return w;
  }
  [[nodiscard]] QString autosaveDir() const { return dir_.filePath(QStringLiteral("autosave")); }

  // Opens `path` (paused) and waits for its session.
  void openPath(MainWindow& w, const QString& path) {
    const auto before = w.session();
    ASSERT_TRUE(w.openExperiment(path, /*autoplay=*/false)) << w.lastError().toStdString();
    ASSERT_TRUE(waitFor([&] { return w.session() && w.session() != before && w.controller()->state() == State::Paused; }));
  }
  QString writeSmall(const QString& name = QStringLiteral("spirals.json")) {
    return test::writeFile(dir_, name, test::smallExperimentJson());
  }
  // Tunes LARS's eta through the engine and waits until the store records it.
  void tuneEta(MainWindow& w, double value) {
    w.session()->submit(engine::SetHyperparameter{"LARS", "eta", value});
    w.stepN(1);
    ASSERT_TRUE(waitFor([&] {
      w.refreshNow();
      return w.session()->metrics()->appliedHyperparameter("LARS", "eta") == value;
    }));
    w.refreshNow();  // the tick after the store changed: what the window shows follows it
  }

  QTemporaryDir dir_;
  std::unique_ptr<MainWindow> window_;
  QStringList questions_;
  Answer answer_ = Answer::Cancel;
};

// Issue 12, case 1: an experiment whose CSV has a text column fails to start. The old session
// keeps running and stays the document: the title, Save and the saved description are its.
TEST_F(DocumentTest, AFileThatFailsToStartNeverTakesOverTheTitleOrSave) {
  const QString good = writeSmall();
  openPath(*window_, good);
  tuneEta(*window_, 0.02);
  const QString csv = test::writeFile(dir_, QStringLiteral("text.csv"), "a,b,label\n1.0,red,0\n2.0,blue,1\n3.0,red,0\n4.0,blue,1\n");
  std::string json = test::smallExperimentJson();
  const std::string from = R"("dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25})";
  json.replace(json.find(from), from.size(), R"("dataset": {"kind": "csv", "path": ")" + csv.toStdString() + R"(", "label_column": "label"})");
  json.replace(json.find("UI test spirals"), 15, "Text column");
  json.replace(json.find("Small and fast."), 15, "The description of the file that fails.");
  const QString bad = test::writeFile(dir_, QStringLiteral("text_column.json"), json);
  const QByteArray badBytes = readAll(bad);
  const auto running = window_->session();

  answer_ = Answer::Discard;  // "Save changes?" -> Discard: even so nothing is lost, see below
  ASSERT_TRUE(window_->openExperiment(bad, false)) << "the file itself is valid JSON";
  ASSERT_TRUE(waitFor([&] { return !window_->lastError().isEmpty(); }));
  window_->syncWithWorker();
  EXPECT_TRUE(window_->lastError().contains(QStringLiteral("text.csv"))) << window_->lastError().toStdString();
  EXPECT_EQ(window_->session(), running) << "the running session goes on";
  EXPECT_EQ(window_->currentFile(), QFileInfo(good).absoluteFilePath());
  EXPECT_TRUE(window_->windowTitle().contains(QStringLiteral("spirals.json"))) << window_->windowTitle().toStdString();
  EXPECT_TRUE(window_->windowTitle().contains(QStringLiteral("UI test spirals")));
  EXPECT_FALSE(window_->windowTitle().contains(QStringLiteral("Text column")));
  // The failed experiment is a draft, marked as not running.
  EXPECT_TRUE(window_->experimentPanel()->isDirty());
  EXPECT_TRUE(window_->experimentPanel()->draftNotice().contains(QStringLiteral("Not running")));
  EXPECT_TRUE(window_->experimentPanel()->draftNotice().contains(QStringLiteral("text_column.json")));

  // Ctrl+S writes the running experiment (tuned eta, its description) to ITS file.
  ASSERT_TRUE(window_->save()) << window_->lastError().toStdString();
  EXPECT_EQ(readAll(bad), badBytes) << "the file that failed is untouched";
  const engine::ExperimentSpec saved = engine::loadExperiment(good.toStdString());
  EXPECT_EQ(saved.dataset.kind, "spirals");
  EXPECT_EQ(saved.description, "Small and fast.");
  EXPECT_DOUBLE_EQ(saved.runs.at(0).optimizer.hyperparameters.at("eta"), 0.02);
}

// Issue 12, case 2: tuned values, applied edits and added runs mark the document modified, and
// quit, open, open example and reset-to-file ask before discarding them.
TEST_F(DocumentTest, ModifiedAfterTuningOrApplyAndCleanAfterSave) {
  const QString path = writeSmall();
  openPath(*window_, path);
  EXPECT_FALSE(window_->isModified());
  EXPECT_FALSE(window_->isWindowModified());
  tuneEta(*window_, 0.03);
  EXPECT_TRUE(window_->isModified());
  EXPECT_TRUE(window_->isWindowModified()) << "the title shows the modified mark";
  ASSERT_TRUE(window_->save());
  EXPECT_FALSE(window_->isModified());
  EXPECT_FALSE(window_->isWindowModified());

  // A renamed experiment, applied: modified, and Save writes the new name.
  engine::ExperimentSpec draft = window_->experimentPanel()->draft();
  draft.name = "Renamed";
  window_->experimentPanel()->setDraft(draft);
  EXPECT_TRUE(window_->isModified()) << "unapplied edits count";
  QTest::mouseClick(window_->experimentPanel()->findChild<QPushButton*>(QStringLiteral("apply")), Qt::LeftButton);
  window_->stepN(1);
  ASSERT_TRUE(waitFor([&] {
    window_->refreshNow();
    return window_->session()->metrics()->experiment()->name == "Renamed";
  }));
  window_->refreshNow();
  EXPECT_FALSE(window_->experimentPanel()->isDirty());
  EXPECT_TRUE(window_->isModified());
  EXPECT_TRUE(window_->windowTitle().contains(QStringLiteral("Renamed")));
  ASSERT_TRUE(window_->save());
  EXPECT_EQ(engine::loadExperiment(path.toStdString()).name, "Renamed");
}

TEST_F(DocumentTest, EveryPathThatDiscardsWorkAsksFirst) {
  const QString path = writeSmall();
  openPath(*window_, path);
  const QByteArray original = readAll(path);
  tuneEta(*window_, 0.04);
  const auto tuned = window_->session();
  const QString other = writeSmall(QStringLiteral("other.json"));

  answer_ = Answer::Cancel;
  EXPECT_FALSE(window_->close()) << "quit cancelled";
  EXPECT_FALSE(window_->openExperiment(other, false));
  EXPECT_FALSE(window_->openDefaultExperiment(false));
  window_->resetToFile();
  window_->syncWithWorker();
  ASSERT_EQ(questions_.size(), 4);
  EXPECT_TRUE(questions_[0].contains(QStringLiteral("quit")));
  EXPECT_TRUE(questions_[1].contains(QStringLiteral("open other.json")));
  EXPECT_TRUE(questions_[2].contains(QStringLiteral("open the example")));
  EXPECT_TRUE(questions_[3].contains(QStringLiteral("file's values")));
  for (const QString& q : questions_) EXPECT_TRUE(q.contains(QStringLiteral("spirals.json"))) << q.toStdString();
  EXPECT_EQ(window_->session(), tuned) << "nothing was discarded";
  EXPECT_EQ(window_->currentFile(), QFileInfo(path).absoluteFilePath());
  EXPECT_EQ(readAll(path), original);

  // Reset that keeps tuned values loses nothing of the document: it does not ask.
  window_->reset();
  ASSERT_TRUE(waitFor([&] { return window_->session() != tuned; }));
  EXPECT_EQ(questions_.size(), 4);
  EXPECT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.04);

  // Save: the file gets the tuned value, then the other experiment opens.
  answer_ = Answer::Save;
  const auto beforeOpen = window_->session();
  ASSERT_TRUE(window_->openExperiment(other, false));
  ASSERT_TRUE(waitFor([&] { return window_->session() != beforeOpen && window_->currentFile().endsWith(QStringLiteral("other.json")); }));
  EXPECT_DOUBLE_EQ(engine::loadExperiment(path.toStdString()).runs.at(0).optimizer.hyperparameters.at("eta"), 0.04);

  // Discard on reset-to-file: back to the file's eta (0.01), the file untouched.
  tuneEta(*window_, 0.05);
  answer_ = Answer::Discard;
  const auto beforeReset = window_->session();
  window_->resetToFile();
  ASSERT_TRUE(waitFor([&] { return window_->session() != beforeReset; }));
  window_->refreshNow();
  EXPECT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.01);
  EXPECT_FALSE(window_->isModified());
  EXPECT_DOUBLE_EQ(engine::loadExperiment(other.toStdString()).runs.at(0).optimizer.hyperparameters.at("eta"), 0.01);
}

// Issue 16: Save never silently overwrites a file another program changed since it was opened
// or last saved here; it asks, and No leaves the other program's version on disk.
TEST_F(DocumentTest, SaveAsksBeforeOverwritingAFileChangedOnDisk) {
  const QString path = writeSmall();
  openPath(*window_, path);
  tuneEta(*window_, 0.02);
  QStringList asked;
  bool overwrite = false;
  window_->setConfirmPrompt([&](const QString& question) {
    asked << question;
    return overwrite;
  });
  // Another program (an editor, a colleague's sync) rewrites the file.
  std::string theirs = test::smallExperimentJson();
  theirs.replace(theirs.find("Small and fast."), 15, "Edited elsewhere.");
  test::writeFile(dir_, QStringLiteral("spirals.json"), theirs);
  const QByteArray theirBytes = readAll(path);

  EXPECT_FALSE(window_->save()) << "No: nothing written";
  ASSERT_EQ(asked.size(), 1);
  EXPECT_TRUE(asked[0].contains(QStringLiteral("spirals.json"))) << asked[0].toStdString();
  EXPECT_TRUE(asked[0].contains(QStringLiteral("changed on disk")));
  EXPECT_EQ(readAll(path), theirBytes) << "their version is kept";
  EXPECT_TRUE(window_->isModified()) << "and ours is not lost";

  overwrite = true;
  ASSERT_TRUE(window_->save());
  EXPECT_EQ(asked.size(), 2);
  EXPECT_DOUBLE_EQ(engine::loadExperiment(path.toStdString()).runs.at(0).optimizer.hyperparameters.at("eta"), 0.02);
  EXPECT_FALSE(window_->isModified());

  // Our own saves are not "changes on disk": the next Save does not ask.
  tuneEta(*window_, 0.03);
  ASSERT_TRUE(window_->save());
  EXPECT_EQ(asked.size(), 2);
  EXPECT_DOUBLE_EQ(engine::loadExperiment(path.toStdString()).runs.at(0).optimizer.hyperparameters.at("eta"), 0.03);

  // A file deleted meanwhile is simply written again.
  ASSERT_TRUE(QFile::remove(path));
  tuneEta(*window_, 0.04);
  ASSERT_TRUE(window_->save());
  EXPECT_EQ(asked.size(), 2);
  EXPECT_DOUBLE_EQ(engine::loadExperiment(path.toStdString()).runs.at(0).optimizer.hyperparameters.at("eta"), 0.04);
}

// Issue 16: a file from elsewhere that reads data outside its own folder (here "../data.csv")
// says so, naming the field and the file, before anything is opened; No opens nothing.
TEST_F(DocumentTest, AFileReadingOutsideItsFolderIsShownBeforeItOpens) {
  openPath(*window_, writeSmall());
  const auto before = window_->session();
  QStringList asked;
  bool open = false;
  window_->setConfirmPrompt([&](const QString& question) {
    asked << question;
    return open;
  });
  std::string csv = "x,y,label\n";
  for (int i = 0; i < 40; ++i)
    csv += std::to_string(i % 7) + "." + std::to_string(i % 3) + "," + std::to_string(i % 5) + ".5," + std::to_string(i % 2) + "\n";
  test::writeFile(dir_, QStringLiteral("data.csv"), csv);
  ASSERT_TRUE(QDir(dir_.path()).mkpath(QStringLiteral("downloaded")));
  std::string json = test::smallExperimentJson();
  const std::string from = R"("dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25})";
  json.replace(json.find(from), from.size(), R"("dataset": {"kind": "csv", "path": "../data.csv", "label_column": "label"})");
  const QString outside = test::writeFile(dir_, QStringLiteral("downloaded/experiment.json"), json);

  EXPECT_FALSE(window_->openExperiment(outside, false));
  ASSERT_EQ(asked.size(), 1);
  EXPECT_TRUE(asked[0].contains(QStringLiteral("experiment.json"))) << asked[0].toStdString();
  EXPECT_TRUE(asked[0].contains(QStringLiteral("dataset.path: ../data.csv"))) << asked[0].toStdString();
  EXPECT_TRUE(asked[0].contains(QDir::toNativeSeparators(QDir(dir_.path()).filePath(QStringLiteral("data.csv")))))
      << "the file that would be read, resolved";
  window_->syncWithWorker();
  EXPECT_EQ(window_->session(), before) << "No opens nothing";

  open = true;
  ASSERT_TRUE(window_->openExperiment(outside, false));
  ASSERT_TRUE(waitFor([&] { return window_->session() != before && window_->controller()->state() == State::Paused; }));
  EXPECT_EQ(window_->session()->metrics()->experiment()->dataset.kind, "csv");

  // The same data beside the file: nothing to ask.
  test::writeFile(dir_, QStringLiteral("downloaded/data.csv"), csv);
  json.replace(json.find("../data.csv"), 11, "data.csv");
  const QString inside = test::writeFile(dir_, QStringLiteral("downloaded/inside.json"), json);
  answer_ = Answer::Discard;
  ASSERT_TRUE(window_->openExperiment(inside, false));
  EXPECT_EQ(asked.size(), 2);

  // A lesson from elsewhere naming an experiment file outside its folder is shown the same way.
  const QString lesson = test::writeFile(
      dir_, QStringLiteral("downloaded/lesson.json"),
      R"({"version": 1, "title": "Outside", "summary": "Reads a file beside its folder.",
          "experiment": "../spirals.json", "steps": [{"title": "One", "text": "Hello."}]})");
  open = false;
  EXPECT_FALSE(window_->openLessonNamed(lesson));
  ASSERT_EQ(asked.size(), 3);
  EXPECT_TRUE(asked[2].contains(QStringLiteral("lesson.json"))) << asked[2].toStdString();
  EXPECT_TRUE(asked[2].contains(QStringLiteral("experiment: ../spirals.json"))) << asked[2].toStdString();
}

// A crash: the window goes away without a clean quit. The autosave it wrote holds the tuned
// values, the unapplied edits and the file; the next window offers it back.
TEST_F(DocumentTest, AnAutosaveSurvivesACrashAndIsRestored) {
  const QString path = writeSmall();
  openPath(*window_, path);
  tuneEta(*window_, 0.025);
  engine::ExperimentSpec draft = window_->experimentPanel()->draft();
  draft.batchSize = 64;  // an edit not applied yet
  window_->experimentPanel()->setDraft(draft);
  ASSERT_TRUE(waitFor([&] { return QFileInfo::exists(window_->autosave()->path()); }, 10000))
      << "written a moment after the change";
  window_->autosaveNow();
  const QString copy = window_->autosave()->path();
  window_.reset();  // no closeEvent: as if the process had been killed
  ASSERT_TRUE(QFileInfo::exists(copy));

  window_ = makeWindow();
  ASSERT_TRUE(window_->offerRecovery());
  window_->refreshNow();
  EXPECT_DOUBLE_EQ(window_->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.025);
  EXPECT_EQ(window_->currentFile(), QFileInfo(path).absoluteFilePath()) << "Save writes to the original file";
  EXPECT_TRUE(window_->isModified());
  EXPECT_EQ(window_->experimentPanel()->draft().batchSize, 64) << "the unapplied edit is back as a draft";
  EXPECT_TRUE(window_->experimentPanel()->isDirty());
  EXPECT_FALSE(QFileInfo::exists(copy)) << "the orphan is gone once restored";
  EXPECT_TRUE(QFileInfo::exists(window_->autosave()->path())) << "the restored work is autosaved again at once";
  EXPECT_FALSE(window_->offerRecovery()) << "nothing left to offer";

  // A clean quit leaves nothing to recover.
  answer_ = Answer::Discard;
  EXPECT_TRUE(window_->close());
  EXPECT_FALSE(QFileInfo::exists(window_->autosave()->path()));
  EXPECT_TRUE(QDir(autosaveDir()).entryList({QStringLiteral("*.json")}, QDir::Files).isEmpty());
}

TEST_F(DocumentTest, NothingIsAutosavedWhileTheDocumentIsUnmodified) {
  openPath(*window_, writeSmall());
  window_->stepN(5);
  QTest::qWait(2000);
  EXPECT_FALSE(QFileInfo::exists(window_->autosave()->path()));
}

// The lock tells a live window's copy from a dead one's: a copy whose process is alive is not
// offered; one whose process has exited without cleaning up is.
TEST(Autosave, OnlyCopiesOfDeadProcessesAreOrphans) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  AutosaveContents contents;
  contents.running = engine::parseExperiment(test::smallExperimentJson(), "test");
  contents.sourceFile = QStringLiteral("/somewhere/spirals.json");

  Autosave alive(dir.path());
  ASSERT_TRUE(alive.write(contents));
  Autosave other(dir.path());
  EXPECT_TRUE(other.orphans().empty()) << "a live window's copy is not an orphan";

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto* dying = new Autosave(dir.path());  // never destroyed: the lock file stays behind
    contents.running.name = "From the dead process";
    _exit(dying->write(contents) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::vector<Autosave::Orphan> orphans = other.orphans();
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[0].contents.running.name, "From the dead process");
  EXPECT_EQ(orphans[0].contents.sourceFile, contents.sourceFile);
}

TEST(Autosave, ABadCopyIsAnErrorNamingTheFileAndField) {
  app();
  try {
    Autosave::parse(R"({"larslab_autosave": 2, "experiment": {}})", QStringLiteral("/tmp/x.json"));
    FAIL() << "version 2 accepted";
  } catch (const engine::SpecError& e) {
    EXPECT_EQ(e.file(), "/tmp/x.json");
    ASSERT_FALSE(e.issues().empty());
    EXPECT_EQ(e.issues()[0].path, "larslab_autosave");
  }
  AutosaveContents c;
  c.running = engine::parseExperiment(test::smallExperimentJson(), "test");
  c.draft = c.running;
  c.draft->batchSize = 128;
  c.running.seed = 9007199254740993ull;  // 2^53 + 1: no trip through a double
  const AutosaveContents back = Autosave::parse(Autosave::serialize(c), QStringLiteral("mem"));
  EXPECT_EQ(engine::experimentToJson(back.running), engine::experimentToJson(c.running));
  ASSERT_TRUE(back.draft.has_value());
  EXPECT_EQ(back.draft->batchSize, 128);
}

}  // namespace
}  // namespace larslab::ui
