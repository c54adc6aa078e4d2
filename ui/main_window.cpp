#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QUrl>
#include <algorithm>
#include <cstdlib>
#include <exception>

#include "apply_plan.h"
#include "builtin_experiments.h"
#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "experiment_panel.h"
#include "help_dialog.h"
#include "hyperparameter_control.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "transport_bar.h"
#include "tuning_panel.h"

namespace larslab::ui {

namespace {

constexpr int kRefreshMs = 33;  // ~30 Hz
constexpr int kMaxRecent = 8;

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString specErrorText(const engine::SpecError& e) {
  QString text = QObject::tr("%1 has %n problem(s):", nullptr, static_cast<int>(e.issues().size()))
                     .arg(qs(e.file()));
  for (const auto& issue : e.issues()) text += QStringLiteral("\n• ") + qs(issue.path) + QStringLiteral(": ") + qs(issue.message);
  if (e.issues().empty()) text = QString::fromUtf8(e.what());
  return text;
}

bool isLogPath(const QString& path) {
  const QFileInfo fi(path);
  return fi.isDir() || fi.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0;
}

}  // namespace

MainWindow::MainWindow(int threads, QWidget* parent) : QMainWindow(parent) {
  initUiResources();
  clock_.start();
  setObjectName(QStringLiteral("MainWindow"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/larslab.svg")));
  setAcceptDrops(true);
  setDockNestingEnabled(true);

  // Worker thread and controller.
  controller_ = new SessionController(threads);
  controller_->moveToThread(&worker_);
  connect(&worker_, &QThread::finished, controller_, &QObject::deleteLater);
  worker_.setObjectName(QStringLiteral("larslab-training"));
  worker_.start();
  connect(controller_, &SessionController::sessionChanged, this, &MainWindow::onSessionChanged);
  connect(controller_, &SessionController::stateChanged, this, &MainWindow::onStateChanged);
  connect(controller_, &SessionController::loadFailed, this, [this](const QString& message) {
    // The running session (if any) goes on. The experiment that failed stays in the panel as
    // pending edits, so the user can fix the field (a data path, say) and press Apply.
    if (session_) panel_->setBaseline(session_->currentSpec(), /*keepDraft=*/true);
    updateTitle();
    reportError(tr("Could not start the experiment"), message);
  });

  // Centre: charts over the inspector.
  dashboard_ = new Dashboard(&colors_, this);
  inspector_ = new TensorInspector(this);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(dashboard_);
  split->addWidget(inspector_);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  split->setSizes({800, 150});
  split->setChildrenCollapsible(true);
  setCentralWidget(split);

  transport_ = new TransportBar(this);
  auto* toolbar = addToolBar(tr("Transport"));
  toolbar->setObjectName(QStringLiteral("transportToolbar"));
  toolbar->setMovable(false);
  toolbar->addWidget(transport_);

  buildDocks();
  buildMenus();

  connect(transport_, &TransportBar::playPauseClicked, this, &MainWindow::playPause);
  connect(transport_, &TransportBar::stepClicked, this, &MainWindow::stepOnce);
  connect(transport_, &TransportBar::stepNClicked, this, &MainWindow::stepN);
  connect(transport_, &TransportBar::resetClicked, this, &MainWindow::reset);
  connect(transport_, &TransportBar::speedChanged, this, [this](double v) {
    QMetaObject::invokeMethod(controller_, [c = controller_, v] { c->setSpeed(v); }, Qt::QueuedConnection);
  });
  connect(dashboard_, &Dashboard::selectedRunChanged, this, &MainWindow::setSelectedRun);
  connect(tuning_, &TuningPanel::selectedRunChanged, this, &MainWindow::setSelectedRun);
  connect(status_, &StatusPanel::runActivated, this, &MainWindow::setSelectedRun);
  connect(panel_, &ExperimentPanel::selectedRunChanged, this, [this](const QString& run) {
    if (dashboard_->runNames().contains(run)) setSelectedRun(run);
  });
  connect(panel_, &ExperimentPanel::applyRequested, this, &MainWindow::onApplyRequested);
  connect(panel_, &ExperimentPanel::dirtyChanged, this, [this] { updateTitle(); });
  connect(tuning_, &TuningPanel::hyperparameterEdited, this, &MainWindow::onHyperparameterEdited);

  refreshTimer_.setInterval(kRefreshMs);
  connect(&refreshTimer_, &QTimer::timeout, this, &MainWindow::timedRefresh);
  refreshTimer_.start();

  statusBar()->showMessage(tr("Welcome to LARS Lab. Space plays or pauses, S steps, R resets; F1 explains LARS and every chart."));
  resize(1600, 1000);
  updateTitle();
}

MainWindow::~MainWindow() {
  refreshTimer_.stop();
  // Stop training and drop the session on its own thread before the thread ends.
  QMetaObject::invokeMethod(controller_, [c = controller_] { c->stop(); }, Qt::BlockingQueuedConnection);
  session_.reset();
  worker_.quit();
  worker_.wait();
}

void MainWindow::buildDocks() {
  panel_ = new ExperimentPanel(&colors_, this);
  panelDock_ = new QDockWidget(tr("Experiment"), this);
  panelDock_->setObjectName(QStringLiteral("experimentDock"));
  panelDock_->setWidget(panel_);
  panelDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                          QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::LeftDockWidgetArea, panelDock_);

  tuning_ = new TuningPanel(&colors_, this);
  tuningDock_ = new QDockWidget(tr("Live tuning"), this);
  tuningDock_->setObjectName(QStringLiteral("tuningDock"));
  tuningDock_->setWidget(tuning_);
  addDockWidget(Qt::RightDockWidgetArea, tuningDock_);

  status_ = new StatusPanel(&colors_, this);
  statusDock_ = new QDockWidget(tr("Runs and events"), this);
  statusDock_->setObjectName(QStringLiteral("statusDock"));
  statusDock_->setWidget(status_);
  addDockWidget(Qt::RightDockWidgetArea, statusDock_);
  splitDockWidget(tuningDock_, statusDock_, Qt::Vertical);
  resizeDocks({tuningDock_, statusDock_}, {440, 440}, Qt::Vertical);
  // Wide enough for the forms without a horizontal scroll bar; the charts get the rest.
  panel_->setMinimumWidth(362);
  tuning_->setMinimumWidth(290);
  status_->setMinimumWidth(290);
  resizeDocks({panelDock_, tuningDock_}, {362, 300}, Qt::Horizontal);
}

void MainWindow::buildMenus() {
  // File.
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* openAction = file->addAction(tr("&Open…"), this, &MainWindow::open);
  openAction->setShortcut(QKeySequence::Open);
  openAction->setToolTip(tr("Open an experiment (.json) or a metrics log (.csv) written by the CLI or the PyTorch script."));
  QMenu* examples = file->addMenu(tr("Open &example"));
  for (const BuiltinExperiment& e : builtinExperiments()) {
    QAction* a = examples->addAction(e.title, this, [this, path = e.resourcePath] { openBuiltin(path); });
    a->setToolTip(e.description);
    a->setStatusTip(e.description);
  }
  examples->setToolTipsVisible(true);
  recentMenu_ = file->addMenu(tr("Open &recent"));
  rebuildRecentMenu();
  file->addSeparator();
  QAction* saveAction = file->addAction(tr("&Save experiment"), this, &MainWindow::save);
  saveAction->setShortcut(QKeySequence::Save);
  saveAction->setStatusTip(tr("Save the running experiment with its tuned hyperparameters."));
  QAction* saveAsAction = file->addAction(tr("Save experiment &as…"), this, &MainWindow::saveAs);
  saveAsAction->setShortcut(QKeySequence::SaveAs);
  file->addSeparator();
  QAction* exportAction = file->addAction(tr("&Export metrics as CSV…"), this, &MainWindow::exportMetrics);
  exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  exportAction->setStatusTip(tr("Write run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv (same format as larslab-cli)."));
  QMenu* chartMenu = file->addMenu(tr("Export &chart"));
  for (int i = 0; i < Dashboard::kChartCount; ++i) {
    const auto id = static_cast<Dashboard::ChartId>(i);
    chartMenu->addAction(Dashboard::chartName(id) + tr("…"), this, [this, id] { exportChartInteractive(id); });
  }
  file->addSeparator();
  closeLogAction_ = file->addAction(tr("&Close log, back to training"), this, &MainWindow::closeLog);
  closeLogAction_->setEnabled(false);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  // Training.
  QMenu* training = menuBar()->addMenu(tr("&Training"));
  QAction* play = training->addAction(tr("&Play / pause"), this, &MainWindow::playPause);
  play->setShortcut(QKeySequence(Qt::Key_Space));
  QAction* step = training->addAction(tr("&Step"), this, &MainWindow::stepOnce);
  step->setShortcut(QKeySequence(Qt::Key_S));
  QAction* stepMany = training->addAction(tr("Step ×N"), this, [this] { stepN(transport_->stepCount()->value()); });
  stepMany->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_S));
  QAction* resetAction = training->addAction(tr("&Reset"), this, &MainWindow::reset);
  resetAction->setShortcut(QKeySequence(Qt::Key_R));
  for (QAction* a : {play, step, stepMany, resetAction}) a->setShortcutContext(Qt::WindowShortcut);
  addActions({play, step, stepMany, resetAction});

