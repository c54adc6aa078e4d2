// MainWindow: the session's lifecycle and everything the window asks of it. Transport, load and
// reset are SessionController requests; live edits are engine commands submitted to the session.
#include <QCoreApplication>
#include <QStatusBar>
#include <exception>

#include "apply_plan.h"
#include "experiment_panel.h"
#include "hyperparameter_control.h"
#include "main_window.h"
#include "transport_bar.h"

namespace larslab::ui {


void MainWindow::startSession(const engine::ExperimentSpec& spec, bool autoplay, std::optional<DocumentSource> source,
                              bool wait) {
  if (source) {
    pendingSource_ = std::move(source);
    pendingSpec_ = spec;
  }
  panel_->setSpec(spec);
  updateTitle();
  controller_->post(SessionController::Load{spec, autoplay},
                    wait ? SessionController::Delivery::Wait : SessionController::Delivery::Queued);
  if (wait) QCoreApplication::processEvents();  // deliver sessionChanged
}

void MainWindow::onSessionChanged(std::shared_ptr<engine::Session> session) {
  updatePinsForNewSession(session_);  // before the pending document is adopted
  session_ = std::move(session);
  rateStep_ = 0;
  rateTimeMs_ = clock_.elapsed();
  rate_ = -1.0;
  adoptPendingDocument();
  syncFromExperimentRecord();
  if (pendingDraft_) {
    panel_->setDraft(*pendingDraft_);
    pendingDraft_.reset();
  }
  documentChanged();
  refreshNow();
}

void MainWindow::onStateChanged(SessionController::State state) {
  state_ = state;
  if (!isReadOnly()) transport_->setState(state);
  if (state == SessionController::State::Finished)
    statusBar()->showMessage(tr("Training finished. Reset (R) trains again from the same initial weights."), 10000);
}

void MainWindow::onLoadFailed(const QString& message) {
  // The running session (if any) goes on, and stays the document: title and Save are its. The
  // experiment that failed stays in the panel as a draft, marked as not running, so the user
  // can fix the field (a data path, say) and press Apply.
  const QString failed = pendingSource_ ? pendingSource_->label : tr("the edited experiment");
  resetPending_ = false;  // the attempt goes on
  pendingSource_.reset();
  pendingSpec_.reset();
  pendingDraft_.reset();
  if (const auto running = runningExperiment()) {
    panel_->setBaseline(*running, /*keepDraft=*/true);
    panel_->setDraftNotice(tr("Not running: %1 could not start (%2). The charts, the title and Save are the "
                              "running experiment's. Fix the draft and Apply, or Revert.")
                               .arg(failed, message.section(QLatin1Char('\n'), 0, 0)));
  }
  documentChanged();
  reportError(tr("Could not start the experiment"), message);
}

void MainWindow::syncWithWorker() {
  controller_->sync();
  QCoreApplication::processEvents();
}

// ---------------------------------------------------------------------------------------------
// Transport

void MainWindow::playPause() {
  if (isReadOnly() || !session_) return;
  if (state_ == SessionController::State::Finished) {
    statusBar()->showMessage(tr("Training has finished; Reset (R) trains again."), 5000);
    return;
  }
  controller_->post(SessionController::TogglePlay{});
}

void MainWindow::stepOnce() { stepN(1); }

void MainWindow::stepN(long n) {
  if (isReadOnly() || !session_) return;
  controller_->post(SessionController::Step{n});
}

void MainWindow::reset() {
  // Keeps every tuned value and edit: nothing of the document is lost, only the curves.
  if (isReadOnly() || !session_) return;
  resetPending_ = true;
  controller_->post(SessionController::Reset{});
  statusBar()->showMessage(tr("Reset: every run restarts from the same initial weights (tuned values kept)."), 5000);
}

// ---------------------------------------------------------------------------------------------
// Live edits

void MainWindow::onHyperparameterEdited(const QString& run, const QString& name, double value) {
  if (!session_ || isReadOnly()) return;
  session_->submit(engine::SetHyperparameter{run.toStdString(), name.toStdString(), value});
  if (state_ != SessionController::State::Playing)
    statusBar()->showMessage(tr("%1 of %2 set to %3; it acts at the next step.").arg(name, run, formatHyperparameter(value)), 5000);
}

void MainWindow::onApplyRequested(const engine::ExperimentSpec& draft) {
  if (isReadOnly()) return;
  // Validate exactly as a file would be, so the messages name the field.
  engine::ExperimentSpec checked;
  try {
    checked = engine::parseExperiment(engine::experimentToJson(draft), "experiment panel");
  } catch (const engine::SpecError& e) {
    reportError(tr("The edited experiment is not valid"), specErrorText(e));
    return;
  } catch (const std::exception& e) {
    reportError(tr("The edited experiment is not valid"), QString::fromUtf8(e.what()));
    return;
  }
  checked.dataset.baseDir = draft.dataset.baseDir;  // not in the JSON: relative paths stay the file's
  // Before a restart, the data too, every problem at once (as larslab-cli validate).
  const auto dataIsValid = [this, &checked] {
    const std::vector<engine::SpecIssue> issues = engine::checkExperimentData(checked);
    if (issues.empty()) return true;
    reportError(tr("The edited experiment's data has problems"),
                specErrorText(engine::SpecError("experiment panel", issues)));
    return false;
  };
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  if (!running) {
    if (dataIsValid()) startSession(checked, true, std::nullopt);
    return;
  }
  ApplyPlan plan = planApply(*running, draft);
  if (plan.empty()) return;
  if (plan.restart && !dataIsValid()) return;
  if (plan.restart) {
    const bool autoplay = state_ == SessionController::State::Playing || state_ == SessionController::State::Finished;
    controller_->post(SessionController::Load{checked, autoplay});
    statusBar()->showMessage(tr("Restarting with the edited experiment: %1").arg(plan.restartReasons.join(QStringLiteral("; "))), 8000);
    return;
  }
  const QString summary = plan.summary();
  for (engine::Command& c : plan.commands) session_->submit(std::move(c));
  // Shown as applied at once; the store's next experiment record confirms it (or, after a
  // rejected command, reverts it).
  panel_->setBaseline(draft);
  statusBar()->showMessage(summary + (state_ == SessionController::State::Playing
                                                 ? QString()
                                                 : tr(" It takes effect at the next step.")),
                           8000);
}

}  // namespace larslab::ui
