// MainWindow: the menu bar, its actions and shortcuts, and the recent-files list.
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>

#include "teaching_views.h"
#include "builtin_experiments.h"
#include "main_window.h"
#include "transport_bar.h"

namespace larslab::ui {

namespace {
constexpr int kMaxRecent = 8;
}  // namespace

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
  QMenu* lessons = file->addMenu(tr("&Lessons"));
  for (const BuiltinLesson& l : builtinLessons()) {
    QAction* a = lessons->addAction(l.title, this, [this, name = l.name] { openLessonNamed(name); });
    a->setToolTip(l.summary);
    a->setStatusTip(l.summary);
  }
  lessons->setToolTipsVisible(true);
  lessons->addSeparator();
  lessons->addAction(tr("Open a lesson &file…"), this, &MainWindow::open)
      ->setStatusTip(tr("A lesson file (.json with \"steps\"): File > Open… opens lessons too."));
  lessons->addSeparator();
  lessons->addAction(tr("&New lesson from this session…"), this, &MainWindow::newLessonInteractive)
      ->setStatusTip(tr("Instructor mode: the running experiment and what the window shows become step 1."));
  lessons->addAction(tr("&Add a step from the screen…"), this, &MainWindow::addLessonStepInteractive)
      ->setStatusTip(tr("The view, tensor, step and tuned values shown now become the lesson's next step; "
                        "it is then replayed as a student will see it."));
  lessons->addAction(tr("&Save lesson as…"), this, &MainWindow::saveLessonInteractive);
  file->addAction(tr("Open stu&dy…"), this, &MainWindow::openStudyInteractive)
      ->setStatusTip(tr("Show a study's results: a folder written by Training > Run study… or larslab-cli study."));
  recentMenu_ = file->addMenu(tr("Open &recent"));
  rebuildRecentMenu();
  file->addSeparator();
  QAction* saveAction = file->addAction(tr("&Save experiment"), this, &MainWindow::save);
  saveAction->setShortcut(QKeySequence::Save);
  saveAction->setStatusTip(tr("Save the running experiment with its tuned hyperparameters."));
  QAction* saveAsAction = file->addAction(tr("Save experiment &as…"), this, &MainWindow::saveAs);
  // QKeySequence::SaveAs is empty outside GNOME and KDE: name the keys.
  saveAsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
  file->addSeparator();
  QAction* exportAction = file->addAction(tr("&Export metrics as CSV…"), this, &MainWindow::exportMetrics);
  exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  exportAction->setStatusTip(tr("Write run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv (same format as larslab-cli)."));
  QMenu* chartMenu = file->addMenu(tr("Export &chart"));
  for (int i = 0; i < Dashboard::kChartCount; ++i) {
    const Dashboard::ChartId id{i};
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
  QAction* resetAction = training->addAction(tr("&Reset, keep tuned values"), this, &MainWindow::reset);
  resetAction->setShortcut(QKeySequence(Qt::Key_R));
  resetAction->setStatusTip(tr("Every run restarts from the same initial weights with the values it has now."));
  QAction* resetFile = training->addAction(tr("Reset to the &file's values"), this, &MainWindow::resetToFile);
  resetFile->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_R));
  resetFile->setStatusTip(tr("Every run restarts from the same initial weights with the values of the file "
                             "(asks before discarding tuned values)."));
  keepPreviousAction_ = training->addAction(tr("&Keep the previous attempt on reset"));
  keepPreviousAction_->setCheckable(true);
  keepPreviousAction_->setChecked(keepsPreviousAttempt());
  keepPreviousAction_->setStatusTip(tr("Reset and Reset to the file's values keep every run of the attempt they end as a "
                                       "dimmed \"previous attempt\" in every chart."));
  connect(keepPreviousAction_, &QAction::toggled, this, &MainWindow::setKeepPreviousAttempt);
  training->addSeparator();
  QAction* pin = training->addAction(tr("&Pin the selected run"), this, [this] { pinRun(selectedRun_); });
  pin->setShortcut(QKeySequence(Qt::Key_P));
  pin->setStatusTip(tr("Keep a dimmed read-only copy of the selected run, as it is now, in every chart."));
  training->addAction(tr("Pin a metric &log from disk…"), this, &MainWindow::pinLogInteractive)
      ->setStatusTip(tr("Show every run of a CSV log (larslab-cli or an exported PyTorch script) next to the live runs."));
  removePinMenu_ = training->addMenu(tr("Remove a pi&n"));
  training->addAction(tr("Remove &all pins"), this, &MainWindow::removeAllPins);
  rebuildRemovePinMenu();
  training->addSeparator();
  training->addAction(tr("Ran&ge test…"), this, &MainWindow::openRangeTest)
      ->setStatusTip(tr("Grow the learning rate or η of a run step by step and see where the loss falls "
                        "fastest and where it blows up."));
  training->addAction(tr("Run stud&y…"), this, &MainWindow::runStudyInteractive)
      ->setStatusTip(tr("Train every run at several batch sizes (or over a grid of two hyperparameters) and "
                        "seeds, in the background, and compare the results."));
  for (QAction* a : {play, step, stepMany, resetAction, resetFile, pin}) a->setShortcutContext(Qt::WindowShortcut);
  addActions({play, step, stepMany, resetAction, resetFile, pin});

  // View.
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(panelDock_->toggleViewAction());
  view->addAction(tuningDock_->toggleViewAction());
  view->addAction(statusDock_->toggleViewAction());
  view->addSeparator();
  // The central tabs: the charts (Alt+1), then the teaching views in table order (Alt+2...).
  QStringList viewIds{QString()};
  QStringList viewTitles{tr("Charts")};
  for (const TeachingViewInfo& v : teachingViews()) {
    viewIds.append(QLatin1String(v.id));
    viewTitles.append(tr(v.title));
  }
  for (qsizetype i = 0; i < viewIds.size(); ++i) {
    QAction* a = view->addAction(viewTitles[i], this, [this, id = viewIds[i]] { showView(id); });
    if (i < 9) a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
    a->setShortcutContext(Qt::WindowShortcut);
    addAction(a);
  }
  view->addSeparator();
  QAction* resetZoom = view->addAction(tr("Reset &zoom"), dashboard_, &Dashboard::resetZoom);
  resetZoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  buildScrubActions(view);
  view->addSeparator();
  QAction* fullScreen = view->addAction(tr("&Full screen"), this, &MainWindow::toggleFullScreen);
  fullScreen->setShortcuts({QKeySequence(Qt::Key_F11), QKeySequence::FullScreen});
  fullScreen->setShortcutContext(Qt::WindowShortcut);
  addAction(fullScreen);
  QAction* maximize = view->addAction(tr("&Maximise chart"), this,
                                      [this] { toggleChartMaximized(dashboard_->currentChart()); });
  maximize->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
  maximize->setShortcutContext(Qt::WindowShortcut);
  maximize->setStatusTip(tr("The chart with the focus (or under the mouse) fills the window; again, or Esc, returns."));
  addAction(maximize);
  // Esc restores a maximised chart, then leaves full screen; enabled only then (updateEscapeAction).
  escapeAction_ = new QAction(this);
  escapeAction_->setShortcut(QKeySequence(Qt::Key_Escape));
  escapeAction_->setEnabled(false);
  connect(escapeAction_, &QAction::triggered, this, &MainWindow::escape);
  addAction(escapeAction_);
  view->addSeparator();
  QAction* larger = view->addAction(tr("&Larger text"), this, &MainWindow::largerText);
  // Ctrl+= too: on most keyboards "+" needs Shift.
  larger->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
  larger->setStatusTip(tr("Presentation text size of charts, tables and the tuning panel: one step larger (up to 200%)."));
  QAction* smaller = view->addAction(tr("S&maller text"), this, &MainWindow::smallerText);
  smaller->setShortcuts({QKeySequence::ZoomOut, QKeySequence(Qt::CTRL | Qt::Key_Minus)});
  smaller->setStatusTip(tr("One step smaller (down to 80%)."));
  // Ctrl+0 is Reset zoom.
  QAction* normal = view->addAction(tr("&Normal text size"), this, &MainWindow::normalText);
  normal->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_0));
  for (QAction* a : {larger, smaller, normal}) {
    a->setShortcutContext(Qt::WindowShortcut);
    addAction(a);
  }
  view->addSeparator();
  view->addAction(tr("Reset &layout"), this, &MainWindow::resetLayout)
      ->setStatusTip(tr("Show every dock again, arranged for the window's size, and forget the saved layout and "
                        "view choices (smoothing, log scale, x unit, tensor view, text size)."));

  // Help.
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  // F1 explains what is in front: LARS with the charts, the views with a teaching view.
  QAction* lars = help->addAction(tr("How &LARS works"), this,
                                  [this] { showHelp(currentView().isEmpty() ? tr("LARS") : tr("Views")); });
  lars->setShortcut(QKeySequence::HelpContents);
  help->addAction(tr("What the &metrics mean"), this, [this] { showHelp(tr("Metrics")); });
  help->addAction(tr("The &views"), this, [this] { showHelp(tr("Views")); });
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

}  // namespace larslab::ui
