// Lessons in the window: the panel walks the steps, each step is the experiment replayed with
// the actions so far (the same curves when started again), locked and hidden controls follow the
// step, opening something else gives every control back, and bad lesson files are refused with
// the field named.

#include <gtest/gtest.h>

#include <QDir>
#include <QDockWidget>
#include <QStandardPaths>
#include <QPushButton>
#include <QTest>

#include "app_options.h"
#include "builtin_experiments.h"
#include "engine/lesson.h"
#include "engine/session.h"
#include "engine/study.h"
#include "engine/study_runner.h"
#include "hyperparameter_control.h"
#include "lesson_panel.h"
#include "lesson_vocabulary.h"
#include "main_window.h"
#include "session_controller.h"
#include "study_window.h"
#include "tuning_panel.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

std::vector<float> losses(const MainWindow& window, const std::string& run) {
  const auto store = window.session()->metrics();
  std::vector<float> out;
  store->read(store->runIndex(run), engine::RunMetric::Loss, 0, store->stepCount(store->runIndex(run)), out);
  return out;
}

TEST(LessonMarkdown, FormulasBecomeReadableUnicode) {
  EXPECT_EQ(lessonMarkdown(QStringLiteral("rate $\\gamma \\cdot \\eta \\cdot \\|w\\| / \\|g\\|$ here")),
            QStringLiteral("rate *γ · η · ‖w‖ / ‖g‖* here"));
  EXPECT_EQ(lessonMarkdown(QStringLiteral("$10^{-5}$ and $w_{1}$, $x^2$")), QStringLiteral("*10⁻⁵* and *w₁*, *x²*"));
  EXPECT_EQ(lessonMarkdown(QStringLiteral("no formula: 5 $")), QStringLiteral("no formula: 5 $"));
  EXPECT_EQ(lessonMarkdown(QStringLiteral("$v \\leftarrow m v$, $a \\le b$")), QStringLiteral("*v ← m v*, *a ≤ b*"));
}

TEST(Lessons, TheBuiltInLessonsAreListedAndOpen) {
  test::app();
  const QList<BuiltinLesson> lessons = builtinLessons();
  ASSERT_GE(lessons.size(), 2);
  QStringList names;
  for (const BuiltinLesson& l : lessons) names << l.name;
  EXPECT_TRUE(names.contains(QStringLiteral("trust-coefficient")));
  EXPECT_TRUE(names.contains(QStringLiteral("biases-under-lars")));
}

