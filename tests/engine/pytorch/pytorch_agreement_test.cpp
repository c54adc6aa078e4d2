// The exported PyTorch script against the C++ engine: both start from the same initial weights
// (the .npy files `larslab-cli run --save-weights` writes) and see the same batches (shuffling
// off, the dataset handed over as .npy or read from the same IDX files), both in float32. The
// script's metric log, read back with the engine's own CSV reader, must match the session's
// per-step loss and per-tensor telemetry within the tolerances below.
// Tolerances and the differences measured on the development machine: kMlpTolerance below.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <netdb.h>
#include <unistd.h>

#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "engine/experiment.h"
#include "engine/metrics_store.h"
#include "engine/npy.h"
#include "engine/pytorch_export.h"
#include "engine/session.h"
#include "engine/text_util.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

// Relative tolerance |a - b| / max(|a|, |b|) for every compared value. Both sides compute in
// float32 with different summation orders (Eigen with 4 shards vs. OpenBLAS), so differences
// start near 1e-7 and grow as training amplifies them. Measured worst cases (each test prints
// its own): the spirals MLPs 4.1e-5 over 20 steps (a last-layer bias; loss 6e-7, weight norms
// 1.1e-5), DDP 1.7e-5; the CNN 1.4e-4 over 12 steps at conv1.bias, whose gradient is a sum
// over 32 x 28 x 28 positions that the BatchNorm after it nearly cancels (loss 6e-7).
constexpr double kMlpTolerance = 2e-4;
constexpr double kCnnTolerance = 1e-3;
// Values below this magnitude on both sides are compared absolutely (a norm of exactly zero on
// one side and 1e-12 on the other is agreement).
constexpr double kAbsoluteFloor = 1e-9;

std::string quote(const std::string& s) { return "'" + s + "'"; }

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool pythonHasTorch() {
  static const bool available = [] {
    const CommandResult r = runCommand(std::string(LARSLAB_PYTHON) + " -c 'import torch, numpy'");
    return r.status == 0;
  }();
  return available;
}

#define REQUIRE_TORCH()                                                                \
  if (!pythonHasTorch()) GTEST_SKIP() << LARSLAB_PYTHON << " cannot import torch (apt install python3-torch)"

// torchrun's workers reach their master by this machine's host name. Where it does not resolve
// (a chroot without the name in /etc/hosts) they retry forever; say why instead of hanging.
std::string unresolvableHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "(unknown)";
  addrinfo* found = nullptr;
  const int error = getaddrinfo(name, nullptr, nullptr, &found);
  if (found) freeaddrinfo(found);
  return error == 0 ? std::string() : std::string(name);
}

