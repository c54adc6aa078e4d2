// CSV export and the CSV log reader (round trip), .npy files, summaries.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "engine/npy.h"
#include "engine/pytorch_export_metrics.h"
#include "engine/session.h"
#include "engine/summary.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() / ("larslab_exports_" + std::to_string(::getpid()) + "_" +
                                           std::to_string(counter_++))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string firstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

bool sameFloat(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(CsvExport, ColumnsAreTheDocumentedOnes) {
  TempDir dir;
  Session session(testing::tinySpec(20), SessionOptions{1});
  while (session.step()) {
  }
  exportMetricsCsv(*session.metrics(), dir.path().string());
  EXPECT_EQ(firstLine(dir.path() / "run_metrics.csv"), "run,step,epoch,loss,accuracy,lr");
  EXPECT_EQ(
      firstLine(dir.path() / "tensor_metrics.csv"),
      "run,step,tensor,kind,weight_norm,grad_norm,trust_ratio,local_lr,update_norm,update_ratio,update_to_data");
  EXPECT_EQ(firstLine(dir.path() / "evaluations.csv"), "run,step,test_loss,test_accuracy");
  EXPECT_EQ(firstLine(dir.path() / "events.csv"), "step,run,kind,detail");
  const std::string runs = readText(dir.path() / "run_metrics.csv");
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 1 + 3 * 20);
  EXPECT_NE(runs.find("\nSGD,9,1,"), std::string::npos);  // 9 steps per epoch: step 9 is epoch 1
  const std::string tensors = readText(dir.path() / "tensor_metrics.csv");
  EXPECT_EQ(std::count(tensors.begin(), tensors.end(), '\n'), 1 + 3 * 20 * 6);
  EXPECT_NE(tensors.find("\nLARS,0,dense1.weight,weight,"), std::string::npos);
  EXPECT_NE(tensors.find("\nLARS,0,dense1.bias,bias,"), std::string::npos);
}

TEST(CsvLogReader, ReadsBackExactlyWhatWasWritten) {
  TempDir dir;
  Session session(testing::tinySpec(30), SessionOptions{2});
  session.submit(SetHyperparameter{"SGD", "lr", 0.03});
  session.submit(
      SetOption{"LARS", "denominator", "norm_of_sum"});  // detail text holds "->" and parentheses
  while (session.step()) {
  }
  const auto original = session.metrics();
  exportMetricsCsv(*original, dir.path().string());
  const auto back = readMetricsLog(dir.path().string());
  ASSERT_EQ(back->runCount(), original->runCount());
  ASSERT_EQ(back->tensorCount(), original->tensorCount());
  EXPECT_DOUBLE_EQ(back->stepsPerEpoch(), original->stepsPerEpoch());
  for (int t = 0; t < back->tensorCount(); ++t) {
    EXPECT_EQ(back->tensors()[t].name, original->tensors()[t].name);
    EXPECT_EQ(back->tensors()[t].kind, original->tensors()[t].kind);
  }
  for (int r = 0; r < back->runCount(); ++r) {
    EXPECT_EQ(back->runName(r), original->runName(r));
    ASSERT_EQ(back->stepCount(r), original->stepCount(r));
    for (long s = 0; s < back->stepCount(r); ++s) {
      for (int m = 0; m < kRunMetricCount; ++m)
        EXPECT_TRUE(sameFloat(back->value(r, static_cast<RunMetric>(m), s),
                              original->value(r, static_cast<RunMetric>(m), s)));
      for (int t = 0; t < back->tensorCount(); ++t)
        for (int m = 0; m < kTensorMetricCount; ++m)
          ASSERT_TRUE(sameFloat(back->value(r, t, static_cast<TensorMetric>(m), s),
                                original->value(r, t, static_cast<TensorMetric>(m), s)))
              << r << " " << s << " " << t << " " << m;
    }
    const auto eb = back->evaluations(r), eo = original->evaluations(r);
    ASSERT_EQ(eb.size(), eo.size());
    for (std::size_t i = 0; i < eb.size(); ++i) {
      EXPECT_EQ(eb[i].step, eo[i].step);
      EXPECT_EQ(eb[i].loss, eo[i].loss);
      EXPECT_EQ(eb[i].accuracy, eo[i].accuracy);
    }
  }
  const auto events = back->events();
  ASSERT_EQ(events.size(), original->events().size());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].detail, original->events()[1].detail);
  EXPECT_EQ(events[0].detail, "lr 0.0625 -> 0.03");
  EXPECT_EQ(events[0].kind, EventKind::Set);
  EXPECT_EQ(events[1].kind, EventKind::Option);
}

