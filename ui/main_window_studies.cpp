// MainWindow's studies: File > Open study… and Training > Run study…, each in a study window
// of its own (study_window.h) that the main window closes, and waits for, when it quits.
#include <QDir>
#include <QFileDialog>
#include <QStatusBar>

#include "main_window.h"
#include "study_launch_dialog.h"
#include "study_window.h"

namespace larslab::ui {

QList<StudyWindow*> MainWindow::studyWindows() const { return findChildren<StudyWindow*>(); }

StudyWindow* MainWindow::openStudy(const QString& dir) {
  auto* window = new StudyWindow(this);
  window->setAttribute(Qt::WA_DeleteOnClose);
  if (!window->open(dir)) {
    reportError(tr("Cannot open the study"), window->lastError());
    delete window;
    return nullptr;
  }
  window->show();
  window->raise();
  return window;
}

StudyWindow* MainWindow::startStudy(const engine::StudySpec& spec, const QString& dir, int threads) {
  auto* window = new StudyWindow(this);
  window->setAttribute(Qt::WA_DeleteOnClose);
  if (!window->start(spec, dir, threads)) {
    reportError(tr("Cannot start the study"), window->lastError());
    delete window;
    return nullptr;
  }
  window->show();
  window->raise();
  statusBar()->showMessage(tr("Study running: results go to %1").arg(QDir::toNativeSeparators(dir)), 8000);
  return window;
}

void MainWindow::openStudyInteractive() {
  const QString dir = QFileDialog::getExistingDirectory(
      this, tr("Open a study's folder (the one holding study.json and study.csv)"), QString());
  if (!dir.isEmpty()) openStudy(dir);
}

void MainWindow::runStudyInteractive() {
  StudyLaunchDialog dialog(this);
  if (threads_ > 0) dialog.setThreads(threads_);
  // The experiment as it stands (tuned values included) comes first: the study users reach for.
  if (const std::optional<engine::ExperimentSpec> spec = runningExperiment(); spec && !isReadOnly())
    dialog.setCurrentExperiment(*spec);
  if (dialog.exec() != QDialog::Accepted || !dialog.study()) return;
  startStudy(*dialog.study(), dialog.outputDirectory(), dialog.threads());
}

}  // namespace larslab::ui
