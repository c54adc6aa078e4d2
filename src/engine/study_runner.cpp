#include "engine/study_runner.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "engine/atomic_file.h"
#include "engine/csv_export.h"
#include "engine/session.h"
#include "engine/summary.h"
#include "engine/text_util.h"

namespace larslab::engine {

namespace {

constexpr const char* kCsvHeader =
    "id,run,optimizer,batch_size,lr,eta,seed,final_test_accuracy,best_test_accuracy,"
    "final_train_loss,steps_to_target,seconds_to_target,wall_seconds,status,grid_x,grid_y";
constexpr std::size_t kCsvFields = 16;

StudyResult emptyResult(const StudyConfiguration& c) {
  StudyResult r;
  r.id = c.id;
  r.run = c.run;
  r.optimizer = c.optimizer;
  r.batchSize = c.batchSize;
  r.lr = c.lr;
  r.eta = c.eta;
  r.seed = c.seed;
  r.gridX = c.gridX;
  r.gridY = c.gridY;
  r.finalTestAccuracy = r.bestTestAccuracy = r.finalTrainLoss = std::nan("");
  return r;
}

std::string numberOrEmpty(double v) { return std::isnan(v) ? std::string() : formatNumber(v); }

// One CSV line split into fields; "" quotes as csvField writes them.
std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

StudyOutcome runStudy(const StudySpec& spec, const std::vector<StudyConfiguration>& configurations,
                      const StudyRunOptions& options) {
  StudyOutcome outcome;
  outcome.results.resize(configurations.size());
  std::mutex mutex;  // guards progress calls, `progress` and writeError
  StudyProgress progress;
  progress.configurations = static_cast<int>(configurations.size());
  for (const StudyConfiguration& c : configurations) {
    progress.steps += c.totalSteps;
    progress.samples += static_cast<double>(c.totalSteps) * c.batchSize;
  }
  auto report = [&](const StudyConfiguration& c, long steps, bool configurationDone) {
    std::lock_guard lock(mutex);
    progress.stepsDone += steps;
    progress.samplesDone += static_cast<double>(steps) * c.batchSize;
    if (configurationDone) ++progress.configurationsDone;
    if (options.progress) options.progress(progress);
  };
  auto done = [&](std::size_t index) {
    std::lock_guard lock(mutex);
    if (options.configurationDone) options.configurationDone(index, outcome.results[index]);
  };
  auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };

  auto trainOne = [&](std::size_t index) {
    const StudyConfiguration& c = configurations[index];
    StudyResult& r = outcome.results[index];
    r = emptyResult(c);
    if (cancelled()) {
      r.status = "cancelled";
      report(c, c.totalSteps, true);  // its steps count as done, so the bar ends at 100%
      done(index);
      return;
    }
    std::unique_ptr<Session> session;
    try {
      session = std::make_unique<Session>(c.experiment, SessionOptions{1});
    } catch (const std::exception& e) {
      // Not trainable at this batch size (e.g. an lr scaled out of range): a result too.
      r.status = std::string("skipped: ") + e.what();
      report(c, c.totalSteps, true);
      done(index);
      return;
    }
    // Training time, as `larslab-cli run` reports it: loading the data is not part of it.
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&start] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const auto store = session->metrics();
    std::size_t seen = 0;
    bool stopped = false;
    long last = 0;
    for (;;) {
      if (cancelled()) {
        stopped = true;
        break;
      }
      const bool more = session->step();
      const long now = session->currentStep();
      report(c, now - last, false);
      last = now;
      if (spec.targetAccuracy && r.stepsToTarget < 0) {
        const std::vector<EvalPoint> evals = store->evaluations(0);
        for (; seen < evals.size(); ++seen)
          if (evals[seen].accuracy >= *spec.targetAccuracy) {
            r.stepsToTarget = evals[seen].step;
            r.secondsToTarget = elapsed();
            break;
          }
      }
      if (!more) break;
    }
    r.wallSeconds = elapsed();
    const std::vector<RunSummary> summaries = summarizeRuns(*store);
    if (!summaries.empty()) {
      const RunSummary& s = summaries.front();
      r.finalTestAccuracy = s.testStep >= 0 ? s.testAccuracy : std::nan("");
      r.finalTrainLoss = s.trainLoss;
      r.status = stopped ? "cancelled at step " + std::to_string(session->currentStep()) : s.status.describe();
    }
    for (const EvalPoint& p : store->evaluations(0))
      if (!std::isnan(p.accuracy) && !(p.accuracy <= r.bestTestAccuracy)) r.bestTestAccuracy = p.accuracy;
    if (!options.outDir.empty()) {
      try {
        const std::filesystem::path dir = std::filesystem::path(options.outDir) / "configs" / c.id;
        std::filesystem::create_directories(dir);
        // As `larslab-cli run` writes them: the experiment as trained, the four metric files.
        saveExperiment(*store->experiment(), (dir / "experiment.json").string());
        exportMetricsCsv(*store, dir.string());
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        if (outcome.writeError.empty()) outcome.writeError = e.what();
      }
    }
    report(c, c.totalSteps - last, true);  // a cancelled or diverged run's remaining steps count as done
    done(index);
  };

  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    // Grain 1: configurations differ in cost by orders of magnitude (batch 128 vs 8192).
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, configurations.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) trainOne(i);
                      });
  });
  outcome.cancelled = cancelled();
  return outcome;
}

