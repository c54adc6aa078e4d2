// MainWindow: the GUI tick. Everything shown comes from a MetricsStore (the session's, or a log's
// when one is open): metrics, events, run status and the experiment record the panels follow.
#include <QStatusBar>
#include <QTimer>
#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "experiment_panel.h"
#include "hyperparameter_control.h"
#include "main_window.h"
#include "status_panel.h"
#include "teaching_view.h"
#include "tensor_inspector.h"
#include "transport_bar.h"
#include "tuning_panel.h"

namespace larslab::ui {

std::shared_ptr<const engine::MetricsStore> MainWindow::currentStore() const {
  if (logStore_) return logStore_;
  return session_ ? session_->metrics() : nullptr;
}

std::optional<engine::ExperimentSpec> MainWindow::runningExperiment() const {
  if (!session_) return std::nullopt;
  return session_->metrics()->experiment();
}

void MainWindow::syncFromExperimentRecord() {
  if (!session_) return;
  const auto store = session_->metrics();
  // Noted before reading: a record published meanwhile is picked up by the next tick.
  syncedStore_ = store;
  syncedRevision_ = store->experimentRevision();
  const std::optional<engine::ExperimentSpec> spec = store->experiment();
  if (!spec) return;
  panel_->setBaseline(*spec);
  tuning_->setRuns(spec->runs);
  if (selectedRun_.isEmpty() && !spec->runs.empty()) setSelectedRun(QString::fromStdString(spec->runs.front().name));
  tuning_->setSelectedRun(selectedRun_);
  syncTuningValues();
  documentChanged();
}

void MainWindow::syncTuningValues() {
  if (!session_ || selectedRun_.isEmpty()) return;
  const auto store = session_->metrics();
  std::vector<std::pair<std::string, double>> values;
  for (HyperparameterControl* c : tuning_->controls()) {
    try {
      values.emplace_back(c->spec().name, store->appliedHyperparameter(selectedRun_.toStdString(), c->spec().name));
    } catch (const std::exception&) {
      // The run is not in the session yet (added, applied at the next step).
    }
  }
  tuning_->showValues(values);
}

void MainWindow::setSelectedRun(const QString& run) {
  if (run.isEmpty() || run == selectedRun_) return;
  selectedRun_ = run;
  dashboard_->setSelectedRun(run);
  tuning_->setSelectedRun(run);
  panel_->selectRun(run);
  syncTuningValues();
  refreshNow();
}

void MainWindow::refreshNow() {
  const std::shared_ptr<const engine::MetricsStore> store = currentStore();
  if (store != shownStore_) {
    shownStore_ = store;
    cursor_.goLive();  // another session, a reset or a log: its steps are other steps
    eventCursor_ = 0;
    status_->clearEvents();
    dashboard_->setStore(store);
  }
  if (store) {
    if (store->eventCount() > eventCursor_) {
      const std::vector<engine::Event> events = store->events(eventCursor_);
      eventCursor_ += events.size();
      dashboard_->addEvents(events);
      status_->addEvents(events);
      for (const auto& e : events) {
        const QString run = QString::fromStdString(e.run);
        const QString detail = QString::fromStdString(e.detail);
        if (e.kind == engine::EventKind::Diverged)
          statusBar()->showMessage(tr("%1: %2. The other runs keep training.").arg(run, detail), 15000);
        if (e.kind == engine::EventKind::Rejected)
          statusBar()->showMessage(tr("Rejected: %1 %2").arg(run, detail), 15000);
      }
    }
    // The session republishes its experiment after every command batch (a rejected command
    // included, which reverts what the panel showed).
    if (session_ && !isReadOnly()) {
      const auto live = session_->metrics();
      if (live != syncedStore_ || live->experimentRevision() != syncedRevision_) syncFromExperimentRecord();
    }
  }
  // A session sizes its store to its planned length; a log's store has no plan.
  dashboard_->setPlannedSteps(store && !isReadOnly() ? store->capacity() : 0);
  dashboard_->refresh();
  showCursor();
  status_->refresh(store.get(), &dashboard_->pins(), cursor_.step());
  inspector_->refresh(store, selectedRun_, cursor_.step());
  // Only the teaching view in front is drawn: a hidden one costs nothing.
  const int tab = viewTabs_->currentIndex();
  if (tab >= 1 && tab <= static_cast<int>(teachingViews_.size())) {
    ViewContext context;
    context.store = store;
    if (!isReadOnly()) context.session = session_;
    context.run = selectedRun_;
    context.tensor = dashboard_->selectedTensor();
    context.step = cursor_.step();
    context.training = state_ == SessionController::State::Playing;
    teachingViews_[static_cast<std::size_t>(tab - 1)]->feed(context, clock_.elapsed());
  }

  // Tuning note for a run that no longer trains.
  if (store && !isReadOnly()) {
    const int r = store->runIndex(selectedRun_.toStdString());
    const engine::RunStatusInfo st = r >= 0 ? store->status(r) : engine::RunStatusInfo{};
    QString note;
    if (st.diverged)
      note = tr("<b style='color:#d62728'>%1 diverged at step %2: %3.</b> It no longer trains; "
                "Reset (R) restarts every run from the same initial weights.")
                 .arg(selectedRun_.toHtmlEscaped())
                 .arg(st.divergedAtStep)
                 .arg(QString::fromStdString(st.reason).toHtmlEscaped());
    else if (st.warning != engine::RunWarning::None)
      note = tr("<b style='color:#c05a00'>%1 %2.</b> %3 It keeps training; %4")
                 .arg(selectedRun_.toHtmlEscaped(),
                      QString::fromStdString(engine::warningPrefix(st.warning, st.warningAtStep)),
                      QString::fromStdString(st.warningDetail).section(QLatin1Char(':'), 1).trimmed().toHtmlEscaped() + QLatin1Char('.'),
                      st.warning == engine::RunWarning::BlowUp ? tr("a lower learning rate or trust coefficient usually tames it.")
                                                               : tr("a higher learning rate, or a different initialisation, may get it moving."));
    tuning_->setNote(note);
  }
  updateStepRate();
}

void MainWindow::updateStepRate() {
  // Transport: step, total and a steps/s estimate over ~0.5 s windows, all from the store: the
  // step is the furthest run's (the session's step: runs added later catch up to it), the total
  // the store's capacity, which a session sizes to its planned length.
  const auto store = currentStore();
  if (!store) return;
  long step = 0;
  for (int r = 0; r < store->runCount(); ++r) step = std::max(step, store->stepCount(r));
  if (isReadOnly()) {
    transport_->setProgress(step, 0, -1);
  } else {
    const qint64 now = clock_.elapsed();
    if (now - rateTimeMs_ >= 500 || step < rateStep_) {
      if (step >= rateStep_ && now > rateTimeMs_)
        rate_ = static_cast<double>(step - rateStep_) * 1000.0 / static_cast<double>(now - rateTimeMs_);
      rateStep_ = step;
      rateTimeMs_ = now;
    }
    const bool playing = state_ == SessionController::State::Playing;
    transport_->setProgress(step, store->capacity(), playing ? rate_ : -1.0);
  }
}

namespace {
// CPU time of the calling thread: what the GUI thread takes from the training threads. Wall
// time would also count the time it waits for a core the training threads hold.
double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}
}  // namespace

