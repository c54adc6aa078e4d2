// MainWindow's lessons (engine/lesson.h): the lesson panel in a dock, each step replayed from
// the experiment's initial weights, and the step's presentation (view, tensor, charts, text
// scale, hidden and locked controls).
#include <QCryptographicHash>
#include <QDir>
#include <QStandardPaths>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <map>
#include <algorithm>
#include <cstdlib>
#include <QFileInfo>
#include <QStatusBar>

#include "builtin_experiments.h"
#include "dashboard.h"
#include "lesson_panel.h"
#include "lesson_step_dialog.h"
#include "lesson_vocabulary.h"
#include "engine/json_reader.h"
#include "main_window.h"
#include "session_controller.h"
#include "study_window.h"
#include "engine/study_runner.h"
#include "transport_bar.h"
#include "tuning_panel.h"
#include "optim/optimizer.h"
#include "view_settings.h"

namespace larslab::ui {

namespace {
const QString kTuningPrefix = QStringLiteral("tuning.");
}

bool MainWindow::openLessonNamed(const QString& nameOrPath) {
  try {
    for (const BuiltinLesson& l : builtinLessons())
      if (l.name == nameOrPath) return openLesson(loadBuiltinLesson(l.resourcePath));
    const engine::LessonSpec lesson = engine::loadLesson(nameOrPath.toStdString(), appLessonVocabulary());
    if (!confirmOutsidePaths(nameOrPath, engine::pathsOutsideFolder(lesson, engine::folderOf(nameOrPath.toStdString()))))
      return false;
    return openLesson(lesson);
  } catch (const engine::SpecError& e) {
    reportError(tr("Cannot open the lesson"), specErrorText(e));
  } catch (const std::exception& e) {
    reportError(tr("Cannot open the lesson"), tr("%1: %2").arg(nameOrPath, QString::fromUtf8(e.what())));
  }
  return false;
}

bool MainWindow::openLesson(const engine::LessonSpec& lesson) {
  if (!maybeSave(tr("open the lesson %1").arg(QString::fromStdString(lesson.title)))) return false;
  if (isReadOnly()) closeLog();
  return showNewLesson(lesson);
}

bool MainWindow::showNewLesson(const engine::LessonSpec& lesson) {
  if (lessonDock_ == nullptr) {
    lessonPanel_ = new LessonPanel(this);
    lessonDock_ = new QDockWidget(tr("Lesson"), this);
    lessonDock_->setObjectName(QStringLiteral("lessonDock"));
    lessonDock_->setWidget(lessonPanel_);
    connect(lessonPanel_, &LessonPanel::stepRequested, this, [this](int step) { goToLessonStep(step); });
  }
  lesson_ = lesson;
  lessonPanel_->setLesson(lesson);
  applyDockLayout(compactLayout_);  // places the lesson dock
  return goToLessonStep(0);
}

void MainWindow::closeLesson() {
  if (!lesson_) return;
  lesson_.reset();
  applyLessonRestrictions();  // every control back
  dashboard_->setShownCharts({});
  if (lessonDock_ != nullptr) lessonDock_->hide();
  if (dashboard_->maximizedChart()) restoreChart();
}

bool MainWindow::goToLessonStep(int step) {
  if (!lesson_) return false;
  step = std::clamp(step, 0, static_cast<int>(lesson_->steps.size()) - 1);
  lessonStep_ = step;
  // The state of a step is always rebuilt from the start: "again" gives the same curves.
  startSession(lesson_->experiment, /*autoplay=*/false,
               DocumentSource{QString(), tr("lesson: %1").arg(QString::fromStdString(lesson_->title))},
               /*wait=*/true);
  if (!session_) return false;
  const std::vector<engine::LessonAction> actions = engine::lessonActionsThrough(*lesson_, step);
  // A lesson that pins runs owns the pins: replaying a step must not add its pins twice.
  if (std::any_of(actions.begin(), actions.end(),
                  [](const engine::LessonAction& a) { return std::holds_alternative<engine::PinRun>(a); }))
    removeAllPins();
  for (const engine::LessonAction& action : actions) {
    if (const auto* train = std::get_if<engine::TrainTo>(&action)) {
      const long more = train->step - session_->currentStep();
      if (more > 0) controller_->post(SessionController::TrainNow{more}, SessionController::Delivery::Wait);
    } else if (const auto* set = std::get_if<engine::SetHyperparameter>(&action)) {
      session_->submit(*set);  // acts at the next step, as a tuning-panel edit does
    } else if (const auto* option = std::get_if<engine::SetOption>(&action)) {
      session_->submit(*option);
    } else if (const auto* pin = std::get_if<engine::PinRun>(&action)) {
      syncWithWorker();
      refreshNow();
      pinRun(QString::fromStdString(pin->run));
    }
  }
  const engine::LessonStep& s = lesson_->steps[static_cast<std::size_t>(step)];
  if (!s.view.empty()) showView(s.view == "charts" ? QString() : QString::fromStdString(s.view));
  if (!s.tensor.empty()) {
    // One tensor across the runs: the comparison a lesson about a tensor makes.
    dashboard_->setTensorMode(Dashboard::TensorMode::RunsOfTensor);
    dashboard_->setSelectedTensor(QString::fromStdString(s.tensor));
  }
  if (s.textScale > 0) {
    // The nearest of the window's text sizes (View > Larger text).
    int best = kTextScales.front();
    for (const int t : kTextScales)
      if (std::abs(t - s.textScale) < std::abs(best - s.textScale)) best = t;
    setTextScale(best);
  }
  // One chart named: it fills the window (presentation); several: only those are shown.
  if (dashboard_->maximizedChart()) restoreChart();
  std::vector<Dashboard::ChartId> charts;
  for (int i = 0; i < Dashboard::kChartCount; ++i) {
    const Dashboard::ChartId id{i};
    if (std::find(s.charts.begin(), s.charts.end(), Dashboard::chartFileStem(id).toStdString()) != s.charts.end())
      charts.push_back(id);
  }
  dashboard_->setShownCharts(charts.size() > 1 ? charts : std::vector<Dashboard::ChartId>{});
  if (charts.size() == 1) maximizeChart(charts.front());
  applyLessonRestrictions();
  syncWithWorker();
  refreshNow();
  lessonPanel_->showStep(step);
  if (s.study) openLessonStudy(*s.study);
  statusBar()->showMessage(tr("Lesson step %1 of %2").arg(step + 1).arg(lesson_->steps.size()), 4000);
  return true;
}

StudyWindow* MainWindow::openLessonStudy(const engine::StudySpec& study) {
  // One folder per study, named by its description: the first time a class reaches the step it
  // trains; afterwards (or in the next lecture) the finished study is reopened at once.
  const QString description = QString::fromStdString(engine::studyToJson(study));
  const QString key = QString::fromLatin1(
      QCryptographicHash::hash(description.toUtf8(), QCryptographicHash::Sha1).toHex().left(16));
  const QString dir = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
                          .filePath(QStringLiteral("lesson-studies/") + key);
  for (StudyWindow* w : studyWindows())
    if (w->directory() == dir) {
      w->show();
      w->raise();
      return w;
    }
  bool finished = false;
  try {
    const std::vector<engine::StudyResult> results = engine::readStudyResults(dir.toStdString());
    finished = results.size() == engine::expandStudy(study).size() &&
               std::none_of(results.begin(), results.end(), [](const engine::StudyResult& r) {
                 return r.status.find("cancelled") != std::string::npos;
               });
  } catch (const std::exception&) {
    finished = false;  // not run yet, or stopped half-way: train it
  }
  return finished ? openStudy(dir) : startStudy(study, dir, threads_);
}

bool MainWindow::lessonHides(const QString& control) const {
  if (!lesson_) return false;
  const auto& hide = lesson_->steps[static_cast<std::size_t>(lessonStep_)].hide;
  return std::find(hide.begin(), hide.end(), control.toStdString()) != hide.end();
}

bool MainWindow::lessonLocks(const QString& control) const {
  if (!lesson_) return false;
  const auto& lock = lesson_->steps[static_cast<std::size_t>(lessonStep_)].lock;
  return std::find(lock.begin(), lock.end(), control.toStdString()) != lock.end();
}

void MainWindow::applyLessonRestrictions() {
  // Without a lesson, and none just closed, the controls are the window's own business.
  if (tuning_ == nullptr || (!lesson_ && !lessonRestricted_)) return;
  lessonRestricted_ = lesson_.has_value();
  QStringList hidden, locked;
  if (lesson_) {
    const engine::LessonStep& s = lesson_->steps[static_cast<std::size_t>(lessonStep_)];
    for (const std::string& c : s.hide)
      if (QString::fromStdString(c).startsWith(kTuningPrefix)) hidden << QString::fromStdString(c).mid(kTuningPrefix.size());
    for (const std::string& c : s.lock)
      if (QString::fromStdString(c).startsWith(kTuningPrefix)) locked << QString::fromStdString(c).mid(kTuningPrefix.size());
  }
  tuning_->setRestrictions(hidden, locked);
  const std::pair<const char*, QDockWidget*> docks[] = {
      {"tuning", tuningDock_}, {"experiment", panelDock_}, {"runs", statusDock_}};
  for (const auto& [name, dock] : docks) {
    if (dock == nullptr) continue;
    if (lessonHides(QString::fromLatin1(name))) dock->hide();
    else if (lesson_ && dock->isHidden()) dock->show();
    if (dock->widget() != nullptr) dock->widget()->setEnabled(!lessonLocks(QString::fromLatin1(name)));
  }
  if (transport_ != nullptr) {
    transport_->setVisible(!lessonHides(QStringLiteral("transport")));
    transport_->setEnabled(!lessonLocks(QStringLiteral("transport")));
  }
}

}  // namespace larslab::ui

