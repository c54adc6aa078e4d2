// Batch-size studies: the file reader's errors, the expansion's scaling rules, the parallel
// runner against a configuration trained alone, and study.csv read back.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/csv_export.h"
#include "engine/csv_log_reader.h"
#include "engine/session.h"
#include "engine/study.h"
#include "engine/study_curves.h"
#include "engine/study_runner.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

// The tiny spirals experiment (300 training samples, batch 32) inline, with `extra` fields.
std::string studyJson(const std::string& extra) {
  return R"({"version": 1, "name": "t", "experiment": )" + testing::tinyJson(40) + ", " + extra + "}";
}

std::string firstIssuePath(const std::string& text) {
  try {
    parseStudy(text, "t.json");
  } catch (const SpecError& e) {
    return e.issues().front().path + ": " + e.issues().front().message;
  }
  return "no error";
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StudySpec, ErrorsNameTheField) {
  EXPECT_EQ(firstIssuePath(studyJson(R"("batch_sizes": [32], "batchsize": 3)")).rfind("batchsize: unknown field", 0), 0u);
  EXPECT_EQ(firstIssuePath(studyJson(R"("batch_sizes": [])")).rfind("batch_sizes: must be a non-empty", 0), 0u);
  EXPECT_EQ(firstIssuePath(studyJson(R"("batch_sizes": [32, 301])")),
            "batch_sizes[1]: must not exceed the training split (300 samples), got 301");
  EXPECT_EQ(firstIssuePath(studyJson(R"("batch_sizes": [32], "lr_scaling": "linar")"))
                .rfind("lr_scaling: must be one of none, linear, sqrt, got \"linar\" (did you mean linear?)", 0),
            0u);
  EXPECT_EQ(firstIssuePath(studyJson(R"("batch_sizes": [32], "seeds": [])")).rfind("seeds: ", 0), 0u);
  // An inline experiment's own problems keep their path under "experiment".
  EXPECT_EQ(firstIssuePath(R"({"version": 1, "experiment": {"version": 1}, "batch_sizes": [8]})")
                .rfind("experiment.model: missing", 0),
            0u);
}

TEST(StudySpec, DefaultsComeFromTheExperiment) {
  const StudySpec s = parseStudy(studyJson(R"("batch_sizes": [32, 64])"), "t.json");
  EXPECT_EQ(s.baseBatchSize, 32);
  EXPECT_EQ(s.seeds, std::vector<std::uint64_t>{3});
  EXPECT_DOUBLE_EQ(s.epochs, 40.0 / (300 / 32));  // 40 steps of 9 batches per epoch
  EXPECT_EQ(s.lrScaling, "none");
  EXPECT_FALSE(s.warmupEpochs.has_value());
  // Saved and read back: the same study.
  const StudySpec back = parseStudy(studyToJson(s), "back.json");
  EXPECT_EQ(studyToJson(back), studyToJson(s));
}

// The tiny experiment with LARS alone: a grid may name eta only when every run has it.
std::string larsGridJson(const std::string& grid, const std::string& extra = "") {
  std::string experiment = testing::tinyJson(40);
  const std::size_t sgd = experiment.find(",\n      {\"name\": \"SGD\"");
  const std::size_t end = experiment.find("]", sgd);
  experiment.erase(sgd, end - sgd);
  return R"({"version": 1, "name": "g", "experiment": )" + experiment + R"(, "grid": )" + grid +
         (extra.empty() ? "" : ", " + extra) + "}";
}

