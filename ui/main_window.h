#pragma once
// The LARS Lab main window: experiment panel (left), charts (centre), tensor inspector (below
// the charts), live tuning and run status (right), transport bar (top).
//
// Training runs on a SessionController in a worker thread. The window polls the session's
// MetricsStore with a ~30 Hz timer and never handles a per-step signal; everything it shows about
// the session (metrics, events, the experiment as tuned, the values the optimizers hold) comes
// from that store. Transport, load and reset are SessionController requests; hyperparameter,
// option and run edits are engine commands submitted to the session; other experiment edits
// start a new session on Apply.
//
// One job per file:
//   main_window.cpp          the window: widgets, docks, wiring, title, errors
//   main_window_menus.cpp    menus, actions and the recent-files list
//   main_window_open.cpp     opening experiments, built-in examples and logs; drag and drop
//   main_window_document.cpp the document: what Save writes, the modified mark, "Save changes?",
//                            the autosave and its recovery after a crash
//   main_window_layout.cpp   docks for the window's size, full screen, layout kept across starts
//   main_window_save.cpp     saving the experiment, exporting metrics and charts
//   main_window_session.cpp  the session's lifecycle: start, transport, reset, live edits
//   main_window_pins.cpp     pinned runs: pin a run, a log from disk, the previous attempt on reset
//   main_window_refresh.cpp  the GUI tick: reading the store into the views
//   main_window_scrub.cpp    the step cursor: scrubbing, its keys, live mode
//   main_window_render.cpp   rendering the window to an image (--screenshot)
//   main_window_view.cpp     the lecture hall: a chart maximised, the presentation text scale,
//                            view choices remembered across starts

#include <QByteArray>
#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QThread>
#include <QTimer>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "autosave.h"
#include "dashboard.h"
#include "engine/command.h"
#include "engine/experiment.h"
#include "engine/lesson.h"
#include "engine/outside_paths.h"
#include "engine/study.h"
#include "engine/session.h"
#include "run_colors.h"
#include "session_controller.h"
#include "step_cursor.h"

class QAction;
class QDockWidget;
class QTabWidget;
class QLabel;
class QMenu;