  // View.
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(panelDock_->toggleViewAction());
  view->addAction(tuningDock_->toggleViewAction());
  view->addAction(statusDock_->toggleViewAction());
  view->addSeparator();
  QAction* resetZoom = view->addAction(tr("Reset &zoom"), dashboard_, &Dashboard::resetZoom);
  resetZoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));

  // Help.
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* lars = help->addAction(tr("How &LARS works"), this, [this] { showHelp(tr("LARS")); });
  lars->setShortcut(QKeySequence::HelpContents);
  help->addAction(tr("What the &metrics mean"), this, [this] { showHelp(tr("Metrics")); });
  for (const BuiltinDoc& d : builtinDocs()) help->addAction(d.title, this, [this, t = d.title] { showHelp(t); });
  help->addAction(tr("&Keyboard and mouse"), this, [this] { showHelp(tr("Keyboard")); });
  help->addSeparator();
  help->addAction(tr("&About LARS Lab"), this, [this] {
    QMessageBox::about(this, tr("About LARS Lab"),
                       tr("<h3>LARS Lab %1</h3><p>Train small networks for real and watch, live, what LARS and other "
                          "optimizers do inside every layer.</p><p>LARS follows You, Gitman &amp; Ginsburg 2017 "
                          "(arXiv:1708.03888), Algorithm 1.</p>")
                           .arg(QApplication::applicationVersion()));
  });
}