TEST(StudySpec, GridErrorsNameTheField) {
  // eta is LARS's: with SGD and Adam in the experiment it is not a parameter of every run.
  EXPECT_EQ(firstIssuePath(studyJson(R"("grid": {"x": {"parameter": "eta", "values": [0.01]},
                                                  "y": {"parameter": "lr", "values": [0.1]}})")),
            "grid.x.parameter: must be one of batch_size, lr, weight_decay (a hyperparameter every run has), got "
            "\"eta\"");
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "etta", "values": [0.01]},
                                            "y": {"parameter": "lr", "values": [0.1]}})"))
                .find("got \"etta\" (did you mean eta?)") != std::string::npos,
            true);
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "eta", "values": [0.01, 0.01]},
                                            "y": {"parameter": "lr", "values": [0.1]}})")),
            "grid.x.values[1]: duplicate value 0.01");
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "eta", "values": [0.01]},
                                            "y": {"parameter": "lr", "values": []}})")),
            "grid.y.values: must be a non-empty array of numbers, got an empty array");
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "eta", "values": [-1]},
                                            "y": {"parameter": "lr", "values": [0.1]}})"))
                .rfind("grid.x.values[0]: must be in [", 0),
            0u);
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "lr", "values": [0.1]},
                                            "y": {"parameter": "lr", "values": [0.2]}})")),
            "grid.y.parameter: must differ from grid.x.parameter (both are \"lr\")");
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "batch_size", "values": [32, 301]},
                                            "y": {"parameter": "lr", "values": [0.1]}})")),
            "grid.x.values[1]: must not exceed the training split (300 samples), got 301");
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "batch_size", "values": [32]},
                                            "y": {"parameter": "lr", "values": [0.1]}})",
                                        R"("batch_sizes": [32])"))
                .rfind("batch_sizes: must be left out", 0),
            0u);
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "eta", "values": [0.01]},
                                            "y": {"parameter": "lr", "values": [0.1]}})",
                                        R"("batch_sizes": [32, 64])"))
                .rfind("batch_sizes: a grid study trains at one batch size", 0),
            0u);
  EXPECT_EQ(firstIssuePath(larsGridJson(R"({"x": {"parameter": "eta", "values": [0.01]}, "z": 1})"))
                .rfind("grid.z: unknown field", 0),
            0u);
}

TEST(StudyExpansion, GridSetsBothHyperparametersAtEveryPoint) {
  const StudySpec s = parseStudy(larsGridJson(R"({"x": {"parameter": "eta", "values": [0.001, 0.01, 0.1]},
                                                  "y": {"parameter": "lr", "values": [0.5, 2]}})",
                                              R"("seeds": [1, 2])"),
                                 "g.json");
  ASSERT_TRUE(s.grid.has_value());
  EXPECT_EQ(s.batchSizes, std::vector<int>{32});  // the experiment's
  const std::vector<StudyConfiguration> cs = expandStudy(s);
  ASSERT_EQ(cs.size(), 3u * 2u * 2u);  // x values x y values x seeds, y outermost, seed innermost
  const StudyConfiguration& c = cs[(1 * 3 + 2) * 2 + 1];  // lr 2, eta 0.1, seed 2
  EXPECT_EQ(c.id, "lars_b32_eta0.1_lr2_s2");
  EXPECT_DOUBLE_EQ(c.gridX, 0.1);
  EXPECT_DOUBLE_EQ(c.gridY, 2.0);
  EXPECT_DOUBLE_EQ(c.eta, 0.1);
  EXPECT_DOUBLE_EQ(c.lr, 2.0);
  EXPECT_DOUBLE_EQ(c.experiment.runs[0].optimizer.hyperparameters.at("eta"), 0.1);
  EXPECT_DOUBLE_EQ(c.experiment.runs[0].optimizer.hyperparameters.at("lr"), 2.0);
  EXPECT_EQ(c.seed, 2u);
  // Saved and read back: the same study.
  EXPECT_EQ(studyToJson(parseStudy(studyToJson(s), "back.json")), studyToJson(s));
}

TEST(StudyExpansion, GridOverBatchSizeScalesTheGridsLr) {
  const StudySpec s = parseStudy(larsGridJson(R"({"x": {"parameter": "batch_size", "values": [32, 128]},
                                                  "y": {"parameter": "lr", "values": [0.5, 1]}})",
                                              R"("lr_scaling": "linear", "epochs": 2)"),
                                 "g.json");
  EXPECT_EQ(s.batchSizes, (std::vector<int>{32, 128}));
  const std::vector<StudyConfiguration> cs = expandStudy(s);
  ASSERT_EQ(cs.size(), 4u);
  EXPECT_EQ(cs[3].id, "lars_b128_lr1_s3");
  EXPECT_EQ(cs[3].batchSize, 128);
  EXPECT_DOUBLE_EQ(cs[3].lr, 4.0);  // lr 1 at base batch 32, x4
  EXPECT_DOUBLE_EQ(cs[3].gridX, 128.0);
  EXPECT_DOUBLE_EQ(cs[3].gridY, 1.0);
  EXPECT_EQ(cs[3].totalSteps, 2 * (300 / 128));
  EXPECT_EQ(studyToJson(parseStudy(studyToJson(s), "back.json")), studyToJson(s));
}