TEST(CsvLogReader, AnUnknownEventKindNamesTheFileLineAndTheKnownKinds) {
  TempDir dir;
  writeText(dir.path() / "run_metrics.csv", "run,step,loss\na,0,1\n");
  const fs::path events = dir.path() / "events.csv";
  writeText(events,
            "step,run,kind,detail\n0,a,diverged,diverged at step 0: loss is NaN\n3,a,sett,x\n");
  try {
    readMetricsLog(dir.path().string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              events.string() + ":3: unknown event kind \"sett\" (expected one of set, option, "
                                "rejected, added, removed, diverged, warning, described)");
  }
  writeText(events, "step,run,kind,detail\n0,a,diverged,diverged at step 0: loss is NaN\n");
  const auto store = readMetricsLog(dir.path().string());
  ASSERT_EQ(store->events().size(), 1u);
  EXPECT_EQ(store->events()[0].kind, EventKind::Diverged);
  EXPECT_TRUE(store->status(0).diverged);
  EXPECT_EQ(store->status(0).reason, "loss is NaN");
}

TEST(CsvLogReader, AcceptsAnyColumnOrderMissingColumnsAndQuotedNames) {
  TempDir dir;
  writeText(dir.path() / "run_metrics.csv",
            "step,loss,run,extra\n0,1.5,\"run, one\",x\n1,1.25,\"run, one\",y\n0,nan,b,z\n");
  writeText(dir.path() / "tensor_metrics.csv",
            "run,step,tensor,grad_norm\n\"run, one\",0,fc.weight,2\n\"run, "
            "one\",1,fc.weight,3\nb,0,fc.weight,inf\n");
  const auto store = readMetricsLog((dir.path() / "run_metrics.csv").string());
  ASSERT_EQ(store->runCount(), 2);
  EXPECT_EQ(store->runName(0), "run, one");
  EXPECT_EQ(store->stepCount(0), 2);
  EXPECT_EQ(store->value(0, RunMetric::Loss, 1), 1.25f);
  EXPECT_TRUE(std::isnan(store->value(0, RunMetric::Accuracy, 1)));  // column absent
  EXPECT_TRUE(std::isnan(store->value(1, RunMetric::Loss, 0)));
  ASSERT_EQ(store->tensorCount(), 1);
  EXPECT_EQ(store->value(0, 0, TensorMetric::GradNorm, 1), 3.0f);
  EXPECT_TRUE(std::isinf(store->value(1, 0, TensorMetric::GradNorm, 0)));
  EXPECT_TRUE(std::isnan(store->value(1, 0, TensorMetric::WeightNorm, 0)));
}

TEST(CsvLogReader, MalformedLogsNameTheFileAndLine) {
  TempDir dir;
  const fs::path runs = dir.path() / "run_metrics.csv";
  auto errorOf = [&](const std::string& text) -> std::string {
    writeText(runs, text);
    try {
      readMetricsLog(dir.path().string());
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(errorOf("run,step\n"), runs.string() + ":1: missing column \"loss\"");
  EXPECT_EQ(errorOf("run,step,loss\na,0,1\na,2,1\n"),
            runs.string() +
                ":3: run \"a\": expected step 1, got 2 (steps must be 0, 1, 2, ... without gaps)");
  EXPECT_EQ(errorOf("run,step,loss\na,0,abc\n"),
            runs.string() + ":2: column loss: expected a number, got \"abc\"");
  EXPECT_EQ(errorOf("run,step,loss\na,-1,1\n"),
            runs.string() + ":2: column step: expected a non-negative integer, got \"-1\"");
  EXPECT_EQ(errorOf("run,step,loss\na,0\n"),
            runs.string() + ":2: missing field loss (the row is too short)");
  EXPECT_EQ(errorOf("run,step,loss\n"), runs.string() + ": no data rows");
  EXPECT_EQ(errorOf(""), runs.string() + ": the file is empty (expected a header row)");
  writeText(runs, "run,step,loss\na,0,1\n");
  writeText(dir.path() / "tensor_metrics.csv", "run,step,tensor,grad_norm\nb,0,w,1\n");
  try {
    readMetricsLog(dir.path().string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path() / "tensor_metrics.csv").string() +
                                         ":2: run \"b\" does not appear in run_metrics.csv");
  }
  EXPECT_THROW(readMetricsLog((dir.path() / "nothing").string()), std::runtime_error);
}

// The exported script's metric names come from the table: its MetricLog writes the same columns
// as LARS Lab's CSV writer, and apply_update returns every metric, a ratio as divide(a, b).
TEST(PytorchExport, TensorMetricNamesAndRatiosComeFromTheTable) {
  std::string tuple;
  std::string fields;
  std::string values;
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) {
    tuple += std::string(tuple.empty() ? "" : ", ") + '"' + m.key + '"';
    fields += std::string(fields.empty() ? "" : " ") + m.key;
    const std::string value = m.derived() ? std::string("divide(") + tensorMetricName(m.numerator) + ", " +
                                                tensorMetricName(m.denominator) + ")"
                                          : std::string(m.key);
    values += (values.empty() ? "" : ", ") + value;
  }
  const std::string metricLog = metricLogCode();
  EXPECT_NE(metricLog.find("\nTENSOR_METRICS = (" + tuple + ")\n"), std::string::npos) << metricLog;
  EXPECT_EQ(metricLog.find("TENSOR_METRICS = ("), metricLog.rfind("TENSOR_METRICS = ("));
  const std::string common = optimCommonCode();
  EXPECT_NE(common.find("\n    \"Telemetry\", \"" + fields + "\")\n"), std::string::npos) << common;
  EXPECT_NE(common.find("\n    return Telemetry(" + values + ")\n"), std::string::npos) << common;
  EXPECT_NE(values.find("divide(update_norm, weight_norm)"), std::string::npos) << values;
}

