#include "engine/csv_export.h"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "engine/atomic_file.h"
#include "engine/text_util.h"

namespace larslab::engine {

namespace {

// Rows are read in blocks so that a long log never needs a second full copy in memory.
constexpr long kBlock = 8192;

std::string epochText(const MetricsStore& store, long step) {
  if (store.stepsPerEpoch() <= 0.0) return {};
  return formatNumber(static_cast<double>(step) / store.stepsPerEpoch());
}

std::string runText(const MetricsStore& store, int run) { return csvField(store.runName(run)); }

}  // namespace

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void writeRunMetricsCsv(const MetricsStore& store, std::ostream& out) {
  out << "run,step,epoch,loss,accuracy,lr\n";
  std::vector<float> columns[kRunMetricCount];
  for (int run = 0; run < store.runCount(); ++run) {
    const std::string name = runText(store, run);
    const long count = store.stepCount(run);  // one snapshot: every column is read up to it
    for (long begin = 0; begin < count; begin += kBlock) {
      const long end = std::min(count, begin + kBlock);
      for (int m = 0; m < kRunMetricCount; ++m)
        store.read(run, static_cast<RunMetric>(m), begin, end, columns[m]);
      for (long s = begin; s < end; ++s) {
        const auto i = static_cast<std::size_t>(s - begin);
        out << name << ',' << s << ',' << epochText(store, s);
        for (int m = 0; m < kRunMetricCount; ++m) out << ',' << formatFloat(columns[m][i]);
        out << '\n';
      }
    }
  }
}

void writeTensorMetricsCsv(const MetricsStore& store, std::ostream& out) {
  out << "run,step,tensor,kind";
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) out << ',' << m.key;
  out << '\n';
  const int tensors = store.tensorCount();
  std::vector<std::string> tensorText;
  for (const TensorColumnInfo& t : store.tensors())
    tensorText.push_back(csvField(t.name) + ',' + nn::tensorKindName(t.kind));
  std::vector<std::vector<float>> columns(static_cast<std::size_t>(tensors * kTensorMetricCount));
  for (int run = 0; run < store.runCount(); ++run) {
    const std::string name = runText(store, run);
    const long count = store.stepCount(run);
    for (long begin = 0; begin < count; begin += kBlock) {
      const long end = std::min(count, begin + kBlock);
      for (int t = 0; t < tensors; ++t)
        for (int m = 0; m < kTensorMetricCount; ++m)
          store.read(run, t, static_cast<TensorMetric>(m), begin, end,
                     columns[static_cast<std::size_t>(t * kTensorMetricCount + m)]);
      for (long s = begin; s < end; ++s) {
        const auto i = static_cast<std::size_t>(s - begin);
        for (int t = 0; t < tensors; ++t) {
          out << name << ',' << s << ',' << tensorText[static_cast<std::size_t>(t)];
          for (int m = 0; m < kTensorMetricCount; ++m)
            out << ','
                << formatFloat(columns[static_cast<std::size_t>(t * kTensorMetricCount + m)][i]);
          out << '\n';
        }
      }
    }
  }
}

void writeEvaluationsCsv(const MetricsStore& store, std::ostream& out) {
  out << "run,step,test_loss,test_accuracy\n";
  for (int run = 0; run < store.runCount(); ++run) {
    const std::string name = runText(store, run);
    for (const EvalPoint& p : store.evaluations(run))
      out << name << ',' << p.step << ',' << formatNumber(p.loss) << ',' << formatNumber(p.accuracy)
          << '\n';
  }
}

void writeEventsCsv(const MetricsStore& store, std::ostream& out) {
  out << "step,run,kind,detail\n";
  for (const Event& e : store.events())
    out << e.step << ',' << csvField(e.run) << ',' << csvField(eventKindName(e.kind)) << ','
        << csvField(e.detail) << '\n';
}

void exportMetricsCsv(const MetricsStore& store, const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error)
    throw std::runtime_error(directory + ": cannot create the directory: " + error.message());
  const fs::path dir(directory);
  writeFileAtomically((dir / kRunMetricsFile).string(),
                      [&](std::ostream& o) { writeRunMetricsCsv(store, o); });
  writeFileAtomically((dir / kTensorMetricsFile).string(),
                      [&](std::ostream& o) { writeTensorMetricsCsv(store, o); });
  writeFileAtomically((dir / kEvaluationsFile).string(),
                      [&](std::ostream& o) { writeEvaluationsCsv(store, o); });
  writeFileAtomically((dir / kEventsFile).string(),
                      [&](std::ostream& o) { writeEventsCsv(store, o); });
}

}  // namespace larslab::engine