TEST(StudyExpansion, ScalesLrAndWarmupPerRule) {
  for (const std::string rule : {"none", "linear", "sqrt"}) {
    const StudySpec s = parseStudy(studyJson(R"("batch_sizes": [32, 128], "epochs": 4, "warmup_epochs": 1.5,
        "seeds": [1, 2], "lr_scaling": ")" + rule + "\""),
                                   "t.json");
    const std::vector<StudyConfiguration> cs = expandStudy(s);
    ASSERT_EQ(cs.size(), 3u * 2u * 2u);  // runs x batch sizes x seeds
    const double factor = rule == "linear" ? 4.0 : (rule == "sqrt" ? 2.0 : 1.0);
    // LARS (lr 2.0, eta 0.01) at batch 128, seed 2: index 0*4 + 1*2 + 1.
    const StudyConfiguration& c = cs[3];
    EXPECT_EQ(c.id, "lars_b128_s2");
    EXPECT_EQ(c.batchSize, 128);
    EXPECT_EQ(c.seed, 2u);
    EXPECT_DOUBLE_EQ(c.lr, 2.0 * factor) << rule;
    EXPECT_DOUBLE_EQ(c.eta, 0.01);
    EXPECT_DOUBLE_EQ(c.experiment.runs.at(0).optimizer.hyperparameters.at("lr"), 2.0 * factor);
    // 300 / 128 = 2 steps per epoch: warm-up round(1.5 * 2) = 3 steps, 8 steps in all.
    EXPECT_EQ(c.experiment.runs[0].schedule.warmupSteps, 3);
    EXPECT_EQ(c.totalSteps, 8);
    EXPECT_EQ(c.experiment.seed, 2u);
    EXPECT_EQ(c.experiment.batchSize, 128);
    // Batch 32: 9 steps per epoch, warm-up round(13.5) = 14 steps, 36 steps, eval every ~36/20.
    EXPECT_EQ(cs[0].experiment.runs[0].schedule.warmupSteps, 14);
    EXPECT_EQ(cs[0].totalSteps, 36);
    EXPECT_EQ(cs[0].experiment.evalEvery, 2);
    EXPECT_TRUE(std::isnan(cs[4].eta));  // SGD has no eta
    EXPECT_EQ(cs[4].id, "sgd_b32_s1");
  }
}

TEST(StudyExpansion, KeepsARunsOwnWarmupInEpochsWithoutStudyWarmup) {
  std::string e = testing::tinyJson(40);
  const std::string from = R"("optimizer": {"type": "lars", "lr": 2.0, "eta": 0.01}})";
  e.replace(e.find(from), from.size(),
            R"("optimizer": {"type": "lars", "lr": 2.0, "eta": 0.01}, "schedule": {"kind": "polynomial", "warmup_steps": 9}})");
  const StudySpec s = parseStudy(R"({"version": 1, "experiment": )" + e + R"(, "batch_sizes": [32, 64], "epochs": 3})", "t.json");
  const std::vector<StudyConfiguration> cs = expandStudy(s);
  EXPECT_EQ(cs[0].experiment.runs[0].schedule.warmupSteps, 9);  // one epoch at batch 32
  EXPECT_EQ(cs[1].experiment.runs[0].schedule.warmupSteps, 4);  // one epoch at batch 64
}

TEST(StudyExpansion, BuiltInFashionStudyScalesFromBatch128) {
  // Parsing needs no image: the split's size is a fact of the dataset.
  const StudySpec s = loadStudy(std::string(LARSLAB_STUDIES_DIR) + "/batch-size-fashion-mlp.json");
  const std::vector<StudyConfiguration> cs = expandStudy(s);
  ASSERT_EQ(cs.size(), 3u * 7u);
  const StudyConfiguration& big = cs[6];  // LARS at batch 8192
  EXPECT_EQ(big.id, "lars_b8192_s1");
  EXPECT_DOUBLE_EQ(big.lr, 1.0 * 64);  // lr 1 at batch 128: from the eta x lr grid study
  EXPECT_DOUBLE_EQ(big.eta, 0.001);
  EXPECT_EQ(big.totalSteps, 5 * (60000 / 8192));
  EXPECT_EQ(big.experiment.runs[0].schedule.warmupSteps, 60000 / 8192);  // one epoch
  EXPECT_EQ(big.experiment.runs[0].schedule.kind, "polynomial");
  EXPECT_EQ(cs[0].experiment.runs[0].schedule.warmupSteps, 60000 / 128);
  EXPECT_EQ(cs[7].id, "sgd_momentum_b128_s1");
  EXPECT_DOUBLE_EQ(cs[7 + 6].lr, 0.1 * 64);
}

class StudyRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("larslab_study_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(StudyRun, AConfigurationInTheStudyMatchesItRunAlone) {
  const StudySpec s = loadStudy(std::string(LARSLAB_STUDIES_DIR) + "/batch-size-moons.json");
  std::vector<StudyConfiguration> cs = expandStudy(s);
  ASSERT_GE(cs.size(), 6u);
  StudyRunOptions options;
  options.threads = 2;
  options.outDir = dir_.string();
  std::atomic<int> calls{0};
  StudyProgress last;
  options.progress = [&](const StudyProgress& p) {
    ++calls;
    last = p;
  };
  const StudyOutcome outcome = runStudy(s, cs, options);
  ASSERT_TRUE(outcome.writeError.empty()) << outcome.writeError;
  EXPECT_FALSE(outcome.cancelled);
  EXPECT_EQ(last.configurationsDone, static_cast<int>(cs.size()));
  EXPECT_EQ(last.stepsDone, last.steps);
  EXPECT_GT(calls.load(), 0);
  for (const StudyResult& r : outcome.results) {
    EXPECT_FALSE(r.status.empty()) << r.id;
    EXPECT_TRUE(r.status.rfind("finished", 0) == 0 || r.status.rfind("diverged", 0) == 0) << r.status;
  }
  // Every configuration, trained alone from its saved experiment.json: the same bytes.
  for (const StudyConfiguration& c : cs) {
    const fs::path saved = dir_ / "configs" / c.id;
    Session alone(loadExperiment((saved / "experiment.json").string()), SessionOptions{1});
    while (alone.step()) {
    }
    const fs::path again = dir_ / "alone" / c.id;
    exportMetricsCsv(*alone.metrics(), again.string());
    for (const char* f : {kRunMetricsFile, kTensorMetricsFile, kEvaluationsFile, kEventsFile})
      EXPECT_EQ(read(saved / f), read(again / f)) << c.id << " " << f;
  }
}

TEST_F(StudyRun, CancelledBeforeTheStartMarksEveryConfiguration) {
  const StudySpec s = loadStudy(std::string(LARSLAB_STUDIES_DIR) + "/batch-size-moons.json");
  const std::vector<StudyConfiguration> cs = expandStudy(s);
  std::atomic<bool> cancel{true};
  StudyRunOptions options;
  options.cancel = &cancel;
  StudyProgress last;
  options.progress = [&last](const StudyProgress& p) { last = p; };
  const StudyOutcome outcome = runStudy(s, cs, options);
  EXPECT_TRUE(outcome.cancelled);
  for (const StudyResult& r : outcome.results) EXPECT_EQ(r.status, "cancelled");
  EXPECT_EQ(last.stepsDone, last.steps);
  EXPECT_EQ(last.configurationsDone, last.configurations);
}

