// larslab-cli: train experiments headless, validate experiment files, sweep batch sizes, export to PyTorch.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/atomic_file.h"
#include "engine/cli_commands.h"
#include "engine/experiment.h"
#include "engine/pytorch_export.h"
#include "optim/optimizer.h"

namespace larslab::engine::cli {

void printError(const std::exception& e) {
  if (const auto* spec = dynamic_cast<const SpecError*>(&e)) {
    const auto& issues = spec->issues();
    std::string line = "larslab-cli: " + spec->file() + ": ";
    if (!issues.empty())
      line +=
          (issues.front().path.empty() ? "" : issues.front().path + ": ") + issues.front().message;
    if (issues.size() > 1)
      line += " (and " + std::to_string(issues.size() - 1) + " more; see larslab-cli validate " +
              spec->file() + ")";
    std::cerr << line << '\n';
    return;
  }
  std::string text = e.what();
  for (char& c : text)
    if (c == '\n') c = ' ';
  std::cerr << "larslab-cli: " << text << '\n';
}

int writeOutputFile(const std::string& path, const std::string& content) {
  try {
    writeFileAtomically(path, content);
  } catch (const std::exception& e) {
    printError(e);
    return kExitFailure;
  }
  std::cerr << "wrote " << path << '\n';
  return kExitOk;
}

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string clock(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
  return buffer;
}

}  // namespace

Progress::Progress(std::string label, long total)
    : label_(std::move(label)),
      total_(std::max(1L, total)),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(now()) {}

void Progress::update(long done) {
  const double t = now();
  const double elapsed = t - start_;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : -1.0;
  char stats[128];
  std::snprintf(stats, sizeof stats, "%ld/%ld steps  %.0f steps/s  ETA %s", done, total_, rate,
                clock(eta).c_str());
  if (tty_) {
    if (t - lastDraw_ < 0.1 && done < total_) return;  // ~10 redraws per second
    lastDraw_ = t;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %s\033[K", label_.c_str(), bar.c_str(), stats);
    std::fflush(stderr);
  } else {
    const long percent = 100 * done / total_;
    if (percent / 10 == lastPercent_ / 10 && done < total_) return;
    lastPercent_ = percent;
    std::fprintf(stderr, "%s %3ld%%  %s\n", label_.c_str(), percent, stats);
  }
}

void Progress::finish(long done) {
  lastDraw_ = -1.0;
  if (!tty_ && lastPercent_ >= 100) return;
  update(done);
  if (tty_) std::fputc('\n', stderr);
}

void addValidateCommand(CLI::App& app, int& exitCode) {
  auto* cmd =
      app.add_subcommand("validate", "Check an experiment file and its data and print every problem in them");
  auto file = std::make_shared<std::string>();
  cmd->add_option("EXPERIMENT", *file, "Experiment JSON file")->required();
  cmd->callback([file, &exitCode] {
    auto report = [&exitCode](const std::string& origin, const std::vector<SpecIssue>& issues) {
      for (const SpecIssue& issue : issues)
        std::cerr << origin << ": " << (issue.path.empty() ? "" : issue.path + ": ") << issue.message << '\n';
      std::cerr << issues.size() << " problem" << (issues.size() == 1 ? "" : "s") << " found\n";
      exitCode = kExitBadInput;
    };
    try {
      const ExperimentSpec spec = loadExperiment(*file);
      // The data too: a CSV file is read with the experiment's policy, Fashion-MNIST's files
      // must exist.
      if (const std::vector<SpecIssue> issues = checkExperimentData(spec); !issues.empty()) {
        report(*file, issues);
        return;
      }
      std::cout << *file << ": OK (" << spec.runs.size() << " run"
                << (spec.runs.size() == 1 ? "" : "s") << ")\n";
      exitCode = kExitOk;
    } catch (const SpecError& e) {
      report(e.file(), e.issues());
    }
  });
}

void addExportPytorchCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("export-pytorch", "Write the experiment as a standalone PyTorch training script");
  auto request = std::make_shared<ExportPytorchRequest>();
  cmd->add_option("EXPERIMENT", request->experiment, "Experiment JSON file")->required();
  cmd->add_option("-o,--output", request->script, "Python script to write, e.g. train.py")->required();
  cmd->add_option("--data-dir", request->dataDir,
                  "Directory for the dataset as .npy (default for synthetic and CSV data: <script>_data)");
  cmd->callback([request, &exitCode] { exitCode = runExportPytorch(*request, std::cout, std::cerr); });
}

}  // namespace larslab::engine::cli

int main(int argc, char** argv) {
  using namespace larslab::engine::cli;
  CLI::App app{"larslab-cli: train LARS Lab experiments without the GUI"};
  app.require_subcommand(1);
  int exitCode = kExitOk;
  addRunCommand(app, exitCode);
  addValidateCommand(app, exitCode);
  addSweepCommand(app, exitCode);
  addRangeCommand(app, exitCode);
  addStudyCommand(app, exitCode);
  addExportPytorchCommand(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "larslab-cli: " << e.what() << " (see larslab-cli --help)\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }
  return exitCode;
}
