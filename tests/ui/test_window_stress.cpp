// Stress (issue 16 d): 1,000 open, close, reset and apply operations in a random order on the
// real window (offscreen), with training, saves and lessons in between, as an impatient user
// makes them. Nothing may crash or hang, the window must stay consistent (a session after every
// open, the document saved where it says), and the asan preset checks for memory errors and,
// at exit, leaks.

#include <QElapsedTimer>
#include <QFileInfo>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "engine/experiment.h"
#include "experiment_panel.h"
#include "main_window.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using State = SessionController::State;

enum class Op { OpenSmall, OpenDiverging, OpenDefault, Close, Reset, ResetToFile, Apply, Step, PlayPause, Save, Lesson };
constexpr Op kOps[] = {Op::OpenSmall, Op::OpenDiverging, Op::OpenDefault, Op::Close, Op::Reset, Op::ResetToFile,
                       Op::Apply,     Op::Step,          Op::PlayPause,   Op::Save,  Op::Lesson};
const char* name(Op op) {
  static const std::map<Op, const char*> names = {
      {Op::OpenSmall, "open"},        {Op::OpenDiverging, "open diverging"}, {Op::OpenDefault, "open default"},
      {Op::Close, "close"},           {Op::Reset, "reset"},                  {Op::ResetToFile, "reset to file"},
      {Op::Apply, "apply"},           {Op::Step, "step"},                    {Op::PlayPause, "play/pause"},
      {Op::Save, "save"},             {Op::Lesson, "lesson"}};
  return names.at(op);
}

class WindowStress : public ::testing::Test {
 protected:
  void SetUp() override {
    test::app();
    ASSERT_TRUE(dir_.isValid());
    small_ = test::writeFile(dir_, QStringLiteral("small.json"), test::smallExperimentJson());
    diverging_ = test::writeFile(dir_, QStringLiteral("diverging.json"), test::divergingExperimentJson());
    window_ = makeWindow();
  }
  void TearDown() override { window_.reset(); }

  std::unique_ptr<MainWindow> makeWindow() {
    auto w = std::make_unique<MainWindow>(2);
    w->setInteractive(false);
    w->setAutosaveDirectory(dir_.filePath(QStringLiteral("autosave")));
    w->setSaveChangesPrompt([this](const QString&) { return answer_; });
    w->setConfirmPrompt([](const QString&) { return true; });
    // "Save" for the built-in default experiment (no file yet) asks where: a new file each time.
    w->setSaveAsPrompt([this](const QString&) { return dir_.filePath(QStringLiteral("saved-as-%1.json").arg(++savedAs_)); });
    w->resize(1280, 720);
    w->show();
    // Playing sessions train at 100 steps/s, as with the speed control: the operations, not
    // training, are under test, and unlimited training would take most of the time under ASan.
    w->controller()->post(SessionController::SetSpeed{100.0});
    return w;
  }
  // The window after an open or a reset: a session, which the worker has loaded.
  void expectSession(const char* after) {
    window_->syncWithWorker();
    QCoreApplication::processEvents();
    ASSERT_NE(window_->session(), nullptr) << "no session after " << after << ": " << window_->lastError().toStdString();
  }

  QTemporaryDir dir_;
  QString small_;
  QString diverging_;
  std::unique_ptr<MainWindow> window_;
  MainWindow::SaveAnswer answer_ = MainWindow::SaveAnswer::Discard;
  int savedAs_ = 0;
};

