// MainWindow: opening experiment files, built-in examples and metric logs (menu, command line,
// drag and drop). A bad file is reported and changes nothing.
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QUrl>
#include <exception>

#include <QFile>
#include <nlohmann/json.hpp>

#include "builtin_experiments.h"
#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "experiment_panel.h"
#include "engine/json_reader.h"
#include "main_window.h"
#include "transport_bar.h"
#include "tuning_panel.h"

namespace larslab::ui {

namespace {
bool isLogPath(const QString& path) {
  const QFileInfo fi(path);
  return fi.isDir() || fi.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0;
}

// A lesson file has "steps" at the top level (an experiment has "runs"); a file that does not
// parse is left to the experiment reader, which names the problem.
bool isLessonFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  const nlohmann::json root = nlohmann::json::parse(f.readAll().toStdString(), nullptr, /*allow_exceptions=*/false);
  return root.is_object() && root.contains("steps") && !root.contains("runs");
}
}  // namespace

bool MainWindow::openDefaultExperiment(bool autoplay) {
  const QString path = defaultExperimentPath();
  if (path.isEmpty()) {
    reportError(tr("No built-in experiment"), tr("This build has no embedded experiments; open a file with Ctrl+O."));
    return false;
  }
  return openBuiltin(path, autoplay);
}

bool MainWindow::openBuiltin(const QString& resourcePath, bool autoplay) {
  try {
    const engine::ExperimentSpec spec = loadBuiltinExperiment(resourcePath);
    if (!maybeSave(tr("open the example"))) return false;
    if (isReadOnly()) closeLog();
    closeLesson();
    startSession(spec, autoplay, DocumentSource{QString(), tr("built-in example")});
    return true;
  } catch (const engine::SpecError& e) {
    reportError(tr("Invalid built-in experiment"), specErrorText(e));
  } catch (const std::exception& e) {
    reportError(tr("Invalid built-in experiment"), QString::fromUtf8(e.what()));
  }
  return false;
}

void MainWindow::open() {
  QSettings settings;
  const QString dir = settings.value(QStringLiteral("lastOpenDir"), QDir::homePath()).toString();
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open experiment or log"), dir,
      tr("Experiments and logs (*.json *.csv);;Experiments (*.json);;Metric logs (*.csv);;All files (*)"));
  if (path.isEmpty()) return;
  settings.setValue(QStringLiteral("lastOpenDir"), QFileInfo(path).absolutePath());
  openFile(path);
}

bool MainWindow::openFile(const QString& path, bool autoplay) {
  if (isLogPath(path)) return openLog(path);
  if (isLessonFile(path)) return openLessonNamed(path);
  return openExperiment(path, autoplay);
}

bool MainWindow::openExperiment(const QString& path, bool autoplay) {
  try {
    const engine::ExperimentSpec spec = engine::loadExperiment(QDir::toNativeSeparators(path).toStdString());
    if (!confirmOutsidePaths(path, engine::pathsOutsideFolder(spec, engine::folderOf(path.toStdString())))) return false;
    if (!maybeSave(tr("open %1").arg(QFileInfo(path).fileName()))) return false;
    if (isReadOnly()) closeLog();
    closeLesson();
    // The file becomes the document (title, Save) once its session has started.
    startSession(spec, autoplay, DocumentSource{QFileInfo(path).absoluteFilePath(), QFileInfo(path).fileName()});
    return true;
  } catch (const engine::SpecError& e) {
    reportError(tr("Cannot open experiment"), specErrorText(e));
  } catch (const std::exception& e) {
    reportError(tr("Cannot open experiment"), tr("%1: %2").arg(path, QString::fromUtf8(e.what())));
  }
  return false;
}

bool MainWindow::openLog(const QString& path) {
  try {
    QString target = path;
    const QFileInfo fi(path);
    // Any of the log's files selects the whole log.
    if (fi.isFile() && fi.fileName() != QLatin1String(engine::kRunMetricsFile)) target = fi.absolutePath();
    std::shared_ptr<engine::MetricsStore> store = engine::readMetricsLog(QDir::toNativeSeparators(target).toStdString());
    // Pause training while the log is shown; the session stays as it was.
    controller_->post(SessionController::Pause{});
    logStore_ = std::move(store);
    logPath_ = QFileInfo(target).absoluteFilePath();
    addRecentFile(logPath_);
    transport_->setReadOnly(true, tr("Viewing a log: training controls are off (File > Close log)."));
    panel_->setReadOnly(true);
    tuning_->setReadOnly(true);
    // Editing and tuning mean nothing for a recorded log: make room for the charts.
    if (!logStore_ || panelDock_->isVisible() || tuningDock_->isVisible()) {
      docksBeforeLog_ = {panelDock_->isVisible(), tuningDock_->isVisible()};
    }
    panelDock_->hide();
    tuningDock_->hide();
    closeLogAction_->setEnabled(true);
    if (logStore_->runCount() > 0) setSelectedRun(QString::fromStdString(logStore_->runName(0)));
    statusBar()->showMessage(tr("Viewing the log %1 (read-only). File > Close log returns to training.").arg(logPath_));
    updateTitle();
    refreshNow();
    return true;
  } catch (const std::exception& e) {
    reportError(tr("Cannot open log"), QString::fromUtf8(e.what()));
    return false;
  }
}

void MainWindow::closeLog() {
  if (!logStore_) return;
  logStore_.reset();
  logPath_.clear();
  transport_->setReadOnly(false);
  panel_->setReadOnly(false);
  tuning_->setReadOnly(false);
  closeLogAction_->setEnabled(false);
  transport_->setState(state_);
  panelDock_->setVisible(docksBeforeLog_.first);
  tuningDock_->setVisible(docksBeforeLog_.second);
  updateTitle();
  refreshNow();
  // Opened on a log from the command line: there is no session to go back to yet.
  if (!session_) openDefaultExperiment(/*autoplay=*/false);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!event->mimeData()->hasUrls()) return;
  for (const QUrl& url : event->mimeData()->urls()) {
    const QFileInfo fi(url.toLocalFile());
    if (url.isLocalFile() && (fi.isDir() || fi.suffix() == QLatin1String("json") || fi.suffix() == QLatin1String("csv"))) {
      event->acceptProposedAction();
      return;
    }
  }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (!url.isLocalFile()) continue;
    if (openFile(url.toLocalFile())) {
      event->acceptProposedAction();
      return;
    }
  }
}

}  // namespace larslab::ui