// ---------------------------------------------------------------------------------------------
// Opening and sessions

void MainWindow::reportError(const QString& title, const QString& message) {
  lastError_ = message;
  statusBar()->showMessage(title + QStringLiteral(": ") + message.section(QLatin1Char('\n'), 0, 0), 15000);
  if (interactive_) {
    QMessageBox box(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box.exec();
  }
}

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
    if (!confirmDiscardEdits()) return false;
    if (isReadOnly()) closeLog();
    currentFile_.clear();
    sourceLabel_ = tr("built-in example");
    startSession(spec, autoplay, sourceLabel_);
    return true;
  } catch (const engine::SpecError& e) {
    reportError(tr("Invalid built-in experiment"), specErrorText(e));
  } catch (const std::exception& e) {
    reportError(tr("Invalid built-in experiment"), QString::fromUtf8(e.what()));
  }
  return false;
}

bool MainWindow::confirmDiscardEdits() {
  if (!interactive_ || !panel_->isDirty()) return true;
  return QMessageBox::question(this, tr("Unapplied edits"),
                               tr("The Experiment panel has edits that were not applied. Open the other "
                                  "experiment and discard them?"),
                               QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Discard;
}

bool MainWindow::openFile(const QString& path, bool autoplay) {
  if (isLogPath(path)) return openLog(path);
  return openExperiment(path, autoplay);
}

bool MainWindow::openExperiment(const QString& path, bool autoplay) {
  try {
    const engine::ExperimentSpec spec = engine::loadExperiment(QDir::toNativeSeparators(path).toStdString());
    if (!confirmDiscardEdits()) return false;
    if (isReadOnly()) closeLog();
    currentFile_ = QFileInfo(path).absoluteFilePath();
    sourceLabel_ = QFileInfo(path).fileName();
    addRecentFile(currentFile_);
    startSession(spec, autoplay, sourceLabel_);
    return true;
  } catch (const engine::SpecError& e) {
    reportError(tr("Cannot open experiment"), specErrorText(e));
  } catch (const std::exception& e) {
    reportError(tr("Cannot open experiment"), tr("%1: %2").arg(path, QString::fromUtf8(e.what())));
  }
  return false;
}

void MainWindow::startSession(const engine::ExperimentSpec& spec, bool autoplay, const QString& source, bool wait) {
  sourceLabel_ = source;
  panel_->setSpec(spec);
  updateTitle();
  const auto type = wait ? Qt::BlockingQueuedConnection : Qt::QueuedConnection;
  QMetaObject::invokeMethod(controller_, [c = controller_, spec, autoplay] { c->load(spec, autoplay); }, type);
  if (wait) QCoreApplication::processEvents();  // deliver sessionChanged
}

bool MainWindow::openLog(const QString& path) {
  try {
    QString target = path;
    const QFileInfo fi(path);
    // Any of the log's files selects the whole log.
    if (fi.isFile() && fi.fileName() != QLatin1String(engine::kRunMetricsFile)) target = fi.absolutePath();
    std::shared_ptr<engine::MetricsStore> store = engine::readMetricsLog(QDir::toNativeSeparators(target).toStdString());
    // Pause training while the log is shown; the session stays as it was.
    QMetaObject::invokeMethod(controller_, [c = controller_] { c->pause(); }, Qt::QueuedConnection);
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
    if (logStore_->runCount() > 0) setSelectedRun(qs(logStore_->runName(0)));
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

void MainWindow::onSessionChanged(std::shared_ptr<engine::Session> session) {
  session_ = std::move(session);
  rateStep_ = 0;
  rateTimeMs_ = clock_.elapsed();
  rate_ = -1.0;
  syncSpecFromSession();
  refreshNow();
}

void MainWindow::onStateChanged(SessionController::State state) {
  state_ = state;
  if (!isReadOnly()) transport_->setState(state);
  if (state == SessionController::State::Finished)
    statusBar()->showMessage(tr("Training finished. Reset (R) trains again from the same initial weights."), 10000);
}

void MainWindow::syncSpecFromSession() {
  specSyncPending_ = false;
  if (!session_) return;
  const engine::ExperimentSpec spec = session_->currentSpec();
  panel_->setBaseline(spec);
  tuning_->setRuns(spec.runs);
  if (selectedRun_.isEmpty() && !spec.runs.empty()) setSelectedRun(qs(spec.runs.front().name));
  tuning_->setSelectedRun(selectedRun_);
  syncTuningValues();
  updateTitle();
}

void MainWindow::syncTuningValues() {
  if (!session_ || selectedRun_.isEmpty()) return;
  std::vector<std::pair<std::string, double>> values;
  for (HyperparameterControl* c : tuning_->controls()) {
    try {
      values.emplace_back(c->spec().name, session_->appliedHyperparameter(selectedRun_.toStdString(), c->spec().name));
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

std::shared_ptr<const engine::MetricsStore> MainWindow::currentStore() const {
  if (logStore_) return logStore_;
  return session_ ? session_->metrics() : nullptr;
}

// ---------------------------------------------------------------------------------------------
// The GUI tick

void MainWindow::refreshNow() {
  const std::shared_ptr<const engine::MetricsStore> store = currentStore();
  if (store != shownStore_) {
    shownStore_ = store;
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
        if (e.kind == "set" || e.kind == "option" || e.kind == "added" || e.kind == "removed" || e.kind == "rejected")
          specSyncPending_ = true;
        if (e.kind == "diverged")
          statusBar()->showMessage(tr("%1: %2. The other runs keep training.").arg(qs(e.run), qs(e.detail)), 15000);
        if (e.kind == "rejected")
          statusBar()->showMessage(tr("Rejected: %1 %2").arg(qs(e.run), qs(e.detail)), 15000);
      }
    }
    if (specSyncPending_ && !isReadOnly()) syncSpecFromSession();
  }
  dashboard_->refresh();
  status_->refresh(store.get());
  inspector_->refresh(store, selectedRun_);

  // Tuning note for a run that no longer trains.
  if (store && !isReadOnly()) {
    const int r = store->runIndex(selectedRun_.toStdString());
    const engine::RunStatusInfo st = r >= 0 ? store->status(r) : engine::RunStatusInfo{};
    tuning_->setNote(st.diverged ? tr("<b style='color:#d62728'>%1 diverged at step %2: %3.</b> It no longer trains; "
                                      "Reset (R) restarts every run from the same initial weights.")
                                       .arg(selectedRun_.toHtmlEscaped())
                                       .arg(st.divergedAtStep)
                                       .arg(qs(st.reason).toHtmlEscaped())
                                 : QString());
  }

  // Transport: step, total and a steps/s estimate over ~0.5 s windows.
  if (isReadOnly()) {
    long steps = 0;
    for (int r = 0; r < store->runCount(); ++r) steps = std::max(steps, store->stepCount(r));
    transport_->setProgress(steps, 0, -1);
  } else if (session_) {
    const long step = session_->currentStep();
    const qint64 now = clock_.elapsed();
    if (now - rateTimeMs_ >= 500 || step < rateStep_) {
      if (step >= rateStep_ && now > rateTimeMs_)
        rate_ = static_cast<double>(step - rateStep_) * 1000.0 / static_cast<double>(now - rateTimeMs_);
      rateStep_ = step;
      rateTimeMs_ = now;
    }
    const bool playing = state_ == SessionController::State::Playing;
    transport_->setProgress(step, session_->totalSteps(), playing ? rate_ : -1.0);
  }
}

void MainWindow::timedRefresh() {
  // The GUI thread may spend at most about half its time on updating and repainting the charts,
  // so training (on the other cores) and input stay responsive: when a tick plus the repaint it
  // causes takes longer than half the interval, the interval grows (up to 4 Hz); it shrinks
  // back to ~30 Hz when ticks get cheap again.
  QElapsedTimer busy;
  busy.start();
  refreshNow();
  QTimer::singleShot(0, this, [this, busy] {
    const qint64 ms = busy.elapsed();  // the tick plus the paint events it queued
    lastTickMs_ = ms;
    const int wanted = std::clamp(static_cast<int>(2 * ms), kRefreshMs, 250);
    if (std::abs(wanted - refreshTimer_.interval()) > 4) refreshTimer_.setInterval(wanted);
  });
}

void MainWindow::syncWithWorker() {
  QMetaObject::invokeMethod(controller_, [] {}, Qt::BlockingQueuedConnection);
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
  QMetaObject::invokeMethod(controller_, [c = controller_] { c->togglePlay(); }, Qt::QueuedConnection);
}

void MainWindow::stepOnce() { stepN(1); }

void MainWindow::stepN(long n) {
  if (isReadOnly() || !session_) return;
  QMetaObject::invokeMethod(controller_, [c = controller_, n] { c->stepN(n); }, Qt::QueuedConnection);
}

void MainWindow::reset() {
  if (isReadOnly() || !session_) return;
  QMetaObject::invokeMethod(controller_, [c = controller_] { c->reset(); }, Qt::QueuedConnection);
  statusBar()->showMessage(tr("Reset: every run restarts from the same initial weights (tuned values kept)."), 5000);
}

// ---------------------------------------------------------------------------------------------
// Editing

void MainWindow::onHyperparameterEdited(const QString& run, const QString& name, double value) {
  if (!session_ || isReadOnly()) return;
  session_->setHyperparameter(run.toStdString(), name.toStdString(), value);
  if (state_ != SessionController::State::Playing)
    statusBar()->showMessage(tr("%1 of %2 set to %3; it acts at the next step.").arg(name, run).arg(value), 5000);
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
  if (!session_) {
    startSession(checked, true, sourceLabel_);
    return;
  }
  const ApplyPlan plan = planApply(session_->currentSpec(), draft);
  if (plan.empty()) return;
  if (plan.restart) {
    const bool autoplay = state_ == SessionController::State::Playing || state_ == SessionController::State::Finished;
    QMetaObject::invokeMethod(controller_, [c = controller_, checked, autoplay] { c->load(checked, autoplay); },
                              Qt::QueuedConnection);
    statusBar()->showMessage(tr("Restarting with the edited experiment: %1").arg(plan.restartReasons.join(QStringLiteral("; "))), 8000);
    return;
  }
  for (const LiveCommand& c : plan.commands) {
    switch (c.kind) {
      case LiveCommand::Kind::SetHyperparameter: session_->setHyperparameter(c.run, c.name, c.value); break;
      case LiveCommand::Kind::SetOption: session_->setOption(c.run, c.name, c.choice); break;
      case LiveCommand::Kind::AddRun: session_->requestAddRun(c.spec); break;
      case LiveCommand::Kind::RemoveRun: session_->requestRemoveRun(c.run); break;
    }
  }
  // Shown as applied at once; the engine's events confirm (or a "rejected" event reverts it).
  panel_->setBaseline(draft);
  statusBar()->showMessage(plan.summary() + (state_ == SessionController::State::Playing
                                                 ? QString()
                                                 : tr(" It takes effect at the next step.")),
                           8000);
}

// ---------------------------------------------------------------------------------------------
// Files

bool MainWindow::save() {
  if (isReadOnly()) return saveAs();
  if (currentFile_.isEmpty()) return saveAs();
  return saveExperimentTo(currentFile_);
}

bool MainWindow::saveAs() {
  if (!session_) return false;
  QString suggestion = currentFile_;
  if (suggestion.isEmpty())
    suggestion = QDir::home().filePath(qs(session_->currentSpec().name).replace(QLatin1Char(' '), QLatin1Char('_')) +
                                       QStringLiteral(".json"));
  const QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), suggestion,
                                                    tr("LARS Lab experiments (*.json)"));
  if (path.isEmpty()) return false;
  if (!saveExperimentTo(path)) return false;
  currentFile_ = QFileInfo(path).absoluteFilePath();
  sourceLabel_ = QFileInfo(path).fileName();
  addRecentFile(currentFile_);
  updateTitle();
  return true;
}

bool MainWindow::saveExperimentTo(const QString& path) {
  if (!session_) {
    reportError(tr("Nothing to save"), tr("No experiment is running."));
    return false;
  }
  // The running experiment with its tuned hyperparameters; name and description from the panel.
  engine::ExperimentSpec spec = session_->currentSpec();
  spec.name = panel_->draft().name.empty() ? spec.name : panel_->draft().name;
  spec.description = panel_->draft().description;
  try {
    engine::saveExperiment(spec, QDir::toNativeSeparators(path).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot save experiment"), tr("%1: %2").arg(path, QString::fromUtf8(e.what())));
    return false;
  }
  QString note = tr("Saved %1 (with the tuned hyperparameters).").arg(QDir::toNativeSeparators(path));
  if (panel_->isDirty()) note += tr(" Edits not applied yet in the Experiment panel are not in the file.");
  statusBar()->showMessage(note, 8000);
  return true;
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

void MainWindow::exportMetrics() {
  const auto store = currentStore();
  if (!store) return;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export metrics into directory"), QDir::homePath());
  if (dir.isEmpty()) return;
  exportMetricsTo(dir);
}

bool MainWindow::exportMetricsTo(const QString& directory) {
  const auto store = currentStore();
  if (!store) {
    reportError(tr("Nothing to export"), tr("No metrics recorded yet."));
    return false;
  }
  try {
    engine::exportMetricsCsv(*store, QDir::toNativeSeparators(directory).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot export metrics"), QString::fromUtf8(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Exported run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv to %1.")
                               .arg(QDir::toNativeSeparators(directory)),
                           8000);
  return true;
}

bool MainWindow::exportChartTo(Dashboard::ChartId id, const QString& path) {
  MetricChart* chart = dashboard_->chart(id);
  QString error;
  bool ok = false;
  if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
    ok = chart->exportSvg(path, QSize(), &error);
  } else {
    const qreal dpr = chart->devicePixelRatioF();
    const QSize px(qMax(640, qRound(chart->width() * dpr)), qMax(400, qRound(chart->height() * dpr)));
    ok = chart->exportPng(path, px, &error);
  }
  if (!ok) {
    reportError(tr("Cannot export chart"), tr("%1: %2").arg(path, error));
    return false;
  }
  statusBar()->showMessage(tr("Saved %1.").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

void MainWindow::exportChartInteractive(Dashboard::ChartId id) {
  const QString suggestion = QDir::home().filePath(Dashboard::chartFileStem(id) + QStringLiteral(".png"));
  const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), suggestion,
                                                    tr("PNG image (*.png);;SVG vector image (*.svg)"));
  if (!path.isEmpty()) exportChartTo(id, path);
}

QStringList MainWindow::recentFiles() const {
  return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
  QSettings settings;
  QStringList files = settings.value(QStringLiteral("recentFiles")).toStringList();
  files.removeAll(path);
  files.prepend(path);
  while (files.size() > kMaxRecent) files.removeLast();
  settings.setValue(QStringLiteral("recentFiles"), files);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  if (!recentMenu_) return;
  recentMenu_->clear();
  const QStringList files = recentFiles();
  for (const QString& f : files)
    recentMenu_->addAction(QFileInfo(f).fileName(), this, [this, f] { openFile(f); })->setStatusTip(f);
  if (files.isEmpty()) recentMenu_->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::showHelp(const QString& tab) {
  if (!help_) help_ = new HelpDialog(this);
  help_->showTab(tab);
  help_->show();
  help_->raise();
}

void MainWindow::updateTitle() {
  QString title;
  if (isReadOnly()) {
    title = tr("%1 (log, read-only) — LARS Lab").arg(QDir::toNativeSeparators(logPath_));
  } else {
    const QString name = qs(panel_->baseline().name);
    title = name.isEmpty() ? tr("LARS Lab") : name + QStringLiteral(" — LARS Lab");
    if (!sourceLabel_.isEmpty()) title += QStringLiteral(" [") + sourceLabel_ + QStringLiteral("]");
    if (panel_->isDirty()) title += tr(" (edits not applied)");
  }
  setWindowTitle(title);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (interactive_ && panel_->isDirty()) {
    const auto answer = QMessageBox::question(
        this, tr("Unapplied edits"),
        tr("The Experiment panel has edits that were not applied. Quit anyway and lose them?"),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Discard) {
      event->ignore();
      return;
    }
  }
  event->accept();
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

// ---------------------------------------------------------------------------------------------
// Screenshot

QImage MainWindow::renderAfterTraining(const engine::ExperimentSpec& spec, long steps, const QSize& size,
                                       const std::function<void()>& beforeRender) {
  interactive_ = false;
  refreshTimer_.stop();
  resize(size);
  show();
  startSession(spec, /*autoplay=*/false, sourceLabel_.isEmpty() ? tr("built-in example") : sourceLabel_, /*wait=*/true);
  QMetaObject::invokeMethod(controller_, [c = controller_, steps] { c->runStepsNow(steps); },
                            Qt::BlockingQueuedConnection);
  QCoreApplication::processEvents();
  refreshNow();
  if (beforeRender) beforeRender();
  return renderCurrent(size);
}

QImage MainWindow::renderCurrent(const QSize& size) {
  interactive_ = false;
  refreshTimer_.stop();
  resize(size);
  show();
  // Lay out, then refresh again: the reduction depends on the charts' final widths.
  for (int i = 0; i < 3; ++i) {
    QCoreApplication::processEvents();
    refreshNow();
  }
  QCoreApplication::processEvents();
  QImage image = grab().toImage();
  if (image.size() != size) image = image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  return image;
}

}  // namespace larslab::ui