namespace larslab::ui {

class ExperimentPanel;
class HelpDialog;
class RangeTestDialog;
class StudyWindow;
class LessonPanel;
class StatusPanel;
class TeachingView;
class TensorInspector;
class TransportBar;
class TuningPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(int threads = 0, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Errors go to a QMessageBox when interactive (the default), else only to lastError() and the
  // status bar: tests and --screenshot must never block on a dialog.
  void setInteractive(bool interactive) { interactive_ = interactive; }
  [[nodiscard]] QString lastError() const { return lastError_; }

  // Opening. Each returns false (after reporting the error) and keeps the current session and
  // the user's edits when the file is bad.
  bool openDefaultExperiment(bool autoplay = true);
  bool openBuiltin(const QString& resourcePath, bool autoplay = true);
  bool openFile(const QString& path, bool autoplay = true);  // .json experiment or CSV log
  bool openExperiment(const QString& path, bool autoplay = true);
  bool openLog(const QString& path);
  void closeLog();
  // Where an experiment comes from: the file Save writes to ("" for none: Save asks for one)
  // and the label in the title. It becomes the window's document only once its session has
  // started, so a file that fails to start never takes over the title or Save.
  struct DocumentSource {
    QString file;
    QString label;
    bool modified = false;  // a restored autosave: differs from any file until saved
  };
  // Starts a new session from `spec` (asynchronously unless `wait`). With a source it opens a
  // new document; without, it restarts the current one (an Apply that needs a new session).
  void startSession(const engine::ExperimentSpec& spec, bool autoplay, std::optional<DocumentSource> source,
                    bool wait = false);

  // The document: the running experiment as Save writes it. Modified when it differs from the
  // file it was opened from or last saved to (tuned values, added runs, applied edits), or when
  // the Experiment panel holds edits not applied yet.
  [[nodiscard]] bool isModified() const;
  enum class SaveAnswer { Save, Discard, Cancel };
  // Asked before anything discards a modified document. Interactive windows show a dialog;
  // non-interactive ones (tests, --screenshot) use this function (default: Discard).
  void setSaveChangesPrompt(std::function<SaveAnswer(const QString& question)> prompt) {
    saveChangesPrompt_ = std::move(prompt);
  }
  // True when nothing would be lost, or the user saved or chose to discard; false: cancelled.
  bool maybeSave(const QString& action);
  // Yes/no questions that guard a file: a file that names data outside its folder (before it is
  // opened), a file changed on disk since it was opened (before Save overwrites it). Interactive
  // windows show a dialog; non-interactive ones use this function (default: yes, with the
  // question printed to stderr).
  void setConfirmPrompt(std::function<bool(const QString& question)> prompt) { confirmPrompt_ = std::move(prompt); }
  // Where Save As writes: interactive windows ask with a file dialog; non-interactive ones use
  // this function (given the suggested path; empty: cancelled) or refuse with an error.
  void setSaveAsPrompt(std::function<QString(const QString& suggestion)> prompt) { saveAsPrompt_ = std::move(prompt); }
  // Autosave (crash safety): where this window's copy goes, written a moment after every change.
  void setAutosaveDirectory(const QString& directory);
  [[nodiscard]] Autosave* autosave() const { return autosave_.get(); }
  void autosaveNow();
  // Copies left by a crashed or killed window: offers the newest back (or restores it at once
  // when not interactive). True when one was restored.
  bool offerRecovery();

  // Pinned runs (main_window_pins.cpp): dimmed read-only copies drawn next to the live runs in
  // every chart and listed in the runs table; a view only, never saved, never "modified".
  // pinRun pins `run` of the store shown (the session's or the open log's) as it is now.
  bool pinRun(const QString& run);
  // Every run of a metric log (a directory or one of its CSV files); a bad log is reported,
  // naming the file and the problem, and changes nothing.
  bool pinLog(const QString& path);
  void removePin(int id);
  void removeAllPins();
  // Reset (R) and Reset to the file's values (Shift+R) pin every run of the attempt they end as
  // "previous attempt", replacing the one before (explicit pins stay). On by default,
  // remembered in QSettings. Opening another experiment or example drops the previous attempt
  // (it belongs to the document left) and keeps explicit and log pins.
  void setKeepPreviousAttempt(bool keep);
  [[nodiscard]] bool keepsPreviousAttempt() const;
  [[nodiscard]] const PinnedRuns& pins() const { return dashboard_->pins(); }

  // Saving and exporting (false + reported error on failure). saveExperimentTo makes `path`
  // the document's file (like Save As without the dialog).
  bool saveExperimentTo(const QString& path);
  bool exportMetricsTo(const QString& directory);
  // .png or .svg by extension; a PNG at the size and DPI last chosen (PngExportDialog).
  bool exportChartTo(Dashboard::ChartId id, const QString& path);

  // --screenshot: loads `spec` synchronously, trains `steps` steps on the worker (waiting), lays
  // the window out at `size` and returns what it shows.
  // `beforeRender` runs after training, before the last refreshes (view options).
  QImage renderAfterTraining(const engine::ExperimentSpec& spec, long steps, const QSize& size,
                             const std::function<void()>& beforeRender = {});
  // Lays the window out at `size` and returns what it shows now.
  QImage renderCurrent(const QSize& size);

  // One GUI tick (the timer calls it; tests may call it to avoid waiting).
  void refreshNow();
  // Blocks until the worker has handled every command queued before this call.
  void syncWithWorker();

  // Accessors for tests and tools.
  [[nodiscard]] SessionController* controller() const { return controller_; }
  [[nodiscard]] std::shared_ptr<engine::Session> session() const { return session_; }
  [[nodiscard]] Dashboard* dashboard() const { return dashboard_; }
  [[nodiscard]] ExperimentPanel* experimentPanel() const { return panel_; }
  [[nodiscard]] TuningPanel* tuningPanel() const { return tuning_; }
  [[nodiscard]] StatusPanel* statusPanel() const { return status_; }
  [[nodiscard]] TensorInspector* inspector() const { return inspector_; }
  [[nodiscard]] TransportBar* transportBar() const { return transport_; }
  [[nodiscard]] bool isReadOnly() const { return logStore_ != nullptr; }
  [[nodiscard]] QString selectedRun() const { return selectedRun_; }
  void setSelectedRun(const QString& run);
  [[nodiscard]] QString currentFile() const { return currentFile_; }
  [[nodiscard]] QStringList recentFiles() const;
  // Current GUI refresh interval (adapts to the cost of a tick) and the last tick's cost.
  [[nodiscard]] int refreshIntervalMs() const { return refreshTimer_.interval(); }

 public Q_SLOTS:
  void playPause();
  void stepOnce();
  void stepN(long n);
  void reset();          // every run from the same initial weights, tuned values kept
  void resetToFile();    // back to the values of the file (asks before discarding changes)
  bool save();
  bool saveAs();
  void open();
  void exportMetrics();
  void showHelp(const QString& tab = QString());
  // Training > Range test…: a range test of the selected run of the experiment as it stands;
  // its suggestion applies like a tuning-panel edit. Returns the dialog (owned by the window).
  RangeTestDialog* openRangeTest();

 public:  // not slots: moc would need StudyWindow complete
  // A finished study's folder in a study window (nullptr and lastError() when it cannot be read).
  StudyWindow* openStudy(const QString& dir);
  // Trains a study into `dir` in a new study window (nullptr and lastError() when it cannot start).
  StudyWindow* startStudy(const engine::StudySpec& spec, const QString& dir, int threads);
  // The study windows this window has open.
  [[nodiscard]] QList<StudyWindow*> studyWindows() const;

  // Lessons (main_window_lessons.cpp). A lesson opens its experiment (asking first when the
  // document is modified) and shows the lesson panel; each step is the experiment replayed from
  // its initial weights with the actions of the steps so far, then the step's view, tensor,
  // charts, text scale and hidden or locked controls. Opening anything else ends the lesson and
  // gives every control back.
  bool openLesson(const engine::LessonSpec& lesson);
  // A built-in lesson's name ("trust-coefficient") or a lesson file; reports a bad one.
  bool openLessonNamed(const QString& nameOrPath);
  bool goToLessonStep(int step);
  void closeLesson();
  [[nodiscard]] const std::optional<engine::LessonSpec>& lesson() const { return lesson_; }
  [[nodiscard]] LessonPanel* lessonPanel() const { return lessonPanel_; }
  // Instructor mode. stepFromScreen: what the window shows now as a step (the view, the tensor
  // when one is shown across runs, a non-normal text size, train to the current step, and a set
  // for every hyperparameter whose applied value differs from what the lesson gives it so far:
  // tuned values are set at the start of the step). newLesson starts a lesson of the running
  // experiment (as it stands) with `first` as step 1; addLessonStep appends one; both show the
  // new step as a student sees it (replayed). saveLessonTo writes the lesson file atomically.
  [[nodiscard]] engine::LessonStep stepFromScreen() const;
  bool newLesson(const QString& title, const engine::LessonStep& first);
  bool addLessonStep(const engine::LessonStep& step);
  bool saveLessonTo(const QString& path);
  void newLessonInteractive();     // File > Lessons > New lesson from this session…
  void addLessonStepInteractive();  // File > Lessons > Add a step from the screen…
  void saveLessonInteractive();     // File > Lessons > Save lesson as…
  // Whether a lesson hides or locks the control (lesson_vocabulary.h names).
  [[nodiscard]] bool lessonHides(const QString& control) const;
  [[nodiscard]] bool lessonLocks(const QString& control) const;

 public Q_SLOTS:
  void toggleFullScreen();
  void resetLayout();       // also the view choices (main_window_view.cpp)
  // One chart fills the window: the dashboard shows it alone, the docks and the inspector are
  // hidden; restoring brings back exactly the docks that were shown, where they were.
  void maximizeChart(larslab::ui::Dashboard::ChartId id);
  void restoreChart();
  void toggleChartMaximized(larslab::ui::Dashboard::ChartId id);
  void escape();            // Esc: a maximised chart is restored first, then full screen left
  // Presentation text scale of the charts, runs table, event log, inspector and tuning panel.
  void setTextScale(int percent);  // one of kTextScales (view_settings.h)
  void largerText();
  void smallerText();
  void normalText();

 public:
  // The step cursor (main_window_scrub.cpp): the step every chart, table and view shows; -1
  // while live (following the latest step). Moves are clamped to the steps recorded.
  [[nodiscard]] long cursorStep() const { return cursor_.step(); }
  [[nodiscard]] long latestStep() const;  // the furthest run's last recorded step (-1: none)
  void scrubTo(long step);
  void moveCursor(long delta);               // Alt+Left / Alt+Right
  void moveCursorByFraction(double fraction);  // Alt+Shift+Left / Right: 10% of the steps
  void returnToLive();                       // L
  // The teaching view `id` (teaching_views.h) in front, or the charts for an empty id; false for
  // an unknown id.
  bool showView(const QString& id);
  // The view in front: its id, empty for the charts.
  [[nodiscard]] QString currentView() const;
  [[nodiscard]] TeachingView* teachingView(const QString& id) const;
  // The layout the user left (geometry, docks) from QSettings; false when none was saved. Not
  // used by --screenshot, whose pictures must not depend on the last session.
  bool restoreLayout();
  void saveLayout() const;
  // Docks tabbed in one column (laptop widths) or beside the charts on both sides.
  [[nodiscard]] bool isCompactLayout() const { return compactLayout_; }
  // True until the user moves a dock: then their arrangement is kept at every size.
  [[nodiscard]] bool isAutomaticLayout() const { return autoLayout_; }
  [[nodiscard]] std::optional<Dashboard::ChartId> maximizedChart() const { return dashboard_->maximizedChart(); }
  [[nodiscard]] int textScale() const { return textScale_; }
  // View choices (smoothing, log scale, x unit, tensor mode and filter, text scale) kept across
  // starts in QSettings; like the layout, not used by --screenshot. The command line overrides.
  void saveViewChoices() const;
  void restoreViewChoices();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // main_window.cpp
  void buildDocks();
  void connectWidgets();
  void updateTitle();
  void reportError(const QString& title, const QString& message);
  bool confirm(const QString& title, const QString& question);
  // Shows what `file` reads outside its folder (engine/outside_paths.h); true to go on.
  bool confirmOutsidePaths(const QString& file, const std::vector<engine::OutsidePath>& paths);
  // The on-disk state of currentFile_ when it was opened or last saved, to notice another
  // program's change before Save overwrites it.
  void rememberFileStamp();
  [[nodiscard]] bool fileChangedOnDisk() const;
  static QString specErrorText(const engine::SpecError& e);
  // main_window_layout.cpp
  void applyDockLayout(bool compact);
  [[nodiscard]] bool wantsCompactLayout(int width) const;
  void fitLayoutTo(int width);  // the automatic layout for a window `width` px wide
  void onDockMovedByUser();
  void hideDocksForChart();       // a chart maximised: remembers the docks, then hides them
  void restoreDocksAfterChart();  // exactly as they were
  // main_window_view.cpp
  void updateEscapeAction();
  // main_window_menus.cpp
  void buildMenus();
  void addRecentFile(const QString& path);
  void rebuildRecentMenu();
  // main_window_document.cpp
  void adoptPendingDocument();
  void documentChanged();  // title, modified mark, autosave timer
  // main_window_save.cpp
  void exportChartInteractive(Dashboard::ChartId id);
  // main_window_session.cpp
  void onSessionChanged(std::shared_ptr<engine::Session> session);
  void onStateChanged(SessionController::State state);
  void onLoadFailed(const QString& message);
  void onApplyRequested(const engine::ExperimentSpec& draft);
  void onHyperparameterEdited(const QString& run, const QString& name, double value);
  // main_window_pins.cpp
  void pinLogInteractive();
  void openStudyInteractive();  // File > Open study…
  void runStudyInteractive();   // Training > Run study…
  void pinsChanged();  // redraw the charts and the runs table
  // On a new session: the previous attempt after a reset, or none after opening a document.
  void updatePinsForNewSession(const std::shared_ptr<engine::Session>& old);
  void rebuildRemovePinMenu();
  // The log a path selects: its directory (any of its files selects the whole log).
  static QString logDirectoryOf(const QString& path);
  // main_window_scrub.cpp
  void buildScrubActions(QMenu* view);  // the View > Step cursor menu, its keys, the status label
  void showCursor();                    // the cursor onto the charts and the status bar
  // main_window_refresh.cpp
  void timedRefresh();
  void syncFromExperimentRecord();
  void syncTuningValues();
  void updateStepRate();
  [[nodiscard]] std::shared_ptr<const engine::MetricsStore> currentStore() const;
  // The experiment the running session trains now, as its store records it (nullopt: none).
  [[nodiscard]] std::optional<engine::ExperimentSpec> runningExperiment() const;

  static constexpr int kRefreshMs = 33;  // ~30 Hz
  static constexpr int kSlowestRefreshMs = 250;
  // While training, the share of a core the GUI thread may spend on ticks (main_window_refresh.cpp).
  static constexpr double kTrainingGuiShare = 0.08;

  RunColorMap colors_;
  StepCursor cursor_;
  QLabel* cursorLabel_ = nullptr;  // status bar: the scrubbed step, hidden while live
  QThread worker_;
  SessionController* controller_ = nullptr;
  std::shared_ptr<engine::Session> session_;
  std::shared_ptr<const engine::MetricsStore> logStore_;
  QString logPath_;
  std::pair<bool, bool> docksBeforeLog_{true, true};  // experiment and tuning docks shown
  std::shared_ptr<const engine::MetricsStore> shownStore_;
  std::size_t eventCursor_ = 0;
  // The session store and its experimentRevision() the panels were last synced to.
  std::shared_ptr<const engine::MetricsStore> syncedStore_;
  std::uint64_t syncedRevision_ = 0;
  QTimer refreshTimer_;

  Dashboard* dashboard_ = nullptr;
  ExperimentPanel* panel_ = nullptr;
  TuningPanel* tuning_ = nullptr;
  StatusPanel* status_ = nullptr;
  TensorInspector* inspector_ = nullptr;
  QTabWidget* viewTabs_ = nullptr;                // the charts, then the teaching views
  std::vector<TeachingView*> teachingViews_;      // in teachingViews() order (tabs 1..n)
  TransportBar* transport_ = nullptr;
  QDockWidget* panelDock_ = nullptr;
  QDockWidget* tuningDock_ = nullptr;
  QDockWidget* statusDock_ = nullptr;
  QDockWidget* lessonDock_ = nullptr;
  LessonPanel* lessonPanel_ = nullptr;
  std::optional<engine::LessonSpec> lesson_;
  int lessonStep_ = 0;
  bool lessonRestricted_ = false;  // a lesson's restrictions are applied (to undo when it ends)
  void applyLessonRestrictions();
  bool showNewLesson(const engine::LessonSpec& lesson);  // the panel on it, at step 1
  // A lesson step's study: reopened when this very study finished before, else trained.
  StudyWindow* openLessonStudy(const engine::StudySpec& study);
  QMenu* recentMenu_ = nullptr;
  QAction* closeLogAction_ = nullptr;
  QAction* keepPreviousAction_ = nullptr;
  QMenu* removePinMenu_ = nullptr;
  QAction* escapeAction_ = nullptr;  // enabled only while there is something for Esc to undo
  QLabel* textScaleLabel_ = nullptr;
  QPointer<HelpDialog> help_;
  QPointer<RangeTestDialog> rangeTest_;
  int threads_ = 0;

  QString selectedRun_;
  QString currentFile_;    // experiment file the session came from ("" for built-in / unsaved)
  QString sourceLabel_;    // shown in the title: file name or "built-in example"
  // An opened experiment waiting for its session to start (then it becomes the document).
  std::optional<DocumentSource> pendingSource_;
  std::optional<engine::ExperimentSpec> pendingSpec_;
  std::optional<engine::ExperimentSpec> pendingDraft_;  // unapplied edits to restore with it
  int adoptedDocuments_ = 0;                            // counts documents that started
  // The document as last opened or saved: experimentToJson text ("" = never saved) and spec
  // (Reset to file values); the running experiment is compared with it.
  std::string savedJson_;
  std::optional<engine::ExperimentSpec> savedSpec_;
  std::function<SaveAnswer(const QString&)> saveChangesPrompt_;
  std::function<bool(const QString&)> confirmPrompt_;
  std::function<QString(const QString&)> saveAsPrompt_;
  QByteArray currentFileHash_;  // SHA-1 of currentFile_'s bytes as opened or saved (empty: none)
  std::unique_ptr<Autosave> autosave_;
  QTimer autosaveTimer_;
  bool compactLayout_ = false;
  bool autoLayout_ = true;
  bool arrangingDocks_ = false;
  bool wasMaximized_ = false;
  QByteArray dockStateBeforeMaximize_;  // saveState() when a chart was maximised
  bool inspectorHiddenBeforeMaximize_ = false;
  int textScale_ = 100;
  bool autosaveWritten_ = false;
  bool interactive_ = true;
  bool resetPending_ = false;  // a Reset was asked: the next session ends this attempt
  bool autoplayOnLoad_ = true;
  QString lastError_;
  SessionController::State state_ = SessionController::State::Empty;
  // Steps/s over a sliding window.
  long rateStep_ = 0;
  qint64 rateTimeMs_ = 0;
  double rate_ = -1.0;
  QElapsedTimer clock_;
  double tickCpuMs_ = -1.0;  // moving average of a tick's CPU time, paint included
};

}  // namespace larslab::ui