TEST(Npy, HeaderIsVersion1LittleEndianFloatCOrderAligned) {
  TempDir dir;
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  const fs::path path = dir.path() / "w.npy";
  writeNpy(path.string(), values, {2, 3});
  const std::string bytes = readText(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t headerLength =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  const std::string header = bytes.substr(10, headerLength);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u)
      << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(bytes.size(), 10 + headerLength + values.size() * sizeof(float));
  float data[6];
  std::memcpy(data, bytes.data() + 10 + headerLength, sizeof data);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(data[i], values[i]);

  writeNpy((dir.path() / "b.npy").string(), std::vector<float>{7, 8}, {2});
  const NpyArray bias = readNpy((dir.path() / "b.npy").string());
  EXPECT_EQ(bias.shape, std::vector<int>{2});
  EXPECT_NE(readText(dir.path() / "b.npy").find("'shape': (2,), }"), std::string::npos);
  EXPECT_THROW(writeNpy((dir.path() / "x.npy").string(), values, {4, 2}), std::runtime_error);
}

TEST(Npy, ParametersRoundTrip) {
  TempDir dir;
  Session session(testing::tinySpec(5), SessionOptions{1});
  while (session.step()) {
  }
  saveParametersNpy(session.parameters("LARS"), dir.path().string());
  EXPECT_TRUE(fs::exists(dir.path() / "dense1.weight.npy"));
  EXPECT_TRUE(fs::exists(dir.path() / "dense3.bias.npy"));
  const NpyArray w = readNpy((dir.path() / "dense1.weight.npy").string());
  EXPECT_EQ(w.shape, (std::vector<int>{16, 2}));  // PyTorch layout (out, in)
  nn::ParameterStore loaded = session.initialParameters();
  loadParametersNpy(loaded, dir.path().string());
  EXPECT_EQ(std::memcmp(loaded.flat().data(), session.parameters("LARS").flat().data(),
                        static_cast<std::size_t>(loaded.flat().size()) * sizeof(float)),
            0);
  writeText(dir.path() / "dense1.bias.npy", "garbage");
  EXPECT_THROW(loadParametersNpy(loaded, dir.path().string()), std::runtime_error);
}

TEST(Summary, TableAndJsonDescribeEveryRun) {
  Session session(testing::tinySpec(40), SessionOptions{1});
  while (session.step()) {
  }
  const auto runs = summarizeRuns(*session.metrics());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].steps, 40);
  EXPECT_EQ(runs[0].trainWindow, 2);  // 5% of 40
  EXPECT_EQ(runs[0].testStep, 40);
  EXPECT_TRUE(std::isfinite(runs[0].trainLoss));
  const std::string table = summaryTable(runs);
  EXPECT_NE(table.find("LARS"), std::string::npos);
  EXPECT_NE(table.find("finished"), std::string::npos);
  const std::string json =
      summaryJson(*session.metrics()->experiment(), runs, SessionFacts{40, 1, 0.5});
  EXPECT_NE(json.find("\"final_test_accuracy\""), std::string::npos);
  EXPECT_NE(json.find("\"status\": \"finished\""), std::string::npos);
}

}  // namespace
}  // namespace larslab::engine
