// MainWindow: pinned runs. A pin is a dimmed read-only copy of a run drawn next to the live runs
// in every chart (ui/pinned_runs.h, ui/dashboard_pins.cpp): a run pinned by the user, every run
// of the attempt a Reset ended ("previous attempt"), or every run of a metric log from disk.
// Pins are a view: nothing here touches the document, the session or the autosave.
#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>
#include <exception>

#include "engine/csv_log_reader.h"
#include "main_window.h"
#include "status_panel.h"

namespace larslab::ui {

namespace {
const QString kKeepPreviousKey = QStringLiteral("pins/keepPreviousAttempt");
}  // namespace

QString MainWindow::logDirectoryOf(const QString& path) {
  const QFileInfo fi(path);
  return fi.isFile() ? fi.absolutePath() : fi.absoluteFilePath();
}

bool MainWindow::keepsPreviousAttempt() const { return QSettings().value(kKeepPreviousKey, true).toBool(); }

void MainWindow::setKeepPreviousAttempt(bool keep) {
  QSettings().setValue(kKeepPreviousKey, keep);
  if (keepPreviousAction_ && keepPreviousAction_->isChecked() != keep) keepPreviousAction_->setChecked(keep);
}

void MainWindow::pinsChanged() {
  rebuildRemovePinMenu();
  refreshNow();
}

bool MainWindow::pinRun(const QString& run) {
  const auto store = currentStore();
  const int r = store ? store->runIndex(run.toStdString()) : -1;
  if (r < 0 || store->status(r).removed) {
    statusBar()->showMessage(tr("No run named %1 to pin.").arg(run), 5000);
    return false;
  }
  const long steps = store->stepCount(r);
  const QString source = isReadOnly() ? tr("step %1 of the log %2").arg(steps).arg(logPath_)
                                      : tr("pinned at step %1").arg(steps);
  const QString label = dashboard_->pins().add(PinnedRun::Kind::Pinned, store, r, tr("pinned"), source).label();
  statusBar()->showMessage(tr("Pinned %1 at step %2: it stays in every chart, dimmed, until you remove it "
                              "(runs table, right-click).")
                               .arg(label)
                               .arg(steps),
                           8000);
  pinsChanged();
  return true;
}

bool MainWindow::pinLog(const QString& path) {
  const QString target = logDirectoryOf(path);
  std::shared_ptr<const engine::MetricsStore> store;
  try {
    store = engine::readMetricsLog(QDir::toNativeSeparators(target).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot pin the log"), QString::fromUtf8(e.what()));
    return false;
  }
  if (store->runCount() == 0) {
    reportError(tr("Cannot pin the log"), tr("%1: the log has no runs.").arg(target));
    return false;
  }
  // The log's folder name tells its runs from the live ones with the same names.
  const QString tag = QFileInfo(target).fileName();
  QStringList labels;
  for (int r = 0; r < store->runCount(); ++r)
    labels.append(dashboard_->pins().add(PinnedRun::Kind::Log, store, r, tag, target).label());
  statusBar()->showMessage(tr("Pinned the log %1: %2.").arg(target, labels.join(QStringLiteral(", "))), 8000);
  pinsChanged();
  return true;
}

void MainWindow::pinLogInteractive() {
  QSettings settings;
  const QString dir = settings.value(QStringLiteral("lastOpenDir"), QDir::homePath()).toString();
  const QString path = QFileDialog::getOpenFileName(this, tr("Pin a metric log"), dir,
                                                    tr("Metric logs (run_metrics.csv *.csv);;All files (*)"));
  if (path.isEmpty()) return;
  settings.setValue(QStringLiteral("lastOpenDir"), QFileInfo(path).absolutePath());
  pinLog(path);
}

void MainWindow::removePin(int id) {
  if (dashboard_->pins().remove(id)) pinsChanged();
}

void MainWindow::removeAllPins() {
  if (dashboard_->pins().empty()) return;
  dashboard_->pins().clear();
  pinsChanged();
}

void MainWindow::updatePinsForNewSession(const std::shared_ptr<engine::Session>& old) {
  PinnedRuns& pins = dashboard_->pins();
  const bool wasReset = resetPending_;
  resetPending_ = false;
  if (!wasReset) {
    // Another document (an experiment, an example, a recovered autosave): its attempts are not
    // this one's. An Apply that restarts the same document keeps them.
    if (pendingSource_ && pins.removeKind(PinnedRun::Kind::PreviousAttempt) > 0) rebuildRemovePinMenu();
    return;
  }
  if (!old || !keepsPreviousAttempt()) return;
  // The old session is gone from the worker: its store no longer grows.
  const std::shared_ptr<const engine::MetricsStore> store = old->metrics();
  pins.removeKind(PinnedRun::Kind::PreviousAttempt);
  for (int r = 0; r < store->runCount(); ++r) {
    if (store->status(r).removed || store->stepCount(r) == 0) continue;
    pins.add(PinnedRun::Kind::PreviousAttempt, store, r, tr("previous attempt"),
             tr("the attempt before the reset, %1 steps").arg(store->stepCount(r)));
  }
  rebuildRemovePinMenu();
}

void MainWindow::rebuildRemovePinMenu() {
  if (!removePinMenu_) return;
  removePinMenu_->clear();
  for (const PinnedRun& p : dashboard_->pins().list())
    removePinMenu_->addAction(p.label(), this, [this, id = p.id] { removePin(id); })->setStatusTip(p.source);
  removePinMenu_->setEnabled(!dashboard_->pins().empty());
}

}  // namespace larslab::ui
