#pragma once
// The end-of-run summary of a session: one entry per run with its final numbers and status.
// The CLI prints it as a table and writes it as summary.json.

#include <string>
#include <vector>

#include "engine/experiment.h"
#include "engine/metrics_store.h"

namespace larslab::engine {

struct RunSummary {
  std::string name;
  long steps = 0;  // steps recorded
  // Mean batch loss/accuracy over the last trainWindow recorded steps (the last 5% of the
  // steps, at least 1 and at most 100): one batch is too noisy to compare runs.
  double trainLoss = 0.0;
  double trainAccuracy = 0.0;
  long trainWindow = 0;
  // The last evaluation on the test split (NaN when there was none).
  double testLoss = 0.0;
  double testAccuracy = 0.0;
  long testStep = -1;
  RunStatusInfo status;
};

std::vector<RunSummary> summarizeRuns(const MetricsStore& store);

struct SessionFacts {
  long totalSteps = 0;
  int threads = 0;
  double seconds = 0.0;  // wall time of training
};

// summary.json: the experiment (as trained), the facts, and one object per run.
std::string summaryJson(const ExperimentSpec& spec, const std::vector<RunSummary>& runs,
                        const SessionFacts& facts);
// A fixed-width text table: run, optimizer, train loss/acc, test loss/acc, status.
std::string summaryTable(const std::vector<RunSummary>& runs);

}  // namespace larslab::engine
