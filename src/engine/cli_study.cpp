// larslab-cli study FILE.json|builtin:NAME --out DIR [--threads N]
// larslab-cli study --list
//
// Trains every (run, batch size, seed) of a study (engine/study.h), configurations in parallel,
// writes DIR/study.json, DIR/study.csv and DIR/configs/<id>/, and prints test accuracy per run x
// batch size. Ctrl+C stops between steps, writes what finished and exits with 2.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "engine/cli_commands.h"
#include "engine/session.h"
#include "engine/study.h"
#include "engine/study_runner.h"
#include "engine/text_util.h"

namespace larslab::engine::cli {

namespace {

namespace fs = std::filesystem;

struct StudyOptions {
  std::string file;
  std::string out;
  int threads = 0;
  bool list = false;
};

std::atomic<bool> gCancel{false};
extern "C" void onInterrupt(int) { gCancel.store(true); }

// The source tree's resources/studies while developing, the installed copy otherwise.
fs::path builtinStudiesDir() {
  std::error_code ec;
  if (fs::is_directory(LARSLAB_SOURCE_STUDIES, ec)) return LARSLAB_SOURCE_STUDIES;
  return LARSLAB_INSTALLED_STUDIES;
}

std::vector<fs::path> builtinStudies() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(builtinStudiesDir(), ec))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// "  0.8713": the mean final test accuracy of the results `at` picks, "-" when none trained
// (diverged or never evaluated), right-aligned in `width` characters after two spaces.
template <class Pick>
std::string meanAccuracyCell(const std::vector<StudyResult>& results, const Pick& at, int width) {
  double sum = 0.0;
  int n = 0;
  for (const StudyResult& r : results)
    if (at(r) && !std::isnan(r.finalTestAccuracy) && r.status.rfind("diverged", 0) != 0) {
      sum += r.finalTestAccuracy;
      ++n;
    }
  char cell[64];
  if (n == 0)
    std::snprintf(cell, sizeof cell, "  %*s", width, "-");
  else
    std::snprintf(cell, sizeof cell, "  %*.4f", width, sum / n);
  return cell;
}

// Mean final test accuracy over seeds, one row per run, one column per batch size.
std::string accuracyTable(const StudySpec& spec, const std::vector<StudyResult>& results) {
  std::vector<std::string> runs;
  for (const RunSpec& r : spec.experiment.runs) runs.push_back(r.name);
  std::size_t w = 11;  // "run \\ batch"
  for (const std::string& r : runs) w = std::max(w, r.size());
  std::ostringstream out;
  char cell[64];
  out << "final test accuracy (mean over " << spec.seeds.size() << " seed" << (spec.seeds.size() == 1 ? "" : "s")
      << "; - not trained or diverged)\n";
  std::snprintf(cell, sizeof cell, "%-*s", static_cast<int>(w), "run \\ batch");
  out << cell;
  for (const int b : spec.batchSizes) {
    std::snprintf(cell, sizeof cell, "  %7d", b);
    out << cell;
  }
  out << '\n';
  for (const std::string& run : runs) {
    std::snprintf(cell, sizeof cell, "%-*s", static_cast<int>(w), run.c_str());
    out << cell;
    for (const int b : spec.batchSizes)
      out << meanAccuracyCell(results, [&](const StudyResult& r) { return r.run == run && r.batchSize == b; }, 7);
    out << '\n';
  }
  return out.str();
}

// A grid study: per run, mean final test accuracy with rows = y values, columns = x values.
std::string gridTable(const StudySpec& spec, const std::vector<StudyResult>& results) {
  const StudyGrid& g = *spec.grid;
  std::ostringstream out;
  char cell[64];
  out << "final test accuracy (mean over " << spec.seeds.size() << " seed" << (spec.seeds.size() == 1 ? "" : "s")
      << "; - not trained or diverged)\n";
  const std::string corner = g.y.parameter + " \\ " + g.x.parameter;
  const int w = static_cast<int>(std::max<std::size_t>(corner.size(), 9));
  for (const RunSpec& run : spec.experiment.runs) {
    out << run.name << '\n';
    std::snprintf(cell, sizeof cell, "%-*s", w, corner.c_str());
    out << cell;
    for (const double x : g.x.values) {
      std::snprintf(cell, sizeof cell, "  %9s", formatNumber(x).c_str());
      out << cell;
    }
    out << '\n';
    for (const double y : g.y.values) {
      std::snprintf(cell, sizeof cell, "%-*s", w, formatNumber(y).c_str());
      out << cell;
      for (const double x : g.x.values)
        out << meanAccuracyCell(
            results, [&](const StudyResult& r) { return r.run == run.name && r.gridX == x && r.gridY == y; }, 9);
      out << '\n';
    }
  }
  return out.str();
}

int study(const StudyOptions& o) {
  if (o.list) {
    for (const fs::path& f : builtinStudies()) {
      std::string name = f.stem().string();
      try {
        name += "  " + loadStudy(f.string()).name;
      } catch (const std::exception&) {
        // listed anyway; running it reports the problem
      }
      std::cout << "builtin:" << name << '\n';
    }
    return kExitOk;
  }
  if (o.file.empty() || o.out.empty()) {
    std::cerr << "larslab-cli: study: give a study file (or builtin:NAME) and --out DIR, or --list\n";
    return kExitBadInput;
  }
  std::string file = o.file;
  if (file.rfind("builtin:", 0) == 0) {
    const fs::path path = builtinStudiesDir() / (file.substr(8) + ".json");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      std::cerr << "larslab-cli: no built-in study \"" << file.substr(8)
                << "\" (see larslab-cli study --list)\n";
      return kExitBadInput;
    }
    file = path.string();
  }
  StudySpec spec;
  std::vector<StudyConfiguration> configurations;
  try {
    spec = loadStudy(file);
    configurations = expandStudy(spec);
  } catch (const std::exception& e) {
    printError(e);
    return kExitBadInput;
  }
  try {
    fs::create_directories(o.out);
  } catch (const std::exception& e) {
    printError(e);
    return kExitFailure;
  }
  // Before the first line of output, so a Ctrl+C prompted by it always cancels cleanly.
  gCancel.store(false);
  const auto previous = std::signal(SIGINT, onInterrupt);
  std::cerr << spec.name << ": " << configurations.size() << " configurations ("
            << spec.experiment.runs.size() << " runs x ";
  if (spec.grid)
    std::cerr << spec.grid->x.values.size() << " " << spec.grid->x.parameter << " x " << spec.grid->y.values.size()
              << " " << spec.grid->y.parameter;
  else
    std::cerr << spec.batchSizes.size() << " batch sizes";
  std::cerr << " x " << spec.seeds.size() << " seeds), " << spec.epochs << " epochs, lr scaling " << spec.lrScaling
            << " from batch " << spec.baseBatchSize << '\n';

