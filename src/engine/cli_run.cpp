// larslab-cli run EXPERIMENT.json --out DIR [--threads N] [--steps N] [--save-weights DIR]
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "engine/atomic_file.h"
#include "engine/cli_commands.h"
#include "engine/csv_export.h"
#include "engine/experiment.h"
#include "engine/npy.h"
#include "engine/session.h"
#include "engine/summary.h"

namespace larslab::engine::cli {

namespace {

struct RunOptions {
  std::string file;
  std::string out;
  int threads = 0;
  long steps = 0;
  std::string weights;
};

int runExperiment(const RunOptions& o) {
  ExperimentSpec spec;
  std::unique_ptr<Session> session;
  try {
    spec = loadExperiment(o.file);
    if (o.steps > 0) {
      spec.steps = o.steps;
      spec.epochs = 0.0;
    }
    session = std::make_unique<Session>(spec, SessionOptions{o.threads});
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }
  // Fail on an unwritable output directory before training, not after.
  try {
    std::filesystem::create_directories(o.out);
    if (!o.weights.empty()) std::filesystem::create_directories(o.weights);
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }

  const std::size_t runCount = session->metrics()->experiment()->runs.size();
  std::cerr << spec.name << ": " << runCount << (runCount == 1 ? " run, " : " runs, ")
            << session->totalSteps() << " steps, batch " << spec.batchSize << ", "
            << session->threads() << " threads; the metrics take up to "
            << (MetricsStore::estimateBytes(static_cast<int>(runCount), session->metrics()->tensorCount(),
                                            session->totalSteps()) + (1u << 20) - 1) / (1u << 20)
            << " MiB in memory\n";
  Progress progress("training", session->totalSteps());
  const auto start = std::chrono::steady_clock::now();
  while (session->step()) progress.update(session->currentStep());
  progress.finish(session->currentStep());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto store = session->metrics();
  const std::vector<RunSummary> runs = summarizeRuns(*store);
  std::cout << summaryTable(runs);
  std::cout << "time " << seconds << " s, "
            << static_cast<double>(session->currentStep()) / std::max(seconds, 1e-9)
            << " steps/s\n";
  try {
    exportMetricsCsv(*store, o.out);
    SessionFacts facts;
    facts.totalSteps = session->currentStep();
    facts.threads = session->threads();
    facts.seconds = seconds;
    const ExperimentSpec trained = *store->experiment();  // with tuned values, as trained
    writeFileAtomically((std::filesystem::path(o.out) / "summary.json").string(),
                        summaryJson(trained, runs, facts));
    if (!o.weights.empty()) {
      for (const RunSpec& run : trained.runs) {
        const std::filesystem::path dir = std::filesystem::path(o.weights) / run.name;
        saveParametersNpy(session->initialParameters(), (dir / "initial").string());
        saveParametersNpy(session->parameters(run.name), (dir / "final").string());
      }
    }
  } catch (const std::exception& e) {
    printError(e);
    return kExitFailure;
  }
  std::cerr << "wrote " << o.out << (o.weights.empty() ? "" : " and " + o.weights) << '\n';
  return kExitOk;
}

}  // namespace

void addRunCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("run", "Train every run of an experiment and write its metrics");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("EXPERIMENT", o->file, "Experiment JSON file")->required();
  cmd->add_option("--out,-o", o->out,
                  "Directory for run_metrics.csv, tensor_metrics.csv, evaluations.csv, "
                  "events.csv and summary.json")
      ->required();
  cmd->add_option("--threads", o->threads, "Worker threads (0: all cores)")
      ->check(CLI::Range(0, kMaxThreads));
  cmd->add_option("--steps", o->steps, "Train this many steps instead of the file's length")
      ->check(CLI::Range(1L, 1000000000L));
  cmd->add_option("--save-weights", o->weights,
                  "Directory for <run>/initial/<tensor>.npy and <run>/final/<tensor>.npy");
  cmd->callback([o, &exitCode] { exitCode = runExperiment(*o); });
}

}  // namespace larslab::engine::cli