TEST(Lessons, StepsReplayTheActionsAndTheControlsFollowTheStep) {
  auto window = test::shownWindow(QSize(1366, 768), 2);
  ASSERT_TRUE(window->openLessonNamed(QStringLiteral("trust-coefficient"))) << window->lastError().toStdString();
  LessonPanel* panel = window->lessonPanel();
  ASSERT_NE(panel, nullptr);
  EXPECT_TRUE(panel->isVisible());
  EXPECT_EQ(panel->step(), 0);
  EXPECT_EQ(window->session()->currentStep(), 0);
  EXPECT_FALSE(panel->backButton()->isEnabled());
  // Step 1 locks η: the slider is there but cannot be moved.
  HyperparameterControl* eta = window->tuningPanel()->control(QStringLiteral("eta"));
  ASSERT_NE(eta, nullptr);
  EXPECT_TRUE(eta->isVisible());
  EXPECT_FALSE(eta->isEnabled());
  EXPECT_TRUE(window->lessonLocks(QStringLiteral("tuning.eta")));
  // A question's answer is hidden until asked for.
  ASSERT_EQ(panel->answerButtons().size(), 1);
  EXPECT_FALSE(panel->answerShown(0));
  panel->answerButtons()[0]->click();
  EXPECT_TRUE(panel->answerShown(0));

  panel->nextButton()->click();  // step 2: train to 600
  EXPECT_EQ(panel->step(), 1);
  EXPECT_EQ(window->session()->currentStep(), 600);
  EXPECT_TRUE(panel->stepText().contains(QStringLiteral("η = 0.1")));
  const std::vector<float> first = losses(*window, "eta 1e-3");
  ASSERT_EQ(first.size(), 600u);
  // "Start this step again": a new session, the same curves bitwise.
  const auto before = window->session();
  panel->restartButton()->click();
  EXPECT_NE(window->session(), before);
  EXPECT_EQ(losses(*window, "eta 1e-3"), first);

  panel->nextButton()->click();  // step 3 locks nothing
  EXPECT_EQ(panel->step(), 2);
  EXPECT_TRUE(window->tuningPanel()->control(QStringLiteral("eta"))->isEnabled());
  EXPECT_FALSE(panel->nextButton()->isEnabled());
  panel->backButton()->click();
  panel->backButton()->click();
  EXPECT_EQ(panel->step(), 0);
  EXPECT_EQ(window->session()->currentStep(), 0);
  EXPECT_FALSE(window->tuningPanel()->control(QStringLiteral("eta"))->isEnabled());

  // Opening an example ends the lesson: every control back, the panel away.
  ASSERT_TRUE(window->openDefaultExperiment(/*autoplay=*/false));
  EXPECT_FALSE(window->lesson().has_value());
  EXPECT_FALSE(window->lessonLocks(QStringLiteral("tuning.eta")));
  ASSERT_TRUE(test::waitFor([&] { return window->tuningPanel()->control(QStringLiteral("eta")) != nullptr; }));
  EXPECT_TRUE(window->tuningPanel()->control(QStringLiteral("eta"))->isEnabled());
  EXPECT_FALSE(panel->isVisible());
}

TEST(Lessons, APinnedRunIsPinnedOnceHoweverOftenTheStepIsReplayed) {
  QTemporaryDir dir;
  const std::string lesson = R"({"version": 1, "title": "Pins", "experiment": )" + test::smallExperimentJson() +
                             R"(, "steps": [{"title": "a", "text": "b", "actions": [{"train_to": 5}, {"pin": "LARS"}]}]})";
  const QString path = test::writeFile(dir, QStringLiteral("pins.json"), lesson);
  auto window = test::shownWindow(QSize(1366, 768));
  ASSERT_TRUE(window->openFile(path)) << window->lastError().toStdString();
  EXPECT_EQ(window->pins().size(), 1u);
  ASSERT_TRUE(window->goToLessonStep(0));
  ASSERT_TRUE(window->goToLessonStep(0));
  EXPECT_EQ(window->pins().size(), 1u);
}

TEST(Lessons, AStepHidesDocksAndTheTransportAndShowsOnlyItsCharts) {
  QTemporaryDir dir;
  const std::string lesson = R"({"version": 1, "title": "Hidden things", "experiment": )" + test::smallExperimentJson() +
                             R"(, "steps": [
      {"title": "a", "text": "Only the loss, nothing to touch.", "hide": ["tuning", "transport", "experiment"],
       "charts": ["loss", "weight_norm"]},
      {"title": "b", "text": "Everything back.", "actions": [{"train_to": 5}]}]})";
  const QString path = test::writeFile(dir, QStringLiteral("hidden.json"), lesson);
  auto window = test::shownWindow(QSize(1366, 768));
  ASSERT_TRUE(window->openFile(path)) << window->lastError().toStdString();  // File > Open knows lessons
  ASSERT_TRUE(window->lesson().has_value());
  EXPECT_TRUE(window->findChild<QDockWidget*>(QStringLiteral("tuningDock"))->isHidden());
  EXPECT_TRUE(window->findChild<QDockWidget*>(QStringLiteral("experimentDock"))->isHidden());
  EXPECT_FALSE(window->findChild<QDockWidget*>(QStringLiteral("statusDock"))->isHidden());
  EXPECT_FALSE(window->dashboard()->lessonAllows(Dashboard::ChartId::of(Dashboard::RunChart::Accuracy)));
  EXPECT_TRUE(window->dashboard()->lessonAllows(Dashboard::ChartId::of(engine::TensorMetric::WeightNorm)));
  ASSERT_TRUE(window->goToLessonStep(1));
  EXPECT_FALSE(window->findChild<QDockWidget*>(QStringLiteral("tuningDock"))->isHidden());
  EXPECT_TRUE(window->dashboard()->lessonAllows(Dashboard::ChartId::of(Dashboard::RunChart::Accuracy)));
  EXPECT_EQ(window->session()->currentStep(), 5);
}

