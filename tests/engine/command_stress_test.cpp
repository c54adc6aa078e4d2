// Stress (issue 16 a) for ThreadSanitizer: 10,000 hyperparameter, option and description
// commands and store reads from one thread (the GUI's role) while another trains without pause
// (the controller worker's role), through the Session and MetricsStore the window uses. The
// commands and the check are shared with the window-level test (tests/support/command_stress.h,
// tests/ui/test_controller_stress.cpp); this one uses only std::thread, which TSan sees.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "command_stress.h"
#include "engine/experiment.h"
#include "engine/session.h"

namespace larslab::engine {
namespace {

TEST(CommandStress, TenThousandCommandsFromAnotherThreadWhileTrainingAreEachAppliedOrRejectedInOrder) {
  Session session(parseExperiment(test::kCommandStressExperiment, "stress.json"), SessionOptions{2});
  const auto store = session.metrics();
  const std::size_t eventsBefore = store->eventCount();
  std::atomic<bool> stop{false};
  std::thread trainer([&] {
    while (!stop.load() && session.step()) {
    }
  });
  test::CommandStress stress;
  std::vector<float> poll;
  for (int i = 0; i < 10000; ++i) {
    const long step = session.currentStep();
    stress.submitOne(session, i);
    if (i % 50 == 0) store->read(0, RunMetric::Loss, 0, store->stepCount(0), poll);
    if (i % 50 == 25) (void)store->experiment();
    // Every tenth command waits for the next step, so that the commands meet many steps.
    if (i % 10 == 9) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (session.currentStep() == step && !session.finished() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      if (session.finished()) break;  // fails below, once the trainer is joined
    }
  }
  stop = true;
  trainer.join();
  ASSERT_FALSE(session.finished()) << "the stress experiment ended before the commands did";
  ASSERT_TRUE(session.step()) << "one more step applies what is still queued";
  stress.verify(*store, eventsBefore);
  EXPECT_GT(session.currentStep(), 500) << "the commands met training";
}

}  // namespace
}  // namespace larslab::engine
