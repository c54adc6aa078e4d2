#pragma once
// Runs the configurations of a study, several at a time, and saves what they found.
//
// Configurations run in parallel (tbb::parallel_for over configurations inside a task_arena of
// `threads` threads); each one is a single-threaded Session of its own, so its metrics are
// bitwise those of `larslab-cli run` on its experiment.json (the session's shards make the
// result independent of thread counts anyway; one thread each keeps the cores busy without
// nested contention). Divergence is a result (status "diverged at step k: ..."), not an error.

#include <atomic>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/study.h"

namespace larslab::engine {

struct StudyResult {
  std::string id, run, optimizer;
  int batchSize = 0;
  double lr = 0.0;
  double eta = 0.0;  // NaN: the optimizer has none
  std::uint64_t seed = 0;
  double gridX = std::numeric_limits<double>::quiet_NaN();  // the grid's values at this configuration (NaN in a batch-size study)
  double gridY = std::numeric_limits<double>::quiet_NaN();
  double finalTestAccuracy = 0.0;  // NaN when never evaluated
  double bestTestAccuracy = 0.0;
  double finalTrainLoss = 0.0;      // mean over the last steps (summary.h's window)
  long stepsToTarget = -1;          // first evaluation with accuracy >= target; -1: not reached
  double secondsToTarget = -1.0;    // wall time to that evaluation; -1: not reached
  double wallSeconds = 0.0;
  std::string status;  // "finished", "diverged at step k: ...", "finished; blew up ...", "cancelled"
};

struct StudyProgress {
  int configurationsDone = 0;
  int configurations = 0;
  long stepsDone = 0;
  long steps = 0;
  // Training samples (steps x batch size): what the time per configuration is proportional to.
  double samplesDone = 0.0;
  double samples = 0.0;
};

struct StudyRunOptions {
  int threads = 0;  // configurations trained at once (0: all cores)
  // Called from worker threads, one call at a time, after every step of any configuration.
  std::function<void(const StudyProgress&)> progress;
  // Called from worker threads, one call at a time, when a configuration ends (trained, diverged,
  // skipped or cancelled), with its index and result; after its files are written.
  std::function<void(std::size_t, const StudyResult&)> configurationDone;
  const std::atomic<bool>* cancel = nullptr;  // checked between steps
  // When set: each configuration writes DIR/configs/<id>/experiment.json and its metric CSVs
  // as soon as it ends.
  std::string outDir;
};

struct StudyOutcome {
  std::vector<StudyResult> results;  // in configuration order
  bool cancelled = false;
  std::string writeError;  // the first failure to write a configuration's files; empty if none
};

StudyOutcome runStudy(const StudySpec& spec, const std::vector<StudyConfiguration>& configurations,
                      const StudyRunOptions& options);

inline constexpr const char* kStudyJsonFile = "study.json";
inline constexpr const char* kStudyCsvFile = "study.csv";

// DIR/study.json (studyToJson) and DIR/study.csv, each atomically. Throws std::runtime_error
// naming the path on failure.
void writeStudyResults(const std::string& dir, const StudySpec& spec,
                       const std::vector<StudyResult>& results);
// study.csv as text: id,run,optimizer,batch_size,lr,eta,seed,final_test_accuracy,
// best_test_accuracy,final_train_loss,steps_to_target,seconds_to_target,wall_seconds,status,
// grid_x,grid_y
std::string studyCsv(const std::vector<StudyResult>& results);
// Reads DIR/study.csv back. Throws std::runtime_error naming the file and line on bad content.
std::vector<StudyResult> readStudyResults(const std::string& dir);

}  // namespace larslab::engine