TEST(Lessons, ABadLessonIsRefusedNamingTheFieldAndNothingChanges) {
  QTemporaryDir dir;
  const std::string lesson = R"({"version": 1, "title": "Typo", "experiment": )" + test::smallExperimentJson() +
                             R"(, "steps": [{"title": "a", "text": "b", "view": "layer-profil"}]})";
  const QString path = test::writeFile(dir, QStringLiteral("typo.json"), lesson);
  auto window = test::shownWindow(QSize(1280, 720));
  const auto before = window->session();
  EXPECT_FALSE(window->openFile(path));
  EXPECT_TRUE(window->lastError().contains(QStringLiteral("steps[0].view: unknown view \"layer-profil\" (did you mean layer-profile?)")))
      << window->lastError().toStdString();
  EXPECT_EQ(window->session(), before);
  EXPECT_FALSE(window->lesson().has_value());
}

TEST(Lessons, CommandLineLessonOptions) {
  const auto parse = [](QStringList args) {
    args.prepend(QStringLiteral("larslab"));
    return parseAppOptions(args);
  };
  const AppOptions ok = parse({QStringLiteral("--lesson"), QStringLiteral("trust-coefficient"), QStringLiteral("--lesson-step"),
                               QStringLiteral("2")});
  EXPECT_TRUE(ok.error.isEmpty()) << ok.error.toStdString();
  EXPECT_EQ(ok.lesson, QStringLiteral("trust-coefficient"));
  EXPECT_EQ(ok.lessonStep, 2);
  EXPECT_TRUE(parse({QStringLiteral("--lesson-step"), QStringLiteral("2")}).error.startsWith(QStringLiteral("--lesson-step: only with --lesson")));
  EXPECT_TRUE(parse({QStringLiteral("--lesson"), QStringLiteral("x"), QStringLiteral("--lesson-step"), QStringLiteral("0")})
                  .error.startsWith(QStringLiteral("--lesson-step: expected a step number from 1")));
  // The vocabulary the reader checks holds the app's names.
  const engine::LessonVocabulary v = appLessonVocabulary();
  EXPECT_NE(std::find(v.views.begin(), v.views.end(), "layer-profile"), v.views.end());
  EXPECT_NE(std::find(v.charts.begin(), v.charts.end(), "trust_ratio"), v.charts.end());
  EXPECT_NE(std::find(v.controls.begin(), v.controls.end(), "tuning.eta"), v.controls.end());
}