  long totalSteps = 0;
  for (const StudyConfiguration& c : configurations) totalSteps += c.totalSteps;
  Progress progress("study", totalSteps);
  StudyRunOptions options;
  options.threads = o.threads;
  options.cancel = &gCancel;
  options.outDir = o.out;
  long shown = -1;
  options.progress = [&progress, &shown](const StudyProgress& p) {
    // A configuration's end adds no step; Progress would repeat its 100% line.
    if (p.stepsDone == shown) return;
    shown = p.stepsDone;
    progress.update(p.stepsDone);
  };
  const StudyOutcome outcome = runStudy(spec, configurations, options);
  std::signal(SIGINT, previous);
  progress.finish(totalSteps);

  std::cout << (spec.grid ? gridTable(spec, outcome.results) : accuracyTable(spec, outcome.results));
  try {
    writeStudyResults(o.out, spec, outcome.results);
  } catch (const std::exception& e) {
    printError(e);
    return kExitFailure;
  }
  if (!outcome.writeError.empty()) {
    std::cerr << "larslab-cli: " << outcome.writeError << '\n';
    return kExitFailure;
  }
  std::cerr << "wrote " << o.out << '\n';
  if (outcome.cancelled) {
    std::cerr << "larslab-cli: study cancelled; study.csv marks the configurations not finished\n";
    return kExitCancelled;
  }
  return kExitOk;
}

}  // namespace

void addStudyCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "study", "Train every run at every batch size and seed of a study file and write study.csv");
  auto o = std::make_shared<StudyOptions>();
  cmd->add_option("STUDY", o->file, "Study JSON file, or builtin:NAME");
  cmd->add_option("--out,-o", o->out, "Directory for study.json, study.csv and configs/<id>/");
  cmd->add_option("--threads", o->threads, "Configurations trained at once (0: all cores)")
      ->check(CLI::Range(0, kMaxThreads));
  cmd->add_flag("--list", o->list, "List the built-in studies");
  cmd->callback([o, &exitCode] { exitCode = study(*o); });
}

}  // namespace larslab::engine::cli