// A scratch directory per test and process; kept for inspection when the test failed.
class Scratch {
 public:
  explicit Scratch(const std::string& name)
      : path_(fs::path(::testing::TempDir()) / ("larslab_pytorch_" + name + "_" + std::to_string(getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) fs::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

nn::LayerSpec layer(const std::string& type, int units = 0) {
  nn::LayerSpec l;
  l.type = type;
  l.units = units;
  return l;
}

RunSpec run(const std::string& name, const std::string& type, const std::string& preset,
            std::map<std::string, double> hyper, std::map<std::string, std::string> options = {},
            optim::ScheduleConfig schedule = {}) {
  RunSpec r;
  r.name = name;
  r.optimizer.type = type;
  r.optimizer.preset = preset;
  r.optimizer.hyperparameters = std::move(hyper);
  r.optimizer.options = std::move(options);
  r.schedule = schedule;
  return r;
}

optim::ScheduleConfig schedule(const std::string& kind, long warmup) {
  optim::ScheduleConfig s;
  s.kind = kind;
  s.warmupSteps = warmup;
  return s;
}

ExperimentSpec spiralsExperiment() {
  ExperimentSpec spec;
  spec.name = "pytorch agreement";
  spec.dataset.kind = "spirals";
  spec.dataset.samples = 600;  // 480 training samples: 15 batches, so 20 steps cross an epoch
  spec.dataset.noise = 0.1;
  spec.model.layers = {layer("dense", 32), layer("tanh"), layer("dense", 32), layer("tanh"),
                       layer("dense", 32), layer("tanh"), layer("dense", 2)};
  spec.batchSize = 32;
  spec.steps = 20;
  spec.evalEvery = 10;
  spec.seed = 3;
  spec.shuffle = false;
  return spec;
}

// Everything one comparison produced.
struct Agreement {
  std::unique_ptr<Scratch> scratch;
  fs::path dir;
  std::shared_ptr<const MetricsStore> engine;
  std::shared_ptr<MetricsStore> script;
};

struct Worst {
  double relative = 0.0;
  std::string where;
};

double relativeDifference(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return 0.0;
  if (std::isinf(a) && a == b) return 0.0;
  const double scale = std::max(std::abs(a), std::abs(b));
  if (scale < kAbsoluteFloor) return 0.0;
  return std::abs(a - b) / scale;
}

// Trains `spec` in the engine, exports the script with the session's data and initial weights,
// runs it with `launcher` (python3, or torch.distributed.run for DDP) and reads its log back.
Agreement trainBoth(const ExperimentSpec& spec, const std::string& name, bool handOverData,
                    const std::string& launcher = std::string(LARSLAB_PYTHON), const std::string& extraArgs = "") {
  Agreement a;
  a.scratch = std::make_unique<Scratch>(name);
  a.dir = a.scratch->path();
  Session session(spec, SessionOptions{2});
  while (session.step()) {
  }
  a.engine = session.metrics();
  exportMetricsCsv(*a.engine, (a.dir / "cpp").string());
  for (const RunSpec& r : spec.runs)
    saveParametersNpy(session.initialParameters(), (a.dir / "weights" / r.name / "initial").string());
  PytorchExportOptions options;
  if (handOverData) {
    writeDatasetNpy(session.data(), (a.dir / "data").string());
    options.dataDir = "data";  // relative: resolved against the script's directory
  }
  writePytorchScript(spec, (a.dir / "train.py").string(), options);

  const std::string command = launcher + " " + quote((a.dir / "train.py").string()) + " --init-weights " +
                              quote((a.dir / "weights").string()) + " --no-shuffle --steps " +
                              std::to_string(spec.steps) + " --threads 1 --out " + quote((a.dir / "torch").string()) +
                              " " + extraArgs;
  const CommandResult result = runCommand(command);
  EXPECT_EQ(result.status, 0) << command << "\n" << result.output;
  if (result.status != 0) return a;
  a.script = readMetricsLog((a.dir / "torch").string());
  return a;
}

// Compares every run of the engine's log with the script's, step by step; returns the worst
// relative difference per metric and fails on anything above `tolerance`.
void expectAgreement(const Agreement& a, const std::vector<std::string>& runs, long steps, double tolerance) {
  ASSERT_TRUE(a.engine && a.script);
  const MetricsStore& cpp = *a.engine;
  const MetricsStore& py = *a.script;
  ASSERT_EQ(cpp.tensorCount(), py.tensorCount());
  for (int t = 0; t < cpp.tensorCount(); ++t) {
    EXPECT_EQ(cpp.tensors()[t].name, py.tensors()[t].name);
    EXPECT_EQ(cpp.tensors()[t].kind, py.tensors()[t].kind) << cpp.tensors()[t].name;
  }
  std::map<std::string, Worst> worst;
  auto check = [&](const std::string& metric, double expected, double actual, const std::string& where) {
    const double d = relativeDifference(expected, actual);
    Worst& w = worst[metric];
    if (d > w.relative || (std::isnan(d))) w = {d, where};
    EXPECT_LE(d, tolerance) << metric << " at " << where << ": engine " << expected << ", PyTorch " << actual;
  };
  for (const std::string& name : runs) {
    const int rc = cpp.runIndex(name);
    const int rp = py.runIndex(name);
    ASSERT_GE(rc, 0) << name;
    ASSERT_GE(rp, 0) << name << " missing from the script's log";
    ASSERT_EQ(cpp.stepCount(rc), steps) << name;
    ASSERT_EQ(py.stepCount(rp), steps) << name;
    EXPECT_FALSE(cpp.status(rc).diverged) << name;
    for (long s = 0; s < steps; ++s) {
      const std::string at = name + " step " + std::to_string(s);
      check("loss", cpp.value(rc, RunMetric::Loss, s), py.value(rp, RunMetric::Loss, s), at);
      check("lr", cpp.value(rc, RunMetric::LearningRate, s), py.value(rp, RunMetric::LearningRate, s), at);
      // One sample may flip when its two logits are equal to rounding.
      EXPECT_NEAR(cpp.value(rc, RunMetric::Accuracy, s), py.value(rp, RunMetric::Accuracy, s), 1.5 / 32) << at;
      for (int t = 0; t < cpp.tensorCount(); ++t) {
        const std::string tat = at + " " + cpp.tensors()[t].name;
        for (int m = 0; m < kTensorMetricCount; ++m) {
          const auto metric = static_cast<TensorMetric>(m);
          double e = cpp.value(rc, t, metric, s);
          double p = py.value(rp, t, metric, s);
          // A log10 near 0 has no relative precision: compare the ratio it is the logarithm of.
          if (metric == TensorMetric::UpdateToData) {
            e = std::pow(10.0, e);
            p = std::pow(10.0, p);
          }
          check(tensorMetricName(metric), e, p, tat);
        }
      }
    }
    const std::vector<EvalPoint> ce = cpp.evaluations(rc);
    const std::vector<EvalPoint> pe = py.evaluations(rp);
    ASSERT_EQ(ce.size(), pe.size()) << name << " evaluations";
    for (std::size_t i = 0; i < ce.size(); ++i) {
      EXPECT_EQ(ce[i].step, pe[i].step);
      check("test_loss", ce[i].loss, pe[i].loss, name + " eval at step " + std::to_string(ce[i].step));
    }
  }
  std::cout << "[ agreement ] max relative difference over " << steps << " steps:\n";
  for (const auto& [metric, w] : worst)
    std::cout << "    " << metric << ": " << w.relative << (w.where.empty() ? "" : "  (" + w.where + ")") << "\n";
}

std::vector<std::string> readLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The script's CSV files have the engine's header and the engine's key columns row for row.
void expectSameCsvLayout(const Agreement& a, const std::vector<std::string>& runs) {
  for (const char* file : {kRunMetricsFile, kTensorMetricsFile, kEvaluationsFile, kEventsFile}) {
    const std::vector<std::string> cpp = readLines(a.dir / "cpp" / file);
    const std::vector<std::string> py = readLines(a.dir / "torch" / file);
    ASSERT_FALSE(cpp.empty()) << file;
    ASSERT_FALSE(py.empty()) << file;
    EXPECT_EQ(cpp.front(), py.front()) << file << ": header";
    if (std::string(file) == kEventsFile) continue;  // the engine logs nothing but divergence here
    // Rows of the selected runs, keyed by their leading non-numeric columns.
    auto keys = [&](const std::vector<std::string>& lines) {
      std::vector<std::string> out;
      const int keyColumns = std::string(file) == kTensorMetricsFile ? 4 : 2;
      for (std::size_t i = 1; i < lines.size(); ++i) {
        std::stringstream row(lines[i]);
        std::string field, key;
        for (int c = 0; c < keyColumns && std::getline(row, field, ','); ++c) key += field + ",";
        const std::string runName = key.substr(0, key.find(','));
        if (std::find(runs.begin(), runs.end(), runName) != runs.end()) out.push_back(key);
      }
      return out;
    };
    EXPECT_EQ(keys(cpp), keys(py)) << file;
  }
  // The epoch and lr columns hold identical values on both sides: their text must be identical.
  const std::vector<std::string> cpp = readLines(a.dir / "cpp" / kRunMetricsFile);
  const std::vector<std::string> py = readLines(a.dir / "torch" / kRunMetricsFile);
  std::map<std::string, std::string> cppRows;
  auto epochAndLr = [](const std::string& line) {
    std::vector<std::string> f;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) f.push_back(field);
    return f.size() == 6 ? f[0] + "," + f[1] + "," + f[2] + ",...," + f[5] : line;
  };
  for (std::size_t i = 1; i < cpp.size(); ++i) cppRows[cpp[i].substr(0, cpp[i].find(',', cpp[i].find(',') + 1))] = epochAndLr(cpp[i]);
  for (std::size_t i = 1; i < py.size(); ++i) {
    const std::string key = py[i].substr(0, py[i].find(',', py[i].find(',') + 1));
    EXPECT_EQ(cppRows[key], epochAndLr(py[i]));
  }
}

// ---- Tests ---------------------------------------------------------------------------------------

// LARS in several conventions and LAMB on a spirals MLP with tanh: the paper's convention with a
// polynomial schedule and warm-up; timm's LARC with Nesterov (LR outside, clipping, 1-D tensors
// excluded, eps); optax's denominator with apex's zero-norm skip (the biases start at zero);
// LAMB with a clamped phi and without.
TEST(PytorchAgreement, LarsConventionsAndLambOnSpirals) {
  REQUIRE_TORCH();
  ExperimentSpec spec = spiralsExperiment();
  spec.runs = {
      run("lars_paper", "lars", "paper", {{"lr", 4.0}, {"eta", 0.01}, {"weight_decay", 5e-4}}, {},
          schedule("polynomial", 5)),
      run("larc_timm_nesterov", "lars", "timm_larc", {{"lr", 0.5}, {"eta", 0.02}}, {{"momentum_kind", "nesterov"}},
          schedule("cosine", 3)),
      run("lars_optax_skip", "lars", "optax", {{"lr", 3.0}, {"eta", 0.01}, {"weight_decay", 1e-3}},
          {{"zero_norm", "skip"}}, [] {
            optim::ScheduleConfig s = schedule("step", 2);
            s.stepSize = 7;
            s.gamma = 0.5;
            return s;
          }()),
      run("lamb_clamp", "lamb", "", {{"lr", 0.02}, {"clamp_max", 3.0}}, {{"phi", "clamp"}, {"exclude", "vectors"}}),
      run("lamb", "lamb", "", {{"lr", 0.01}, {"weight_decay", 0.01}}),
  };
  const Agreement a = trainBoth(spec, "lars", true);
  std::vector<std::string> names;
  for (const RunSpec& r : spec.runs) names.push_back(r.name);
  expectAgreement(a, names, spec.steps, kMlpTolerance);
  expectSameCsvLayout(a, names);
}

// The baselines of the registry on a second MLP (relu, gelu, leaky_relu, sigmoid, identity).
TEST(PytorchAgreement, BaselineOptimizersOnSpirals) {
  REQUIRE_TORCH();
  ExperimentSpec spec = spiralsExperiment();
  spec.model.layers = {layer("dense", 32), layer("relu"),       layer("dense", 32), layer("gelu"),
                       layer("dense", 16), layer("leaky_relu"), layer("dense", 16), layer("sigmoid"),
                       layer("identity"),  layer("dense", 2)};
  spec.model.layers[5].slope = 0.1;
  spec.runs = {
      run("sgd", "sgd", "", {{"lr", 0.5}, {"weight_decay", 1e-3}}),
      run("momentum", "momentum", "", {{"lr", 0.1}, {"weight_decay", 1e-3}}, {}, schedule("polynomial", 4)),
      run("nesterov", "nesterov", "", {{"lr", 0.1}}),
      run("adam", "adam", "", {{"lr", 0.01}, {"weight_decay", 1e-3}}),
      run("adamw", "adamw", "", {{"lr", 0.01}, {"weight_decay", 0.05}}, {}, schedule("cosine", 2)),
      run("rmsprop", "rmsprop", "", {{"lr", 0.003}, {"momentum", 0.5}, {"weight_decay", 1e-4}}),
      run("adagrad", "adagrad", "", {{"lr", 0.05}, {"weight_decay", 1e-4}}),
  };
  const Agreement a = trainBoth(spec, "baselines", true);
  std::vector<std::string> names;
  for (const RunSpec& r : spec.runs) names.push_back(r.name);
  expectAgreement(a, names, spec.steps, kMlpTolerance);
}

// Convolution, ghost BatchNorm, max pooling and flatten on Fashion-MNIST, read by the script
// from the Debian IDX files itself (no data handed over).
TEST(PytorchAgreement, ConvBatchNormOnFashionMnist) {
  REQUIRE_TORCH();
  const char* env = std::getenv("LARSLAB_FASHION_MNIST_DIR");
  const fs::path fashion = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/usr/share/datasets/fashion-mnist");
  if (!fs::exists(fashion / "train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt install dataset-fashion-mnist)";
  ExperimentSpec spec;
  spec.name = "cnn agreement";
  spec.dataset.kind = "fashion_mnist";
  spec.dataset.limit = 256;
  nn::LayerSpec conv1 = layer("conv2d");
  conv1.filters = 4;
  conv1.kernel = 3;
  conv1.padding = 1;
  nn::LayerSpec pool = layer("maxpool2d");
  pool.kernel = 2;
  nn::LayerSpec conv2 = layer("conv2d");
  conv2.filters = 6;
  conv2.kernel = 3;
  conv2.stride = 2;
  // BatchNorm after the activations: a bias feeding BatchNorm directly has a gradient that is
  // zero in exact arithmetic, so both sides would only compare rounding noise there.
  spec.model.layers = {conv1, layer("relu"), layer("batchnorm"), pool, conv2, layer("tanh"),
                       layer("flatten"), layer("dense", 16), layer("gelu"), layer("batchnorm"), layer("dense", 10)};
  spec.batchSize = 32;
  spec.steps = 12;
  spec.evalEvery = 0;  // at steps 0 and 12 only: each evaluation covers the 10,000 test images
  spec.seed = 5;
  spec.shuffle = false;
  // apex LARC: clipping, and the zero-norm "skip" policy on the zero-initialised biases.
  spec.runs = {run("larc_apex", "larc", "", {{"lr", 0.2}, {"eta", 0.02}, {"weight_decay", 1e-4}})};
  const Agreement a = trainBoth(spec, "cnn", false);
  expectAgreement(a, {"larc_apex"}, spec.steps, kCnnTolerance);
}

// DistributedDataParallel: two gloo processes under torchrun see the same global batches (each
// takes every second sample) and average their gradients, so they follow the engine too.
TEST(PytorchAgreement, DistributedDataParallelMatchesEngine) {
  REQUIRE_TORCH();
  if (const std::string host = unresolvableHostName(); !host.empty())
    GTEST_SKIP() << "the host name '" << host << "' does not resolve (add it to /etc/hosts); torchrun's workers "
                 << "could not find their master";
  ExperimentSpec spec = spiralsExperiment();
  spec.runs = {run("lars_paper", "lars", "paper", {{"lr", 4.0}, {"eta", 0.01}}, {}, schedule("polynomial", 5))};
  // --redirects 1 --tee 1: torch 1.13's default "0" breaks under Python 3.11 (pytorch#92319).
  const std::string launcher = std::string(LARSLAB_PYTHON) +
                               " -m torch.distributed.run --standalone --nproc_per_node=2 --redirects 1 --tee 1";
  const Agreement a = trainBoth(spec, "ddp", true, launcher);
  expectAgreement(a, {"lars_paper"}, spec.steps, kMlpTolerance);
}

// Without LARS Lab's .npy files a CSV experiment still runs: the script reads the file itself
// (the experiment's ignored columns, missing-value policy and resolved path) and splits it with
// NumPy's RNG (stratified, same sizes as LARS Lab's split).
TEST(PytorchExport, CsvExperimentRunsWithoutHandedOverData) {
  REQUIRE_TORCH();
  const Scratch scratch("csv");
  const fs::path& dir = scratch.path();
  {
    // A text column to ignore and missing values to fill with the train mean: the script's
    // own reader must apply the same policy to run at all.
    std::ofstream csv(dir / "points.csv");
    csv << "id,x1,\"x 2\",label\n";
    for (int i = 0; i < 203; ++i) {
      const double a = std::sin(1.7 * i) * 3.0, b = std::cos(0.9 * i + 0.3) * 2.0 + 1.0;
      csv << "p" << i << ',';
      if (i % 17 == 5) csv << "NA"; else csv << a;
      csv << ',' << b << ',' << (a * (b - 1.0) > 0 ? "yes" : "no") << '\n';
    }
  }
  ExperimentSpec spec;
  spec.dataset.kind = "csv";
  spec.dataset.path = "points.csv";  // relative: resolved against the experiment's folder
  spec.dataset.baseDir = dir.string();
  spec.dataset.ignoreColumns = {"id"};
  spec.dataset.missing = data::MissingPolicy::FillTrainMean;
  spec.model.layers = {layer("dense", 8), layer("tanh"), layer("dense", 2)};
  spec.batchSize = 16;
  spec.steps = 3;
  spec.runs = {run("sgd", "sgd", "", {{"lr", 0.1}})};
  writePytorchScript(spec, (dir / "train.py").string());  // no data directory
  const CommandResult r = runCommand(std::string(LARSLAB_PYTHON) + " " + quote((dir / "train.py").string()) +
                                     " --threads 1 --out " + quote((dir / "torch").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("NumPy's RNG"), std::string::npos) << r.output;
  const auto log = readMetricsLog((dir / "torch").string());
  ASSERT_EQ(log->runCount(), 1);
  ASSERT_EQ(log->stepCount(0), 3);
  for (long s = 0; s < 3; ++s) EXPECT_TRUE(std::isfinite(log->value(0, RunMetric::Loss, s)));
  // Same split sizes as LARS Lab: the epoch column (step / batches per epoch) matches.
  Session session(spec, SessionOptions{1});
  while (session.step()) {
  }
  exportMetricsCsv(*session.metrics(), (dir / "cpp").string());
  const std::vector<std::string> cpp = readLines(dir / "cpp" / kRunMetricsFile);
  const std::vector<std::string> py = readLines(dir / "torch" / kRunMetricsFile);
  ASSERT_EQ(cpp.size(), py.size());
  auto epochOf = [](const std::string& line) {
    std::stringstream row(line);
    std::string field;
    for (int c = 0; c < 3; ++c) std::getline(row, field, ',');
    return field;
  };
  EXPECT_EQ(epochOf(cpp[2]), epochOf(py[2]));
}

// The script states the experiment's CSV choices (needs no torch to check): the file by its
// resolved path, the ignored columns and the policy; defaults are left out as before.
TEST(PytorchExport, CsvScriptCarriesIgnoredColumnsPolicyAndResolvedPath) {
  const Scratch scratch("csvliteral");
  const fs::path& dir = scratch.path();
  {
    std::ofstream csv(dir / "points.csv");
    csv << "id,x,label\n";
    for (int i = 0; i < 20; ++i) csv << "p" << i << ',' << (i % 7 == 3 ? "" : std::to_string(i)) << ',' << i % 2 << '\n';
  }
  ExperimentSpec spec;
  spec.dataset.kind = "csv";
  spec.dataset.path = "points.csv";
  spec.dataset.baseDir = dir.string();
  spec.model.layers = {layer("dense", 2)};
  spec.batchSize = 4;
  spec.steps = 2;
  spec.runs = {run("sgd", "sgd", "", {{"lr", 0.1}})};
  spec.dataset.ignoreColumns = {"id"};
  spec.dataset.missing = data::MissingPolicy::FillTrainMean;
  writePytorchScript(spec, (dir / "train.py").string());
  std::string script;
  for (const std::string& line : readLines(dir / "train.py")) script += line + "\n";
  const std::string path = (dir / "points.csv").lexically_normal().string();
  EXPECT_NE(script.find("\"path\": \"" + path + "\""), std::string::npos) << script.substr(0, 2000);
  EXPECT_NE(script.find("\"ignore_columns\": [\"id\"], \"missing\": \"fill_train_mean\""), std::string::npos);
  EXPECT_NE(script.find("DATASET.get(\"ignore_columns\", []), DATASET.get(\"missing\", \"error\")"), std::string::npos);
  spec.dataset.missing = data::MissingPolicy::DropRows;
  writePytorchScript(spec, (dir / "train2.py").string());
  std::string second;
  for (const std::string& line : readLines(dir / "train2.py")) second += line + "\n";
  EXPECT_NE(second.find("\"missing\": \"drop_rows\""), std::string::npos);
  // Without the choices (a file with no text column and nothing missing) neither key appears.
  {
    std::ofstream csv(dir / "plain.csv");
    csv << "x,label\n";
    for (int i = 0; i < 20; ++i) csv << i << ',' << i % 2 << '\n';
  }
  spec.dataset.path = (dir / "plain.csv").string();
  spec.dataset.ignoreColumns.clear();
  spec.dataset.missing = data::MissingPolicy::Error;
  writePytorchScript(spec, (dir / "train3.py").string());
  std::string third;
  for (const std::string& line : readLines(dir / "train3.py")) third += line + "\n";
  EXPECT_EQ(third.find("\"ignore_columns\":"), std::string::npos);
  EXPECT_EQ(third.find("\"missing\":"), std::string::npos);
}

// The script's number formatting is the engine's: shortest round-trip text, fixed or
// scientific as std::to_chars chooses, nan/inf spelled the same.
TEST(PytorchExport, NumberFormatMatchesEngine) {
  REQUIRE_TORCH();
  const Scratch scratch("format");
  const fs::path& dir = scratch.path();
  ExperimentSpec spec = spiralsExperiment();
  spec.runs = {run("lars", "lars", "paper", {})};
  writePytorchScript(spec, (dir / "train.py").string());
  std::vector<float> values = {0.0f, -0.0f, 1.0f, 0.1f, 0.001f, 1e-4f, 1e-5f, 123456.0f, 1234567.0f, 1e7f, 1e8f,
                               3e38f, 1e-38f, 1.17549435e-38f, 1e-45f, 0.5f, 2.5e-3f, 65504.0f, 100.0f, 1e16f, 1e15f,
                               std::nanf(""), INFINITY, -INFINITY};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> mantissa(-10.0f, 10.0f);
  std::uniform_int_distribution<int> exponent(-30, 30);
  for (int i = 0; i < 300; ++i) values.push_back(mantissa(rng) * std::pow(10.0f, static_cast<float>(exponent(rng))));
  writeNpy((dir / "values.npy").string(), values, {static_cast<int>(values.size())});
  const std::string code =
      "import importlib.util, sys, numpy as np\n"
      "spec = importlib.util.spec_from_file_location('train', sys.argv[1])\n"
      "train = importlib.util.module_from_spec(spec); spec.loader.exec_module(train)\n"
      "for v in np.load(sys.argv[2]): print(train.format_number(v, float32=True))\n"
      "for v in np.load(sys.argv[2]).astype(np.float64) / 3: print(train.format_number(v))\n";
  std::ofstream(dir / "check.py") << code;
  const CommandResult r = runCommand(std::string(LARSLAB_PYTHON) + " " + quote((dir / "check.py").string()) + " " +
                                     quote((dir / "train.py").string()) + " " + quote((dir / "values.npy").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  std::stringstream lines(r.output);
  std::string line;
  for (const float v : values) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, formatFloat(v)) << "float32 " << v;
  }
  for (const float v : values) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, formatNumber(static_cast<double>(v) / 3)) << "float64 " << static_cast<double>(v) / 3;
  }
}

// The CLI entry point: the script and the data it needs, next to each other, with the script's
// default --data pointing there; bad input gives exit status 1 and a one-line reason.
TEST(PytorchExport, CommandWritesScriptAndData) {
  const Scratch scratch("command");
  const fs::path& dir = scratch.path();
  ExperimentSpec spec = spiralsExperiment();
  spec.runs = {run("lars", "lars", "timm", {})};
  saveExperiment(spec, (dir / "experiment.json").string());
  std::ostringstream out, err;
  ExportPytorchRequest request;
  request.experiment = (dir / "experiment.json").string();
  request.script = (dir / "out" / "train.py").string();
  ASSERT_EQ(runExportPytorch(request, out, err), 0) << err.str();
  EXPECT_TRUE(err.str().empty()) << err.str();
  for (const char* f : {"train_x.npy", "train_y.npy", "test_x.npy", "test_y.npy"})
    EXPECT_TRUE(fs::exists(dir / "out" / "train_data" / f)) << f;
  const NpyArray x = readNpy((dir / "out" / "train_data" / "train_x.npy").string());
  EXPECT_EQ(x.shape, (std::vector<int>{480, 2}));
  std::ifstream in(dir / "out" / "train.py");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("DEFAULT_DATA_DIR = \"train_data\""), std::string::npos);
  EXPECT_NE(text.find("\"exclude\": \"vectors\""), std::string::npos);  // the timm preset, resolved
  EXPECT_NE(text.find("class LARS(torch.optim.Optimizer)"), std::string::npos);
  EXPECT_EQ(text.find("class LAMB"), std::string::npos);  // only the optimizers the runs use

  std::ostringstream out2, err2;
  request.experiment = (dir / "missing.json").string();
  EXPECT_EQ(runExportPytorch(request, out2, err2), 1);
  const std::string message = err2.str();
  EXPECT_NE(message.find("missing.json"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
}

TEST(PytorchExport, RejectsWhatItCannotExpress) {
  ExperimentSpec spec = spiralsExperiment();
  EXPECT_THROW(exportPytorchScript(spec), std::invalid_argument);  // no runs
  spec.runs = {run("x", "no_such_optimizer", "", {})};
  try {
    (void)exportPytorchScript(spec);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("runs[0]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace larslab::engine