void MainWindow::timedRefresh() {
  // The session trains on one thread per core by default, so every millisecond the GUI thread
  // spends on the charts is taken from training (measured: the app's steps/s drop about as much
  // as the GUI thread's share of a core). While training, ticks are spaced so that updating and
  // repainting take at most kTrainingGuiShare of a core; otherwise (paused, a log) at most half,
  // for the smoothest scrubbing. The interval stays between ~30 Hz and 4 Hz; the cost is a moving
  // average, so one expensive tick (a full rescan) does not slow the next ones.
  const double cpuStart = threadCpuMs();
  refreshNow();
  QTimer::singleShot(0, this, [this, cpuStart] {
    const double ms = threadCpuMs() - cpuStart;  // the tick plus the paint events it queued
    tickCpuMs_ = tickCpuMs_ < 0 ? ms : 0.7 * tickCpuMs_ + 0.3 * ms;
    const double share = state_ == SessionController::State::Playing ? kTrainingGuiShare : 0.5;
    const int wanted = std::clamp(static_cast<int>(tickCpuMs_ / share), kRefreshMs, kSlowestRefreshMs);
    if (std::abs(wanted - refreshTimer_.interval()) > 4) refreshTimer_.setInterval(wanted);
  });
}

bool MainWindow::showView(const QString& id) {
  if (id.isEmpty()) {
    viewTabs_->setCurrentIndex(0);
    return true;
  }
  TeachingView* view = teachingView(id);
  if (view == nullptr) return false;
  viewTabs_->setCurrentWidget(view);
  return true;
}

QString MainWindow::currentView() const {
  const int tab = viewTabs_->currentIndex();
  return tab >= 1 && tab <= static_cast<int>(teachingViews_.size()) ? teachingViews_[static_cast<std::size_t>(tab - 1)]->objectName()
                                                                     : QString();
}

TeachingView* MainWindow::teachingView(const QString& id) const {
  for (TeachingView* v : teachingViews_)
    if (v->objectName() == id) return v;
  return nullptr;
}

}  // namespace larslab::ui
