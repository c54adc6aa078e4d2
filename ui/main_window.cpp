#include "main_window.h"

#include <QCloseEvent>
#include <QScreen>
#include <algorithm>
#include <QDir>
#include <QDockWidget>
#include <QTabWidget>
#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>

#include "teaching_view.h"
#include "teaching_views.h"
#include "builtin_experiments.h"
#include "experiment_panel.h"
#include "help_dialog.h"
#include "range_test_dialog.h"
#include "study_window.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "transport_bar.h"
#include "tuning_panel.h"

namespace larslab::ui {

MainWindow::MainWindow(int threads, QWidget* parent) : QMainWindow(parent), threads_(threads) {
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
  connect(controller_, &SessionController::loadFailed, this, &MainWindow::onLoadFailed);

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
  // The charts, then one tab per teaching view (teaching_views.h), each of which an instructor
  // can put in front alone.
  viewTabs_ = new QTabWidget(this);
  viewTabs_->setObjectName(QStringLiteral("viewTabs"));
  viewTabs_->setDocumentMode(true);
  viewTabs_->addTab(split, tr("Charts"));
  viewTabs_->setTabToolTip(0, tr("Every metric of every run as a time series."));
  for (const TeachingViewInfo& info : teachingViews()) {
    TeachingView* view = info.create(viewTabs_, &colors_);
    view->setObjectName(QString::fromLatin1(info.id));
    teachingViews_.push_back(view);
    viewTabs_->addTab(view, tr(info.title));
    viewTabs_->setTabToolTip(viewTabs_->count() - 1, tr(info.help));
  }
  connect(viewTabs_, &QTabWidget::currentChanged, this, [this] { refreshNow(); });
  setCentralWidget(viewTabs_);

  transport_ = new TransportBar(this);
  auto* toolbar = addToolBar(tr("Transport"));
  toolbar->setObjectName(QStringLiteral("transportToolbar"));
  toolbar->setMovable(false);
  toolbar->addWidget(transport_);

  buildDocks();
  buildMenus();
  connectWidgets();

  autosave_ = std::make_unique<Autosave>();
  autosaveTimer_.setSingleShot(true);
  connect(&autosaveTimer_, &QTimer::timeout, this, &MainWindow::autosaveNow);

  refreshTimer_.setInterval(kRefreshMs);
  connect(&refreshTimer_, &QTimer::timeout, this, &MainWindow::timedRefresh);
  refreshTimer_.start();

  textScaleLabel_ = new QLabel(this);
  textScaleLabel_->setObjectName(QStringLiteral("textScaleLabel"));
  textScaleLabel_->setToolTip(tr("Presentation text size: Ctrl++ larger, Ctrl+- smaller, Ctrl+Alt+0 normal."));
  textScaleLabel_->hide();
  statusBar()->addPermanentWidget(textScaleLabel_);
  statusBar()->showMessage(tr("Welcome to LARS Lab. Space plays or pauses, S steps, R resets; F1 explains LARS and every chart."));
  // A laptop screen gets a window that fits it (the layout follows the width, see _layout.cpp).
  const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
  resize(std::min(1600, avail.width()), std::min(1000, avail.height()));
  updateTitle();
}

MainWindow::~MainWindow() {
  refreshTimer_.stop();
  // Stop training and drop the session on its own thread before the thread ends.
  controller_->post(SessionController::Stop{}, SessionController::Delivery::Wait);
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
  tuning_->setMinimumWidth(290);
  status_->setMinimumWidth(290);
  applyDockLayout(false);
  for (QDockWidget* d : {panelDock_, tuningDock_, statusDock_}) {
    connect(d, &QDockWidget::dockLocationChanged, this, &MainWindow::onDockMovedByUser);
    connect(d, &QDockWidget::topLevelChanged, this, &MainWindow::onDockMovedByUser);
  }
}

void MainWindow::connectWidgets() {
  connect(transport_, &TransportBar::playPauseClicked, this, &MainWindow::playPause);
  connect(transport_, &TransportBar::stepClicked, this, &MainWindow::stepOnce);
  connect(transport_, &TransportBar::stepNClicked, this, &MainWindow::stepN);
  connect(transport_, &TransportBar::resetClicked, this, &MainWindow::reset);
  connect(transport_, &TransportBar::speedChanged, this,
          [this](double v) { controller_->post(SessionController::SetSpeed{v}); });
  connect(dashboard_, &Dashboard::selectedRunChanged, this, &MainWindow::setSelectedRun);
  connect(dashboard_, &Dashboard::chartMaximizeRequested, this, &MainWindow::toggleChartMaximized);
  connect(tuning_, &TuningPanel::selectedRunChanged, this, &MainWindow::setSelectedRun);
  connect(status_, &StatusPanel::runActivated, this, &MainWindow::setSelectedRun);
  connect(status_, &StatusPanel::pinRunRequested, this, &MainWindow::pinRun);
  connect(status_, &StatusPanel::removePinRequested, this, &MainWindow::removePin);
  connect(status_, &StatusPanel::removeAllPinsRequested, this, &MainWindow::removeAllPins);
  connect(panel_, &ExperimentPanel::selectedRunChanged, this, [this](const QString& run) {
    if (dashboard_->runNames().contains(run)) setSelectedRun(run);
  });
  connect(panel_, &ExperimentPanel::applyRequested, this, &MainWindow::onApplyRequested);
  connect(panel_, &ExperimentPanel::dirtyChanged, this, [this] { documentChanged(); });
  connect(tuning_, &TuningPanel::hyperparameterEdited, this, &MainWindow::onHyperparameterEdited);
}

void MainWindow::reportError(const QString& title, const QString& message) {
  lastError_ = message;
  statusBar()->showMessage(title + QStringLiteral(": ") + message.section(QLatin1Char('\n'), 0, 0), 15000);
  if (interactive_) {
    QMessageBox box(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box.exec();
  }
}

QString MainWindow::specErrorText(const engine::SpecError& e) {
  QString text = tr("%1 has %n problem(s):", nullptr, static_cast<int>(e.issues().size()))
                     .arg(QString::fromStdString(e.file()));
  for (const auto& issue : e.issues())
    text += QStringLiteral("\n• ") + QString::fromStdString(issue.path) + QStringLiteral(": ") +
            QString::fromStdString(issue.message);
  if (e.issues().empty()) text = QString::fromUtf8(e.what());
  return text;
}

void MainWindow::updateTitle() {
  QString title;
  if (isReadOnly()) {
    title = tr("%1 (log, read-only) — LARS Lab").arg(QDir::toNativeSeparators(logPath_));
  } else {
    // The running experiment's name (the panel may hold a draft that is not running).
    const std::optional<engine::ExperimentSpec> running = runningExperiment();
    const QString name = running ? QString::fromStdString(running->name) : QString();
    title = name.isEmpty() ? QStringLiteral("LARS Lab") : name;
    if (!sourceLabel_.isEmpty()) title += QStringLiteral(" [") + sourceLabel_ + QStringLiteral("]");
    title += QStringLiteral("[*]");  // Qt shows "*" there while the document is modified
    if (panel_->isDirty()) title += tr(" (edits not applied)");
    if (!name.isEmpty()) title += QStringLiteral(" — LARS Lab");
  }
  setWindowTitle(title);
  setWindowModified(!isReadOnly() && isModified());
}

void MainWindow::showHelp(const QString& tab) {
  if (!help_) help_ = new HelpDialog(this);
  help_->showTab(tab);
  help_->show();
  help_->raise();
}

RangeTestDialog* MainWindow::openRangeTest() {
  const std::optional<engine::ExperimentSpec> spec = runningExperiment();
  if (!spec || spec->runs.empty() || isReadOnly()) {
    statusBar()->showMessage(tr("A range test needs a running experiment (open one first)."), 5000);
    return nullptr;
  }
  // A new dialog each time: it tests the experiment as it stands now.
  if (rangeTest_) rangeTest_->deleteLater();
  rangeTest_ = new RangeTestDialog(*spec, selectedRun_, threads_, this);
  rangeTest_->setAttribute(Qt::WA_DeleteOnClose);
  connect(rangeTest_, &RangeTestDialog::applyRequested, this, &MainWindow::onHyperparameterEdited);
  rangeTest_->show();
  rangeTest_->raise();
  return rangeTest_;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // A running study asks before it stops (it saves what finished); "no" keeps everything open.
  for (StudyWindow* study : studyWindows())
    if (study->running() && !study->close()) {
      event->ignore();
      return;
    }
  if (!maybeSave(tr("quit"))) {
    event->ignore();
    return;
  }
  // A clean quit: nothing to recover at the next start.
  if (autosave_) autosave_->discard();
  if (interactive_) {
    saveLayout();
    saveViewChoices();
  }
  event->accept();
}

}  // namespace larslab::ui