std::string studyCsv(const std::vector<StudyResult>& results) {
  std::ostringstream out;
  out << kCsvHeader << '\n';
  for (const StudyResult& r : results)
    out << csvField(r.id) << ',' << csvField(r.run) << ',' << csvField(r.optimizer) << ',' << r.batchSize
        << ',' << formatNumber(r.lr) << ',' << numberOrEmpty(r.eta) << ',' << r.seed << ','
        << numberOrEmpty(r.finalTestAccuracy) << ',' << numberOrEmpty(r.bestTestAccuracy) << ','
        << numberOrEmpty(r.finalTrainLoss) << ',' << (r.stepsToTarget < 0 ? "" : std::to_string(r.stepsToTarget))
        << ',' << (r.secondsToTarget < 0 ? std::string() : formatNumber(r.secondsToTarget)) << ','
        << formatNumber(r.wallSeconds) << ',' << csvField(r.status) << ',' << numberOrEmpty(r.gridX) << ','
        << numberOrEmpty(r.gridY) << '\n';
  return out.str();
}

void writeStudyResults(const std::string& dir, const StudySpec& spec, const std::vector<StudyResult>& results) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path folder(dir);
  writeFileAtomically((folder / kStudyJsonFile).string(), studyToJson(spec, dir));
  writeFileAtomically((folder / kStudyCsvFile).string(), studyCsv(results));
}

std::vector<StudyResult> readStudyResults(const std::string& dir) {
  const std::string file = (std::filesystem::path(dir) / kStudyCsvFile).string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file + ": cannot open the file");
  std::string line;
  if (!std::getline(in, line) || line != kCsvHeader)
    throw std::runtime_error(file + ":1: expected the header " + std::string(kCsvHeader));
  std::vector<StudyResult> results;
  long lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty()) continue;
    const std::vector<std::string> f = splitCsv(line);
    const std::string where = file + ":" + std::to_string(lineNo) + ": ";
    if (f.size() != kCsvFields)
      throw std::runtime_error(where + "expected " + std::to_string(kCsvFields) + " fields, got " +
                               std::to_string(f.size()));
    auto number = [&](const std::string& text, const char* column) {
      if (text.empty()) return std::nan("");
      try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size()) return v;
      } catch (const std::exception&) {
        // the message below names the column
      }
      throw std::runtime_error(where + column + ": not a number: \"" + text + "\"");
    };
    auto integer = [&](const std::string& text, const char* column) {
      const double v = number(text, column);
      if (std::isnan(v)) return -1.0;
      if (v != std::floor(v) || v < 0) throw std::runtime_error(where + column + ": not an integer: \"" + text + "\"");
      return v;
    };
    StudyResult r;
    r.id = f[0];
    r.run = f[1];
    r.optimizer = f[2];
    r.batchSize = static_cast<int>(integer(f[3], "batch_size"));
    if (r.batchSize < 1) throw std::runtime_error(where + "batch_size: missing");
    r.lr = number(f[4], "lr");
    r.eta = number(f[5], "eta");
    try {
      r.seed = std::stoull(f[6]);
    } catch (const std::exception&) {
      throw std::runtime_error(where + "seed: not an integer: \"" + f[6] + "\"");
    }
    r.finalTestAccuracy = number(f[7], "final_test_accuracy");
    r.bestTestAccuracy = number(f[8], "best_test_accuracy");
    r.finalTrainLoss = number(f[9], "final_train_loss");
    r.stepsToTarget = static_cast<long>(integer(f[10], "steps_to_target"));
    const double seconds = number(f[11], "seconds_to_target");
    r.secondsToTarget = std::isnan(seconds) ? -1.0 : seconds;
    r.wallSeconds = number(f[12], "wall_seconds");
    r.status = f[13];
    r.gridX = number(f[14], "grid_x");
    r.gridY = number(f[15], "grid_y");
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace larslab::engine
