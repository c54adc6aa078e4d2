#include "engine/csv_log_reader.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "data/csv_tokenizer.h"
#include "engine/csv_export.h"

namespace larslab::engine {

namespace {

namespace fs = std::filesystem;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A metric-log CSV file, split by the shared tokenizer; fields are kept verbatim.
class CsvFile {
 public:
  explicit CsvFile(std::string path) : text_(readAll(path)), tokenizer_(text_, std::move(path)) {}

  // False at the end of the file; blank lines are skipped.
  bool next(std::vector<std::string>& fields) { return tokenizer_.next(fields); }

  // "path:line: message" for the record last read.
  [[nodiscard]] std::runtime_error error(const std::string& message) const {
    return tokenizer_.error(message);
  }
  [[nodiscard]] const std::string& path() const { return tokenizer_.path(); }

 private:
  static std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
  }

  std::string text_;  // before tokenizer_, which views it
  data::CsvTokenizer tokenizer_;
};

struct Header {
  std::map<std::string, std::size_t> columns;
  [[nodiscard]] int find(const std::string& name) const {
    const auto it = columns.find(name);
    return it == columns.end() ? -1 : static_cast<int>(it->second);
  }
};

Header readHeader(CsvFile& file, const std::vector<std::string>& required) {
  std::vector<std::string> fields;
  if (!file.next(fields))
    throw std::runtime_error(file.path() + ": the file is empty (expected a header row)");
  Header header;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name = fields[i];
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    header.columns[name] = i;
  }
  for (const std::string& name : required)
    if (header.find(name) < 0) throw file.error("missing column \"" + name + "\"");
  return header;
}

const std::string& field(const CsvFile& file, const std::vector<std::string>& fields, int column,
                         const char* name) {
  if (column < 0 || static_cast<std::size_t>(column) >= fields.size())
    throw file.error(std::string("missing field ") + name + " (the row is too short)");
  return fields[static_cast<std::size_t>(column)];
}

double parseNumber(const CsvFile& file, const std::string& text, const char* name) {
  std::size_t b = 0, e = text.size();
  while (b < e && text[b] == ' ') ++b;
  while (e > b && text[e - 1] == ' ') --e;
  if (b == e) return std::numeric_limits<double>::quiet_NaN();  // unknown value
  double value = 0.0;
  const char* first = text.data() + b;
  if (*first == '+') ++first;
  const auto result = std::from_chars(first, text.data() + e, value);
  if (result.ec == std::errc::result_out_of_range) {
    // Beyond double: keep the sign, the magnitude is "infinite" for display purposes.
    return *first == '-' ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
  }
  if (result.ec != std::errc() || result.ptr != text.data() + e)
    throw file.error(std::string("column ") + name + ": expected a number, got \"" + text + "\"");
  return value;
}

long parseStep(const CsvFile& file, const std::string& text) {
  long value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value < 0)
    throw file.error("column step: expected a non-negative integer, got \"" + text + "\"");
  return value;
}

nn::TensorKind parseKind(const CsvFile& file, const std::string& text) {
  if (text.empty() || text == "weight") return nn::TensorKind::Weight;
  if (text == "bias") return nn::TensorKind::Bias;
  if (text == "norm") return nn::TensorKind::Norm;
  if (text == "statistic") return nn::TensorKind::Statistic;
  throw file.error("column kind: expected weight, bias, norm or statistic, got \"" + text + "\"");
}

struct RunRows {
  std::vector<float> run;     // step-major, kRunMetricCount per step
  std::vector<float> tensor;  // step-major, tensors * kTensorMetricCount per step
  long steps = 0;
};

// A warning event ("blew up at step 12: ...; first to grow: dense1.weight (...)") back into its
// run's status, as the session recorded it: a blow-up replaces an earlier stall.
void readWarning(const Event& e, const std::map<std::string, int>& runIndex, MetricsStore& store) {
  const auto run = runIndex.find(e.run);
  if (run == runIndex.end()) return;
  RunWarning kind = RunWarning::None;
  for (const RunWarning k : {RunWarning::BlowUp, RunWarning::Stall})
    if (e.detail.rfind(warningPrefix(k, e.step), 0) == 0) kind = k;
  if (kind == RunWarning::None) return;  // a sentence this version does not know: event only
  RunStatusInfo status = store.status(run->second);
  if (status.warning != RunWarning::None && kind != RunWarning::BlowUp) return;
  status.warning = kind;
  status.warningAtStep = e.step;
  status.warningDetail = e.detail;
  status.warningTensor.clear();
  const std::string marker = "; first to grow: ";
  if (const auto at = e.detail.find(marker); at != std::string::npos) {
    const auto begin = at + marker.size();
    status.warningTensor = e.detail.substr(begin, e.detail.find(" (", begin) - begin);
  }
  store.setStatus(run->second, status);
}

}  // namespace

