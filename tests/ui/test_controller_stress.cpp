// Stress (issue 16 a) through the window's own path: 10,000 hyperparameter, option and
// description commands from the GUI thread while the controller's worker QThread trains, with
// pause, step and play requests and store reads in between, as the window makes them (the
// commands and the check: tests/support/command_stress.h). The asan preset runs it; TSan cannot
// (Debian's Qt is not instrumented, so every queued call between the threads would be reported),
// and the tsan preset runs the same commands against a plain training thread instead
// (tests/engine/command_stress_test.cpp).

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>

#include <vector>

#include "command_stress.h"
#include "engine/experiment.h"
#include "session_controller.h"

namespace larslab::ui {
namespace {

TEST(ControllerStress, TenThousandCommandsWhileTrainingAreEachAppliedOrRejectedInOrder) {
  int argc = 1;
  char name[] = "test_controller_stress";
  char* argv[] = {name, nullptr};
  QCoreApplication app(argc, argv);

  QThread worker;
  auto* controller = new SessionController(2);
  controller->moveToThread(&worker);
  QObject::connect(&worker, &QThread::finished, controller, &QObject::deleteLater);
  worker.start();
  // However the test ends (a failed ASSERT returns early), stop training and join the worker:
  // a QThread destroyed while running aborts the process and hides the failure.
  struct StopWorker {
    SessionController* controller;
    QThread& worker;
    ~StopWorker() {
      controller->post(SessionController::Stop{}, SessionController::Delivery::Wait);
      worker.quit();
      worker.wait();
    }
  } stopWorker{controller, worker};
  controller->post(SessionController::Load{engine::parseExperiment(test::kCommandStressExperiment, "stress.json"), true},
                   SessionController::Delivery::Wait);
  const std::shared_ptr<engine::Session> session = controller->session();
  ASSERT_NE(session, nullptr);
  const auto store = session->metrics();
  const std::size_t eventsBefore = store->eventCount();

  test::CommandStress stress;
  std::vector<float> poll;
  constexpr int kCommands = 10000;
  bool playing = true;  // loaded with autoplay
  for (int i = 0; i < kCommands; ++i) {
    const long step = session->currentStep();
    stress.submitOne(*session, i);
    // What the window does in between: read the store, pause and play, single steps.
    if (i % 50 == 0) store->read(0, engine::RunMetric::Loss, 0, store->stepCount(0), poll);
    if (i % 997 == 0) {
      controller->post(SessionController::Pause{}, SessionController::Delivery::Wait);
      playing = false;
    }
    if (i % 997 == 500) controller->post(SessionController::Step{3});
    if (i % 997 == 700) {
      controller->post(SessionController::Play{}, SessionController::Delivery::Wait);
      playing = true;
    }
    // Spread the commands over training, as a user dragging a slider does: while playing, every
    // tenth command waits for the next step (submitting faster would land them all in a few
    // steps and test nothing about commands meeting a step in progress).
    if (i % 10 == 9 && playing) {
      QDeadlineTimer stepDeadline(10'000);
      while (session->currentStep() == step && !stepDeadline.hasExpired()) QThread::yieldCurrentThread();
      ASSERT_GT(session->currentStep(), step) << "playing, but no step for 10 s (command " << i << ")";
    }
  }
  // Flush: pause, then one more step applies whatever is still queued. Step only schedules the
  // worker's pump, so wait until the step has been taken and the pump has returned.
  controller->post(SessionController::Pause{}, SessionController::Delivery::Wait);
  const long flushTo = session->currentStep() + 1;
  controller->post(SessionController::Step{1}, SessionController::Delivery::Wait);
  QDeadlineTimer deadline(60'000);
  while (session->currentStep() < flushTo && !deadline.hasExpired()) QThread::msleep(1);
  ASSERT_GE(session->currentStep(), flushTo) << "the flushing step was never taken";
  controller->sync();

  stress.verify(*store, eventsBefore);
}

}  // namespace
}  // namespace larslab::ui
