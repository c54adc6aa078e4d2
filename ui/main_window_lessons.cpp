// MainWindow's lessons (engine/lesson.h): the lesson panel in a dock, each step replayed from
// the experiment's initial weights, and the step's presentation (view, tensor, charts, text
// scale, hidden and locked controls).
#include <QDockWidget>
#include <algorithm>
#include <cstdlib>
#include <QFileInfo>
#include <QStatusBar>

#include "builtin_experiments.h"
#include "dashboard.h"
#include "lesson_panel.h"
#include "lesson_vocabulary.h"
#include "main_window.h"
#include "session_controller.h"
#include "transport_bar.h"
#include "tuning_panel.h"
#include "view_settings.h"

namespace larslab::ui {

namespace {
const QString kTuningPrefix = QStringLiteral("tuning.");
}

bool MainWindow::openLessonNamed(const QString& nameOrPath) {
  try {
    for (const BuiltinLesson& l : builtinLessons())
      if (l.name == nameOrPath) return openLesson(loadBuiltinLesson(l.resourcePath));
    return openLesson(engine::loadLesson(nameOrPath.toStdString(), appLessonVocabulary()));
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
  for (const engine::LessonAction& action : engine::lessonActionsThrough(*lesson_, step)) {
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
  statusBar()->showMessage(tr("Lesson step %1 of %2").arg(step + 1).arg(lesson_->steps.size()), 4000);
  return true;
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