namespace larslab::ui {

engine::LessonStep MainWindow::stepFromScreen() const {
  engine::LessonStep s;
  s.title = tr("Step %1").arg(lesson_ ? lesson_->steps.size() + 1 : 1).toStdString();
  const QString view = currentView();
  s.view = view.isEmpty() ? "charts" : view.toStdString();
  if (dashboard_->tensorMode() == Dashboard::TensorMode::RunsOfTensor && !dashboard_->selectedTensor().isEmpty())
    s.tensor = dashboard_->selectedTensor().toStdString();
  if (textScale_ != 100) s.textScale = textScale_;
  if (!session_) return s;
  // The values the lesson gives each run so far: the experiment's, then its set actions.
  const engine::ExperimentSpec& base = lesson_ ? lesson_->experiment : *runningExperiment();
  std::map<std::pair<std::string, std::string>, double> given;
  for (const engine::RunSpec& run : base.runs)
    if (const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type))
      for (const optim::HyperparameterSpec& h : info->hyperparameters)
        given[{run.name, h.name}] = optim::effectiveHyperparameter(run.optimizer, h);
  long trained = 0;
  if (lesson_) {
    for (const engine::LessonAction& a : engine::lessonActionsThrough(*lesson_, static_cast<int>(lesson_->steps.size()))) {
      if (const auto* set = std::get_if<engine::SetHyperparameter>(&a)) {
        given[{set->run, set->name}] = set->value;
      } else if (const auto* t = std::get_if<engine::TrainTo>(&a)) {
        trained = std::max(trained, t->step);
      }
    }
  }
  const auto store = session_->metrics();
  for (const auto& [key, value] : given) {
    double applied = value;
    try {
      applied = store->appliedHyperparameter(key.first, key.second);
    } catch (const std::invalid_argument&) {
      continue;  // a run added after the lesson's experiment: not part of the lesson
    }
    if (applied != value) s.actions.push_back(engine::SetHyperparameter{key.first, key.second, applied});
  }
  if (session_->currentStep() > trained) s.actions.push_back(engine::TrainTo{session_->currentStep()});
  return s;
}