TEST_F(StudyRun, StudyCsvRoundTrips) {
  StudyResult a;
  a.id = "lars_b64_s1";
  a.run = "LARS, paper";
  a.optimizer = "lars";
  a.batchSize = 64;
  a.lr = 0.1 * 3;
  a.eta = 0.001;
  a.seed = 7;
  a.finalTestAccuracy = 0.8125;
  a.bestTestAccuracy = 0.84375;
  a.finalTrainLoss = 0.4;
  a.stepsToTarget = 120;
  a.secondsToTarget = 1.25;
  a.wallSeconds = 2.5;
  a.status = "finished; blew up at step 3: \"loss\"";
  StudyResult b = a;
  b.id = "sgd_b64_s1";
  b.eta = std::nan("");
  b.stepsToTarget = -1;
  b.secondsToTarget = -1;
  b.finalTestAccuracy = std::nan("");
  b.status = "diverged at step 4: loss is NaN";
  b.gridX = 0.01;
  b.gridY = 2.5;
  const StudySpec s = parseStudy(studyJson(R"("batch_sizes": [64])"), "t.json");
  writeStudyResults(dir_.string(), s, {a, b});
  const std::vector<StudyResult> back = readStudyResults(dir_.string());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(studyCsv(back), studyCsv({a, b}));
  EXPECT_EQ(back[0].run, a.run);
  EXPECT_EQ(back[0].status, a.status);
  EXPECT_EQ(back[1].stepsToTarget, -1);
  EXPECT_TRUE(std::isnan(back[1].eta));
  EXPECT_TRUE(std::isnan(back[0].gridX));
  EXPECT_DOUBLE_EQ(back[1].gridX, 0.01);
  EXPECT_DOUBLE_EQ(back[1].gridY, 2.5);
  // study.json is a study file.
  EXPECT_NO_THROW(loadStudy((dir_ / kStudyJsonFile).string()));

  std::ofstream(dir_ / kStudyCsvFile, std::ios::app) << "x,y,lars,notanumber,1,,1,,,,,,1,finished,,\n";
  try {
    readStudyResults(dir_.string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("study.csv:4: batch_size"), std::string::npos) << e.what();
  }
}


TEST_F(StudyRun, CurvesFoldTheSeedsOfAPoint) {
  const StudySpec s = loadStudy(std::string(LARSLAB_STUDIES_DIR) + "/batch-size-moons.json");
  std::vector<StudyConfiguration> cs;
  for (const StudyConfiguration& c : expandStudy(s))
    if (c.run == "Adam" && c.batchSize == 16) cs.push_back(c);  // seeds 1 and 2
  ASSERT_EQ(cs.size(), 2u);
  StudyRunOptions options;
  options.outDir = dir_.string();
  std::vector<std::size_t> done;
  options.configurationDone = [&done](std::size_t i, const StudyResult& r) {
    EXPECT_FALSE(r.status.empty());
    done.push_back(i);
  };
  runStudy(s, cs, options);
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<std::size_t>{0, 1}));  // once per configuration

  const StudyCurves curves = readStudyCurves(dir_.string(), {cs[0].id, cs[1].id}, 10);
  EXPECT_EQ(curves.seeds, 2);
  // 600 training samples / 16 = 37 steps an epoch, 4 epochs: 148 steps in buckets of 15.
  EXPECT_EQ(curves.bucketSteps, 15);
  ASSERT_EQ(curves.trainLoss.step.size(), 10u);
  EXPECT_EQ(curves.trainLoss.step.back(), 147.0);
  // By hand from the two seeds' logs: bucket 0 is the mean of steps 0..14 of each seed.
  std::vector<double> bucket0;
  std::map<long, std::vector<double>> evals;
  for (const StudyConfiguration& c : cs) {
    const auto store = readMetricsLog((dir_ / "configs" / c.id).string());
    std::vector<float> loss;
    store->read(0, RunMetric::Loss, 0, 15, loss);
    double sum = 0.0;
    for (const float v : loss) sum += v;
    bucket0.push_back(sum / 15.0);
    for (const EvalPoint& p : store->evaluations(0)) evals[p.step].push_back(p.accuracy);
  }
  EXPECT_DOUBLE_EQ(curves.trainLoss.mean[0], (bucket0[0] + bucket0[1]) / 2.0);
  EXPECT_DOUBLE_EQ(curves.trainLoss.least[0], std::min(bucket0[0], bucket0[1]));
  EXPECT_DOUBLE_EQ(curves.trainLoss.most[0], std::max(bucket0[0], bucket0[1]));
  ASSERT_EQ(curves.testAccuracy.step.size(), evals.size());
  const auto& [lastStep, lastValues] = *evals.rbegin();
  EXPECT_EQ(curves.testAccuracy.step.back(), static_cast<double>(lastStep));
  EXPECT_DOUBLE_EQ(curves.testAccuracy.mean.back(), (lastValues[0] + lastValues[1]) / 2.0);
  EXPECT_EQ(curves.testAccuracy.seeds.back(), 2);
  EXPECT_THROW(readStudyCurves(dir_.string(), {"no_such_id"}), std::runtime_error);
}

}  // namespace
}  // namespace larslab::engine