TEST(Instructor, ALessonBuiltFromTheScreenReplaysAsItWasShownAndSavesToAFileStudentsOpen) {
  QTemporaryDir dir;
  auto window = test::shownWindow(QSize(1366, 768));
  test::openAndTrain(*window, dir, test::smallExperimentJson(), 20);
  engine::LessonStep first = window->stepFromScreen();
  ASSERT_FALSE(first.actions.empty());
  EXPECT_TRUE(std::holds_alternative<engine::TrainTo>(first.actions.back()));
  EXPECT_EQ(std::get<engine::TrainTo>(first.actions.back()).step, 20);
  first.title = "Twenty steps";
  first.text = "Look at the loss.";
  first.lock = {"tuning.lr"};
  ASSERT_TRUE(window->newLesson(QStringLiteral("My lesson"), first)) << window->lastError().toStdString();
  ASSERT_TRUE(window->lesson().has_value());
  EXPECT_EQ(window->session()->currentStep(), 20);  // replayed as a student sees it
  EXPECT_TRUE(window->lessonLocks(QStringLiteral("tuning.lr")));

  // The instructor tunes eta and trains on: the next step captures both.
  window->session()->submit(engine::SetHyperparameter{"LARS", "eta", 0.02});
  window->controller()->post(SessionController::TrainNow{10}, SessionController::Delivery::Wait);
  engine::LessonStep second = window->stepFromScreen();
  second.title = "Tuned";
  second.text = "η is doubled.";
  bool setsEta = false;
  for (const engine::LessonAction& a : second.actions)
    if (const auto* set = std::get_if<engine::SetHyperparameter>(&a))
      setsEta = setsEta || (set->run == "LARS" && set->name == "eta" && set->value == 0.02);
  EXPECT_TRUE(setsEta);
  ASSERT_TRUE(window->addLessonStep(second)) << window->lastError().toStdString();
  EXPECT_EQ(window->lessonPanel()->step(), 1);
  EXPECT_EQ(window->session()->currentStep(), 30);
  EXPECT_DOUBLE_EQ(window->session()->metrics()->appliedHyperparameter("LARS", "eta"), 0.02);
  const std::vector<float> preview = losses(*window, "LARS");

  // Saved, then opened as a student would: the same curves at the same step.
  const QString path = dir.filePath(QStringLiteral("my-lesson.json"));
  ASSERT_TRUE(window->saveLessonTo(path)) << window->lastError().toStdString();
  auto student = test::shownWindow(QSize(1366, 768));
  ASSERT_TRUE(student->openFile(path)) << student->lastError().toStdString();
  ASSERT_TRUE(student->goToLessonStep(1));
  EXPECT_EQ(losses(*student, "LARS"), preview);
  EXPECT_EQ(student->lesson()->title, "My lesson");
}


TEST(Lessons, AStepWithAStudyTrainsItOnceAndReopensItAfterwards) {
  QStandardPaths::setTestModeEnabled(true);  // the study cache goes to a test folder
  const engine::StudySpec moons =
      engine::loadStudy(std::string(LARSLAB_SOURCE_DIR) + "/resources/studies/batch-size-moons.json");
  engine::LessonSpec lesson;
  lesson.title = "With a study";
  lesson.experiment = moons.experiment;
  engine::LessonStep first;
  first.title = "a";
  first.text = "b";
  engine::LessonStep second = first;
  second.study = moons;
  second.study->seeds = {std::uint64_t(7)};  // not any other test's study: a fresh cache entry
  lesson.steps = {first, second};
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("study-lesson.json"));
  engine::saveLesson(lesson, path.toStdString());

  auto window = test::shownWindow(QSize(1366, 768));
  ASSERT_TRUE(window->openFile(path)) << window->lastError().toStdString();
  EXPECT_TRUE(window->studyWindows().isEmpty());
  ASSERT_TRUE(window->goToLessonStep(1));
  ASSERT_EQ(window->studyWindows().size(), 1);
  StudyWindow* study = window->studyWindows().front();
  ASSERT_TRUE(test::waitFor([&] { return !study->running(); }, 120000));
  const QString folder = study->directory();
  EXPECT_EQ(engine::readStudyResults(folder.toStdString()).size(), engine::expandStudy(*second.study).size());
  // Back and forth: the same window, not a second run.
  ASSERT_TRUE(window->goToLessonStep(0));
  ASSERT_TRUE(window->goToLessonStep(1));
  EXPECT_EQ(window->studyWindows().size(), 1);
  // The next lecture (another window): the finished study opens at once.
  auto next = test::shownWindow(QSize(1366, 768));
  ASSERT_TRUE(next->openFile(path));
  ASSERT_TRUE(next->goToLessonStep(1));
  ASSERT_EQ(next->studyWindows().size(), 1);
  EXPECT_FALSE(next->studyWindows().front()->running());
  EXPECT_EQ(next->studyWindows().front()->directory(), folder);
  QDir(folder).removeRecursively();
}

}  // namespace
}  // namespace larslab::ui
