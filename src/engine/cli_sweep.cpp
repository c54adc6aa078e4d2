// larslab-cli sweep EXPERIMENT.json --batch-sizes 32,128,512 --lr-scaling none|linear|sqrt [--out
// FILE.csv]
//
// LARS's central claim (You et al. 2017): accuracy is kept at batch sizes where plain SGD
// degrades. Every run trains at every batch size for the same number of EPOCHS (so larger
// batches take fewer steps), with its learning rate scaled relative to the file's batch size.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "engine/cli_commands.h"
#include "engine/csv_export.h"
#include "engine/experiment.h"
#include "engine/session.h"
#include "engine/summary.h"
#include "engine/text_util.h"
#include "optim/optimizer.h"

namespace larslab::engine::cli {

namespace {

struct SweepOptions {
  std::string file;
  std::vector<int> batchSizes;
  std::string scaling = "none";
  std::string out;
  int threads = 0;
};

struct Row {
  std::string run, optimizer;
  int batchSize = 0;
  double lr = 0.0;
  long steps = 0;
  double testAccuracy = std::nan("");
  double testLoss = std::nan("");
  std::string status;
};

double baseLr(const RunSpec& run) {
  const auto it = run.optimizer.hyperparameters.find("lr");
  if (it != run.optimizer.hyperparameters.end()) return it->second;
  if (const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type))
    for (const auto& h : info->hyperparameters)
      if (h.name == "lr") return h.defaultValue;
  return std::nan("");
}

std::string csvText(const std::vector<Row>& rows) {
  std::ostringstream out;
  out << "run,optimizer,batch_size,lr,steps,final_test_accuracy,final_test_loss,diverged,status\n";
  for (const Row& r : rows)
    out << csvField(r.run) << ',' << r.optimizer << ',' << r.batchSize << ',' << formatNumber(r.lr)
        << ',' << r.steps << ',' << formatNumber(r.testAccuracy) << ',' << formatNumber(r.testLoss)
        << ',' << (r.status.rfind("diverged", 0) == 0 ? "true" : "false") << ','
        << csvField(r.status) << '\n';
  return out.str();
}

std::string tableText(const std::vector<Row>& rows) {
  std::size_t w = 3;
  for (const Row& r : rows) w = std::max(w, r.run.size());
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %-10s  %10s  %10s  %7s  %8s  %s\n", static_cast<int>(w),
                "run", "optimizer", "batch_size", "lr", "steps", "test acc", "status");
  out << line;
  for (const Row& r : rows) {
    std::snprintf(
        line, sizeof line, "%-*s  %-10s  %10d  %10.4g  %7ld  %8s  %s\n", static_cast<int>(w),
        r.run.c_str(), r.optimizer.c_str(), r.batchSize, r.lr, r.steps,
        std::isnan(r.testAccuracy) ? "-" : (std::to_string(r.testAccuracy).substr(0, 6)).c_str(),
        r.status.c_str());
    out << line;
  }
  return out.str();
}

