#pragma once
// Shared by the UI tests: one QApplication for the process (offscreen), small experiments
// written to a temporary directory, and a condition wait that processes events.

#include <gtest/gtest.h>

#include <QApplication>
#include <QSize>
#include <QString>
#include <QTemporaryDir>
#include <functional>
#include <memory>
#include <string>

class QDockWidget;

namespace larslab::ui::test {

// The QApplication, created on first use (offscreen unless QT_QPA_PLATFORM says otherwise).
QApplication& app();

// Processes events until `condition` holds or `timeoutMs` passes; returns the condition.
bool waitFor(const std::function<bool()>& condition, int timeoutMs = 30000);

// A small, fast classification experiment: spirals, one hidden layer, runs LARS, SGD momentum
// and Adam, long enough (100,000 steps) that it never finishes during a test.
std::string smallExperimentJson();
// A regression experiment where "SGD" (lr at its maximum) diverges within a few steps while
// "Adam" keeps training.
std::string divergingExperimentJson();

// Writes `text` to `dir/name` and returns the path.
QString writeFile(const QTemporaryDir& dir, const QString& name, const std::string& text);

}  // namespace larslab::ui::test

namespace larslab::ui {
class MainWindow;
}

namespace larslab::ui::test {

// A main window that never opens a dialog (setInteractive(false)), on `threads` training threads,
// resized to `size`, shown and exposed. The built-in default experiment is loaded but not playing.
std::unique_ptr<MainWindow> shownWindow(const QSize& size, int threads = 1);
// Opens the experiment `json` (written to `dir`) in `window`, paused, trains `steps` steps and
// refreshes the window once. Fails the test (gtest ASSERT) when it cannot.
void openAndTrain(MainWindow& window, const QTemporaryDir& dir, const std::string& json, int steps);
// The base of the window tests: a shown main window on 2 training threads that never opens a
// dialog, its autosave in a temporary directory, and a way to open an experiment paused.
class WindowTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Writes `json` to the temporary directory as `name`, opens it paused and waits for its session.
  void open(const std::string& json, const QString& name = QStringLiteral("experiment.json"));

  QTemporaryDir dir_;
  std::unique_ptr<MainWindow> window_;
};

// The window's dock named `objectName` ("experimentDock", "tuningDock", "statusDock").
QDockWidget* dock(MainWindow& window, const char* objectName);

}  // namespace larslab::ui::test