bool MainWindow::newLesson(const QString& title, const engine::LessonStep& first) {
  const std::optional<engine::ExperimentSpec> spec = runningExperiment();
  if (!spec || isReadOnly()) {
    reportError(tr("No experiment to teach"), tr("A lesson is built on a running experiment: open one first."));
    return false;
  }
  engine::LessonSpec lesson;
  lesson.title = title.toStdString();
  lesson.experiment = *spec;
  // The tuned values become the lesson's starting point; the first step trains from there.
  engine::LessonStep step = first;
  step.actions.erase(std::remove_if(step.actions.begin(), step.actions.end(),
                                    [](const engine::LessonAction& a) {
                                      return std::holds_alternative<engine::SetHyperparameter>(a);
                                    }),
                     step.actions.end());
  lesson.steps.push_back(step);
  // Validated as a file would be: what the instructor saves, a student can open.
  try {
    lesson = engine::parseLesson(engine::lessonToJson(lesson), "new lesson", "", appLessonVocabulary());
  } catch (const engine::SpecError& e) {
    reportError(tr("Cannot make the lesson"), specErrorText(e));
    return false;
  }
  return showNewLesson(lesson);
}

bool MainWindow::addLessonStep(const engine::LessonStep& step) {
  if (!lesson_) return false;
  engine::LessonSpec lesson = *lesson_;
  lesson.steps.push_back(step);
  try {
    lesson = engine::parseLesson(engine::lessonToJson(lesson), "lesson", "", appLessonVocabulary());
  } catch (const engine::SpecError& e) {
    reportError(tr("Cannot add the step"), specErrorText(e));
    return false;
  }
  lesson_ = lesson;
  lessonPanel_->setLesson(*lesson_);
  return goToLessonStep(static_cast<int>(lesson_->steps.size()) - 1);  // previewed as a student sees it
}