int sweep(const SweepOptions& o) {
  ExperimentSpec base;
  long trainSize = 0;
  try {
    base = loadExperiment(o.file);
    // The number of epochs is what stays fixed; it needs the training split's size.
    trainSize = loadDataset(base.dataset, base.seed).train.size();
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }
  for (const int b : o.batchSizes)
    if (b < 1 || b > trainSize) {
      std::cerr << "larslab-cli: --batch-sizes: " << b << " is outside 1.." << trainSize
                << " (the training split has " << trainSize << " samples)\n";
      return kExitBadInput;
    }
  const double epochs =
      base.steps > 0
          ? static_cast<double>(base.steps) / static_cast<double>(trainSize / base.batchSize)
          : (base.epochs > 0 ? base.epochs
                             : static_cast<double>(kDefaultSteps) /
                                   static_cast<double>(trainSize / base.batchSize));
  std::cerr << base.name << ": " << epochs << " epochs per batch size, lr scaling " << o.scaling
            << " from batch " << base.batchSize << '\n';

  std::vector<Row> rows;
  for (const int b : o.batchSizes) {
    const double ratio = static_cast<double>(b) / static_cast<double>(base.batchSize);
    const double factor =
        o.scaling == "linear" ? ratio : (o.scaling == "sqrt" ? std::sqrt(ratio) : 1.0);
    ExperimentSpec spec = base;
    spec.batchSize = b;
    spec.steps = 0;
    spec.epochs = epochs;
    spec.evalEvery = 0;  // only the final accuracy is reported
    spec.runs.clear();
    std::vector<Row> pending;
    for (const RunSpec& run : base.runs) {
      Row row{run.name,     run.optimizer.type, b, baseLr(run) * factor, 0,
              std::nan(""), std::nan(""),       ""};
      const std::string problem = checkHyperparameter(run.optimizer.type, "lr", row.lr);
      if (!problem.empty()) {
        row.status = "skipped: " + problem;
        rows.push_back(row);
        continue;
      }
      RunSpec scaled = run;
      scaled.optimizer.hyperparameters["lr"] = row.lr;
      spec.runs.push_back(scaled);
      pending.push_back(row);
    }
    if (spec.runs.empty()) continue;
    // A run the session rejects at this batch size (e.g. a warm-up longer than the few steps a
    // huge batch leaves) is reported as skipped; the others still train.
    std::unique_ptr<Session> session;
    while (!session && !spec.runs.empty()) {
      try {
        session = std::make_unique<Session>(spec, SessionOptions{o.threads});
      } catch (const SpecError& e) {
        std::vector<bool> bad(spec.runs.size(), false);
        std::vector<std::string> why(spec.runs.size());
        for (const SpecIssue& issue : e.issues()) {
          std::size_t k = 0;
          if (std::sscanf(issue.path.c_str(), "runs[%zu]", &k) == 1 && k < bad.size() && !bad[k]) {
            bad[k] = true;
            why[k] = issue.path.substr(issue.path.find(']') + 1) + ": " + issue.message;
            if (!why[k].empty() && why[k][0] == '.') why[k].erase(0, 1);
          }
        }
        if (std::find(bad.begin(), bad.end(), true) == bad.end()) {
          printError(e);
          return kExitBadInput;
        }
        for (std::size_t k = bad.size(); k-- > 0;) {
          if (!bad[k]) continue;
          std::cerr << "batch " << b << ": " << spec.runs[k].name << " skipped: " << why[k] << '\n';
          pending[k].status = "skipped: " + why[k];
          rows.push_back(pending[k]);
          pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
          spec.runs.erase(spec.runs.begin() + static_cast<std::ptrdiff_t>(k));
        }
      } catch (const std::exception& e) {
        printError(e);
        return kExitBadInput;
      }
    }
    if (!session) continue;
    Progress progress("batch " + std::to_string(b), session->totalSteps());
    while (session->step()) progress.update(session->currentStep());
    progress.finish(session->currentStep());
    const std::vector<RunSummary> summaries = summarizeRuns(*session->metrics());
    for (std::size_t i = 0; i < pending.size(); ++i) {
      Row row = pending[i];
      row.steps = summaries[i].steps;
      row.testAccuracy = summaries[i].status.diverged ? std::nan("") : summaries[i].testAccuracy;
      row.testLoss = summaries[i].status.diverged ? std::nan("") : summaries[i].testLoss;
      row.status = summaries[i].status.describe();
      rows.push_back(row);
    }
  }
  std::cout << tableText(rows);
  return o.out.empty() ? kExitOk : writeOutputFile(o.out, csvText(rows));
}

}  // namespace

void addSweepCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "sweep", "Train every run at several batch sizes for the same number of epochs");
  auto o = std::make_shared<SweepOptions>();
  cmd->add_option("EXPERIMENT", o->file, "Experiment JSON file")->required();
  cmd->add_option("--batch-sizes", o->batchSizes, "Comma-separated batch sizes, e.g. 32,128,512")
      ->required()
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lr-scaling", o->scaling,
                  "How the learning rate follows the batch size (relative to the file's)")
      ->check(CLI::IsMember({"none", "linear", "sqrt"}));
  cmd->add_option("--out,-o", o->out, "Write the table as CSV to this file");
  cmd->add_option("--threads", o->threads, "Worker threads (0: all cores)")
      ->check(CLI::Range(0, kMaxThreads));
  cmd->callback([o, &exitCode] { exitCode = sweep(*o); });
}

}  // namespace larslab::engine::cli