TEST_F(WindowStress, AThousandOpensClosesResetsAndAppliesInARandomOrder) {
  std::mt19937 random(1016);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kOps) - 1);
  std::map<Op, int> counts;
  std::map<Op, qint64> milliseconds;  // where the test's time goes, printed at the end
  int saves = 0;
  for (int i = 0; i < 1000; ++i) {
    const Op op = kOps[pick(random)];
    SCOPED_TRACE("operation " + std::to_string(i) + ": " + name(op));
    ++counts[op];
    QElapsedTimer clock;
    clock.start();
    // Half the time a change is waiting when the window asks "save changes?": the answer
    // alternates between discarding and keeping it in the file.
    answer_ = random() % 2 ? MainWindow::SaveAnswer::Discard : MainWindow::SaveAnswer::Save;
    switch (op) {
      case Op::OpenSmall:
      case Op::OpenDiverging: {
        const QString& path = op == Op::OpenSmall ? small_ : diverging_;
        ASSERT_TRUE(window_->openExperiment(path, random() % 2 == 0)) << window_->lastError().toStdString();
        ASSERT_NO_FATAL_FAILURE(expectSession(name(op)));
        EXPECT_EQ(window_->currentFile(), QFileInfo(path).absoluteFilePath());
        break;
      }
      case Op::OpenDefault:
        ASSERT_TRUE(window_->openDefaultExperiment(random() % 2 == 0)) << window_->lastError().toStdString();
        ASSERT_NO_FATAL_FAILURE(expectSession(name(op)));
        break;
      case Op::Close:
        // Quit (asks, then closes) and start again, as the next launch of the app does.
        EXPECT_TRUE(window_->close());
        window_.reset();
        window_ = makeWindow();
        break;
      case Op::Reset:
        window_->reset();
        break;
      case Op::ResetToFile:
        window_->resetToFile();
        break;
      case Op::Apply:
        if (window_->session()) {
          engine::ExperimentSpec draft = window_->experimentPanel()->draft();
          draft.batchSize = random() % 2 ? 16 : 32;
          draft.seed = static_cast<std::uint64_t>(random() % 5);
          window_->experimentPanel()->setDraft(draft);
          QTest::mouseClick(window_->experimentPanel()->applyButton(), Qt::LeftButton);
        }
        break;
      case Op::Step:
        if (window_->session()) window_->stepN(1 + static_cast<long>(random() % 20));
        break;
      case Op::PlayPause:
        if (window_->session()) window_->playPause();
        break;
      case Op::Save:
        if (window_->session() && !window_->currentFile().isEmpty() && !window_->isReadOnly()) {
          // What is queued (an apply, a reset) lands first, so that Save writes a settled state.
          window_->syncWithWorker();
          QCoreApplication::processEvents();
          ASSERT_TRUE(window_->save()) << window_->lastError().toStdString();
          // Saved: only edits still in the Experiment panel (not applied, so not saved) remain.
          EXPECT_EQ(window_->isModified(), window_->experimentPanel()->isDirty());
          EXPECT_NO_THROW(engine::loadExperiment(window_->currentFile().toStdString())) << "saved a readable file";
          ++saves;
        }
        break;
      case Op::Lesson:
        if (random() % 2) {
          window_->openLessonNamed(QStringLiteral("trust-coefficient"));
        } else {
          window_->closeLesson();
        }
        break;
    }
    // Let queued signals and a GUI tick or two run between operations, as a user's pace does.
    QCoreApplication::processEvents();
    if (i % 10 == 0) window_->refreshNow();
    milliseconds[op] += clock.elapsed();
  }
  window_->syncWithWorker();
  std::printf("1000 operations:");
  for (const auto& [op, n] : counts) std::printf(" %s %d (%lld ms),", name(op), n, static_cast<long long>(milliseconds[op]));
  std::printf(" %d saves, %d of them by Save As\n", saves, savedAs_);
  for (int n = 1; n <= savedAs_; ++n)
    EXPECT_NO_THROW(engine::loadExperiment(dir_.filePath(QStringLiteral("saved-as-%1.json").arg(n)).toStdString()));
  answer_ = MainWindow::SaveAnswer::Discard;
  EXPECT_TRUE(window_->close());
  // Both experiment files are still readable whatever was saved into them.
  EXPECT_NO_THROW(engine::loadExperiment(small_.toStdString()));
  EXPECT_NO_THROW(engine::loadExperiment(diverging_.toStdString()));
}

}  // namespace
}  // namespace larslab::ui