bool MainWindow::saveLessonTo(const QString& path) {
  if (!lesson_) return false;
  try {
    engine::saveLesson(*lesson_, QDir::toNativeSeparators(path).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot save the lesson"), QString::fromUtf8(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Lesson saved to %1").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

namespace {
// The controls worth offering for a lesson of `e`: the docks, the transport and the sliders
// its runs' optimizers have.
QStringList controlsFor(const engine::ExperimentSpec& e) {
  QStringList out;
  for (const LessonControlInfo& c : lessonControls()) {
    const QString name = QString::fromLatin1(c.name);
    if (!name.startsWith(kTuningPrefix)) {
      out << name;
      continue;
    }
    for (const engine::RunSpec& run : e.runs)
      if (const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type))
        if (info->findHyperparameter(name.mid(kTuningPrefix.size()).toStdString()) != nullptr && !out.contains(name))
          out << name;
  }
  return out;
}
}  // namespace

void MainWindow::newLessonInteractive() {
  bool ok = false;
  const std::optional<engine::ExperimentSpec> spec = runningExperiment();
  const QString title = QInputDialog::getText(this, tr("New lesson"), tr("Lesson title:"), QLineEdit::Normal,
                                              spec ? QString::fromStdString(spec->name) : QString(), &ok);
  if (!ok || title.trimmed().isEmpty() || !spec) return;
  LessonStepDialog dialog(stepFromScreen(), controlsFor(*spec), this);
  if (dialog.exec() == QDialog::Accepted) newLesson(title.trimmed(), dialog.step());
}

void MainWindow::addLessonStepInteractive() {
  if (!lesson_) {
    newLessonInteractive();
    return;
  }
  LessonStepDialog dialog(stepFromScreen(), controlsFor(lesson_->experiment), this);
  if (dialog.exec() == QDialog::Accepted) addLessonStep(dialog.step());
}

void MainWindow::saveLessonInteractive() {
  if (!lesson_) {
    statusBar()->showMessage(tr("No lesson to save: File > Lessons > New lesson from this session… first."), 5000);
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Save lesson"), QString::fromStdString(lesson_->title) + QStringLiteral(".json"),
                                                    tr("Lessons (*.json)"));
  if (!path.isEmpty()) saveLessonTo(path);
}

}  // namespace larslab::ui
