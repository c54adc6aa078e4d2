// larslab-cli range EXPERIMENT.json --hyperparameter eta|lr [--run NAME] [--from A] [--to B]
//   [--steps N] [--out FILE.csv]
//
// The range test of engine/range_test.h: one run, its hyperparameter grown log-uniformly per step,
// the loss against the value, and a suggested value robust to early spikes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "engine/cli_commands.h"
#include "engine/range_test.h"
#include "engine/session.h"
#include "engine/text_util.h"

namespace larslab::engine::cli {

namespace {

struct RangeOptions {
  std::string file;
  RangeTestSpec spec;
  std::string out;
  int threads = 0;
};

int range(const RangeOptions& o) {
  RangeTestResult result;
  try {
    const ExperimentSpec experiment = loadExperiment(o.file);
    // Every problem of the options at once, each naming its option.
    const std::vector<SpecIssue> issues = checkRangeTest(experiment, o.spec);
    for (const SpecIssue& issue : issues)
      std::cerr << "larslab-cli: range: " << issue.path << ": " << issue.message << '\n';
    if (!issues.empty()) return kExitBadInput;
    Progress progress("range test of " + o.spec.hyperparameter, o.spec.steps);
    result = runRangeTest(experiment, o.spec, o.threads,
                          [&progress](long done, long) { progress.update(done); });
    progress.finish(static_cast<long>(result.values.size()));
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }
  const RangeTestSuggestion& s = result.suggestion;
  std::cout << result.spec.run << " (" << result.optimizer << "): " << result.spec.hyperparameter
            << " from " << formatNumber(o.spec.from) << " to " << formatNumber(o.spec.to) << " over "
            << o.spec.steps << " steps, " << result.status << '\n';
  if (s.blowUpStep >= 0)
    std::cout << "loss blew up at step " << s.blowUpStep << " ("
              << result.spec.hyperparameter << " = "
              << formatNumber(result.values[static_cast<std::size_t>(s.blowUpStep)]) << ")\n";
  if (s.step >= 0)
    std::cout << "suggested " << result.spec.hyperparameter << " = " << formatNumber(s.value)
              << " (" << s.reason << ", step " << s.step << ")\n";
  else
    std::cout << "no suggestion: " << s.reason << '\n';
  return o.out.empty() ? kExitOk : writeOutputFile(o.out, rangeTestCsv(result));
}

}  // namespace

void addRangeCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "range", "Range test: grow one hyperparameter log-uniformly per step and suggest a value");
  auto o = std::make_shared<RangeOptions>();
  cmd->add_option("EXPERIMENT", o->file, "Experiment JSON file")->required();
  cmd->add_option("--hyperparameter,-p", o->spec.hyperparameter, "lr, eta, ...")->required();
  cmd->add_option("--run", o->spec.run, "Run to test (default: the first)");
  cmd->add_option("--from", o->spec.from, "Value at the first step (> 0)")->capture_default_str();
  cmd->add_option("--to", o->spec.to, "Value at the last step")->capture_default_str();
  cmd->add_option("--steps", o->spec.steps, "Number of steps")->capture_default_str();
  cmd->add_option("--out,-o", o->out, "Write step,value,loss,smoothed_loss as CSV");
  cmd->add_option("--threads", o->threads, "Worker threads (0: all cores)")
      ->check(CLI::Range(0, kMaxThreads));
  cmd->callback([o, &exitCode] { exitCode = range(*o); });
}

}  // namespace larslab::engine::cli