std::shared_ptr<MetricsStore> readMetricsLog(const std::string& path) {
  fs::path runPath(path);
  if (fs::is_directory(runPath)) runPath /= kRunMetricsFile;
  if (!fs::exists(runPath)) throw std::runtime_error(runPath.string() + ": no such file");
  const fs::path directory = runPath.parent_path();

  // ---- run metrics ----
  std::vector<std::string> runNames;
  std::map<std::string, int> runIndex;
  std::vector<RunRows> rows;
  double stepsPerEpoch = 0.0;
  {
    CsvFile file(runPath.string());
    const Header header = readHeader(file, {"run", "step", "loss"});
    const int cRun = header.find("run"), cStep = header.find("step"), cEpoch = header.find("epoch");
    const int cMetric[kRunMetricCount] = {header.find("loss"), header.find("accuracy"),
                                          header.find("lr")};
    std::vector<std::string> fields;
    while (file.next(fields)) {
      const std::string& name = field(file, fields, cRun, "run");
      auto [it, added] = runIndex.try_emplace(name, static_cast<int>(runNames.size()));
      if (added) {
        runNames.push_back(name);
        rows.emplace_back();
      }
      RunRows& r = rows[static_cast<std::size_t>(it->second)];
      const long step = parseStep(file, field(file, fields, cStep, "step"));
      if (step != r.steps)
        throw file.error("run \"" + name + "\": expected step " + std::to_string(r.steps) +
                         ", got " + std::to_string(step) +
                         " (steps must be 0, 1, 2, ... without gaps)");
      for (int m = 0; m < kRunMetricCount; ++m) {
        const char* metricName = runMetricName(static_cast<RunMetric>(m));
        r.run.push_back(cMetric[m] < 0
                            ? kNaN
                            : static_cast<float>(parseNumber(
                                  file, field(file, fields, cMetric[m], metricName), metricName)));
      }
      if (cEpoch >= 0 && stepsPerEpoch == 0.0 && step > 0) {
        const double epoch = parseNumber(file, field(file, fields, cEpoch, "epoch"), "epoch");
        if (std::isfinite(epoch) && epoch > 0.0) stepsPerEpoch = static_cast<double>(step) / epoch;
      }
      ++r.steps;
    }
  }
  if (runNames.empty()) throw std::runtime_error(runPath.string() + ": no data rows");

  // ---- tensor metrics: first pass finds the tensors, second pass fills the values ----
  std::vector<TensorColumnInfo> tensors;
  const fs::path tensorPath = directory / kTensorMetricsFile;
  if (fs::exists(tensorPath)) {
    std::map<std::string, int> tensorIndex;
    {
      CsvFile file(tensorPath.string());
      const Header header = readHeader(file, {"run", "step", "tensor"});
      const int cTensor = header.find("tensor"), cKind = header.find("kind");
      std::vector<std::string> fields;
      while (file.next(fields)) {
        const std::string& name = field(file, fields, cTensor, "tensor");
        if (tensorIndex.try_emplace(name, static_cast<int>(tensors.size())).second)
          tensors.push_back({name,
                             cKind < 0 ? nn::TensorKind::Weight
                                       : parseKind(file, field(file, fields, cKind, "kind")),
                             {}});
      }
    }
    const std::size_t perStep = tensors.size() * kTensorMetricCount;
    for (RunRows& r : rows) r.tensor.assign(static_cast<std::size_t>(r.steps) * perStep, kNaN);
    CsvFile file(tensorPath.string());
    const Header header = readHeader(file, {"run", "step", "tensor"});
    const int cRun = header.find("run"), cStep = header.find("step"),
              cTensor = header.find("tensor");
    int cMetric[kTensorMetricCount];
    for (int m = 0; m < kTensorMetricCount; ++m)
      cMetric[m] = header.find(optim::kTensorMetrics[static_cast<std::size_t>(m)].key);
    std::vector<std::string> fields;
    while (file.next(fields)) {
      const std::string& name = field(file, fields, cRun, "run");
      const auto run = runIndex.find(name);
      if (run == runIndex.end())
        throw file.error("run \"" + name + "\" does not appear in " + std::string(kRunMetricsFile));
      RunRows& r = rows[static_cast<std::size_t>(run->second)];
      const long step = parseStep(file, field(file, fields, cStep, "step"));
      if (step >= r.steps)
        throw file.error("run \"" + name + "\": step " + std::to_string(step) + " is not in " +
                         std::string(kRunMetricsFile));
      const int t = tensorIndex.at(field(file, fields, cTensor, "tensor"));
      float* out = r.tensor.data() + static_cast<std::size_t>(step) * perStep +
                   static_cast<std::size_t>(t) * kTensorMetricCount;
      for (int m = 0; m < kTensorMetricCount; ++m) {
        const char* metricName = optim::kTensorMetrics[static_cast<std::size_t>(m)].key;
        if (cMetric[m] >= 0)
          out[m] = static_cast<float>(
              parseNumber(file, field(file, fields, cMetric[m], metricName), metricName));
      }
    }
  }

  long capacity = 1;
  for (const RunRows& r : rows) capacity = std::max(capacity, r.steps);
  auto store = std::make_shared<MetricsStore>(tensors, capacity, stepsPerEpoch);
  const std::size_t perStep = tensors.size() * kTensorMetricCount;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) >= MetricsStore::kMaxRuns)
      throw std::runtime_error(runPath.string() + ": more than " +
                               std::to_string(MetricsStore::kMaxRuns) + " runs");
    const int run = store->addRun(runNames[i]);
    RunRows& r = rows[i];
    for (long s = 0; s < r.steps; ++s)
      store->appendStep(
          run, std::span<const float>(r.run.data() + s * kRunMetricCount, kRunMetricCount),
          std::span<const float>(r.tensor.data() + static_cast<std::size_t>(s) * perStep, perStep));
    r = RunRows{};  // free as we go
    RunStatusInfo status;
    status.finished = true;
    store->setStatus(run, status);
  }

  // ---- optional evaluations and events ----
  const fs::path evalPath = directory / kEvaluationsFile;
  if (fs::exists(evalPath)) {
    CsvFile file(evalPath.string());
    const Header header = readHeader(file, {"run", "step", "test_loss"});
    const int cRun = header.find("run"), cStep = header.find("step"),
              cLoss = header.find("test_loss"), cAcc = header.find("test_accuracy");
    std::vector<std::string> fields;
    while (file.next(fields)) {
      const std::string& name = field(file, fields, cRun, "run");
      const auto run = runIndex.find(name);
      if (run == runIndex.end())
        throw file.error("run \"" + name + "\" does not appear in " + std::string(kRunMetricsFile));
      EvalPoint p;
      p.step = parseStep(file, field(file, fields, cStep, "step"));
      p.loss = parseNumber(file, field(file, fields, cLoss, "test_loss"), "test_loss");
      p.accuracy =
          cAcc < 0 ? std::numeric_limits<double>::quiet_NaN()
                   : parseNumber(file, field(file, fields, cAcc, "test_accuracy"), "test_accuracy");
      store->addEvaluation(run->second, p);
    }
  }
  const fs::path eventPath = directory / kEventsFile;
  if (fs::exists(eventPath)) {
    CsvFile file(eventPath.string());
    const Header header = readHeader(file, {"step", "run", "kind", "detail"});
    const int cStep = header.find("step"), cRun = header.find("run"), cKind = header.find("kind"),
              cDetail = header.find("detail");
    std::vector<std::string> fields;
    while (file.next(fields)) {
      Event e;
      e.step = parseStep(file, field(file, fields, cStep, "step"));
      e.run = field(file, fields, cRun, "run");
      const std::string& kind = field(file, fields, cKind, "kind");
      const std::optional<EventKind> known = eventKindFromName(kind);
      if (!known)
        throw file.error("unknown event kind \"" + kind + "\" (expected one of " +
                         eventKindNames() + ")");
      e.kind = *known;
      e.detail = field(file, fields, cDetail, "detail");
      if (e.kind == EventKind::Warning) readWarning(e, runIndex, *store);
      if (e.kind == EventKind::Diverged) {
        const auto run = runIndex.find(e.run);
        if (run != runIndex.end()) {
          RunStatusInfo status = store->status(run->second);  // keeps a warning read before
          status.finished = false;
          status.diverged = true;
          status.divergedAtStep = e.step;
          const std::string prefix = "diverged at step " + std::to_string(e.step) + ": ";
          status.reason =
              e.detail.rfind(prefix, 0) == 0 ? e.detail.substr(prefix.size()) : e.detail;
          store->setStatus(run->second, status);
        }
      }
      store->addEvent(std::move(e));
    }
  }
  return store;
}

}  // namespace larslab::engine
