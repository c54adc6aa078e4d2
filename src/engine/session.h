#pragma once
// A session trains the runs of one experiment side by side. Only the optimizer differs:
//  - every run starts from the same initial weights (drawn once from the experiment seed);
//  - every run sees the same minibatches in the same order (each run owns a Batcher built from
//    the same dataset, batch size and seed, so the sequences are identical by construction and
//    a run added later can replay them);
//  - each step trains all active runs concurrently as TBB tasks inside a task_arena of
//    `threads` threads; a minibatch is cut into a fixed number of shards, so metrics are
//    bitwise identical for any thread count.
//
// Threads: step() and the driver-only accessors are called from ONE driver thread (the GUI's
// worker, or the CLI's main thread). submit() and the reader accessors may be called from any
// thread; a Command (command.h) is queued and applied by the driver at the next step boundary,
// recorded as an Event with its step. Invalid commands are rejected with an EventKind::Rejected
// event, never thrown.
//
// Readers learn everything about a running session from its MetricsStore: metrics, events,
// status, and the experiment as it is now with the values each optimizer holds
// (MetricsStore::experiment(), appliedHyperparameter()), republished after every command batch.
//
// Reset has one meaning: a new Session built from metrics()->experiment(), the experiment as it
// stands (tuned hyperparameters and options, added runs kept, removed runs dropped). The seed is
// the same, so every run restarts from the identical initial weights and sees the same batches;
// the old session and its store stay readable until released. The GUI's Reset and Apply with a
// structural change both start a new session this way.
//
// Divergence: a non-finite batch loss or a non-finite parameter after the update stops that
// run ("diverged at step k: loss is NaN"); the other runs go on. Divergence is a result, not an
// exception.
//
// Health: a finite blow-up or a stall (engine/run_health.h, thresholds from the experiment's
// "health" section) is a warning: recorded in the run's status and as an EventKind::Warning
// event ("blew up at step k: ..."), and the run keeps training.

#include <cstdint>
#include <memory>
#include <string>

#include "data/dataset.h"
#include "engine/command.h"
#include "engine/experiment.h"
#include "engine/metrics_store.h"
#include "engine/weight_history.h"
#include "nn/network.h"
#include "nn/parameters.h"

namespace larslab::engine {

// The most training threads a command line may ask for (the CLI's and the app's --threads).
constexpr int kMaxThreads = 1024;

struct SessionOptions {
  int threads = 0;  // 0: all cores
  // A run added while the session is at step k replays steps 0..k-1 (same batches) to catch up,
  // at most this many extra steps per step() call so the driver stays responsive.
  int catchUpStepsPerCall = 64;
};

// Resolves the experiment's dataset spec (synthetic, fashion_mnist, csv). Throws
// std::runtime_error naming the file/field on failure.
data::DatasetSplit loadDataset(const DatasetSpec& spec, std::uint64_t seed);

// Length of the experiment in steps: spec.steps if set, else ceil(epochs * batchesPerEpoch).
long experimentSteps(const ExperimentSpec& spec, long batchesPerEpoch);

class Session {
 public:
  // Loads the data, builds the network and the runs. Throws std::runtime_error (or SpecError)
  // with a message naming the problem when the data cannot be loaded or the spec is invalid.
  explicit Session(ExperimentSpec spec, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // ---- driver thread ----
  // Applies queued commands, then trains one step of every active run (concurrently), appends
  // metrics, evaluates every evalEvery steps and at the last step, detects divergence.
  // Returns whether work remains after this call: false once every run is finished, diverged
  // or removed, so `while (session.step()) {}` trains to the end. Calling it again later is
  // harmless (it applies queued commands; an added run makes work again).
  bool step();
  // Driver thread only: the current weights of a run (by metrics-store index or name).
  [[nodiscard]] const nn::ParameterStore& parameters(int run) const;
  [[nodiscard]] const nn::ParameterStore& parameters(const std::string& run) const;

  // ---- any thread ----
  [[nodiscard]] long currentStep() const;  // steps completed by the session (atomic)
  [[nodiscard]] long totalSteps() const;
  [[nodiscard]] bool finished() const;  // nothing left to train and no command queued (atomic)
  [[nodiscard]] double stepsPerEpoch() const;
  [[nodiscard]] int threads() const;
  // The session's store, the same one for its whole life.
  [[nodiscard]] std::shared_ptr<const MetricsStore> metrics() const;
  [[nodiscard]] const nn::ParameterStore& initialParameters()
      const;  // immutable after construction
  [[nodiscard]] const nn::Network& network() const;
  [[nodiscard]] const data::DatasetSplit& data() const;
  // The weights of run `run` (store index) kept at or before `step` (-1: the latest kept), for
  // redrawing the model at a scrubbed step; nullptr when the session keeps none (inputs that
  // are not 2-D) or for an unknown run. See weight_history.h for how often copies are kept.
  [[nodiscard]] std::shared_ptr<const WeightHistory::Snapshot> weightsAt(int run, long step) const;

  // ---- commands (any thread; applied in order at the next step boundary) ----
  void submit(Command command);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace larslab::engine
