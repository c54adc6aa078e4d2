// larslab-cli end to end: the built binary, run as a user would.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/npy.h"
#include "engine/session.h"
#include "tiny_experiment.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("larslab_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  Result cli(const std::string& args) {
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    const std::string command = std::string("'") + LARSLAB_CLI + "' " + args + " >'" +
                                out.string() + "' 2>'" + err.string() + "'";
    const int raw = std::system(command.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read(out);
    r.err = read(err);
    return r;
  }

  fs::path dir_;
};

std::string header(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

long lines(const std::string& text) {
  return static_cast<long>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(CliTest, RunWritesEveryFileWithTheDocumentedColumns) {
  const fs::path exp = write("tiny.json", testing::tinyJson(50));
  const Result r =
      cli("run '" + exp.string() + "' --out '" + (dir_ / "out").string() + "' --threads 2");
  ASSERT_EQ(r.status, 0) << r.err;
  // Final table: one line per run with its status.
  EXPECT_NE(r.out.find("LARS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Adam"), std::string::npos);
  EXPECT_NE(r.out.find("finished"), std::string::npos);
  EXPECT_NE(r.out.find("test acc"), std::string::npos);
  // Not a terminal: plain progress lines, no carriage returns.
  EXPECT_NE(r.err.find("100%"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);

  const fs::path out = dir_ / "out";
  EXPECT_EQ(header(out / "run_metrics.csv"), "run,step,epoch,loss,accuracy,lr");
  EXPECT_EQ(
      header(out / "tensor_metrics.csv"),
      "run,step,tensor,kind,weight_norm,grad_norm,trust_ratio,local_lr,update_norm,update_ratio,update_to_data");
  EXPECT_EQ(header(out / "evaluations.csv"), "run,step,test_loss,test_accuracy");
  EXPECT_EQ(header(out / "events.csv"), "step,run,kind,detail");
  EXPECT_EQ(lines(read(out / "run_metrics.csv")), 1 + 3 * 50);
  EXPECT_EQ(lines(read(out / "tensor_metrics.csv")), 1 + 3 * 50 * 6);
  EXPECT_EQ(lines(read(out / "evaluations.csv")), 1 + 3 * 3);  // steps 0, 25, 50
  const std::string summary = read(out / "summary.json");
  EXPECT_NE(summary.find("\"total_steps\": 50"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"name\": \"SGD\""), std::string::npos);
  EXPECT_NE(summary.find("\"final_test_accuracy\""), std::string::npos);
}

TEST_F(CliTest, StepsOverrideAndThreadCountDoNotChangeResults) {
  const fs::path exp = write("tiny.json", testing::tinyJson(500));
  ASSERT_EQ(
      cli("run '" + exp.string() + "' --out '" + (dir_ / "a").string() + "' --steps 30 --threads 1")
          .status,
      0);
  ASSERT_EQ(
      cli("run '" + exp.string() + "' --out '" + (dir_ / "b").string() + "' --steps 30 --threads 2")
          .status,
      0);
  const std::string a = read(dir_ / "a" / "tensor_metrics.csv");
  EXPECT_EQ(lines(a), 1 + 3 * 30 * 6);
  EXPECT_EQ(a, read(dir_ / "b" / "tensor_metrics.csv"));
  EXPECT_EQ(read(dir_ / "a" / "run_metrics.csv"), read(dir_ / "b" / "run_metrics.csv"));
}

TEST_F(CliTest, SaveWeightsWritesNpyFilesMatchingTheEngine) {
  const fs::path exp = write("tiny.json", testing::tinyJson(20));
  const fs::path weights = dir_ / "weights";
  const Result r = cli("run '" + exp.string() + "' --out '" + (dir_ / "out").string() +
                       "' --save-weights '" + weights.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  Session session(testing::tinySpec(20), SessionOptions{1});
  while (session.step()) {
  }
  for (const char* run : {"LARS", "SGD", "Adam"}) {
    for (const char* stage : {"initial", "final"}) {
      const nn::ParameterStore& expected =
          std::string(stage) == "initial" ? session.initialParameters() : session.parameters(run);
      const nn::ParameterLayout& layout = expected.layout();
      for (int t = 0; t < layout.count(); ++t) {
        const fs::path file = weights / run / stage / (layout.tensor(t).name + ".npy");
        ASSERT_TRUE(fs::exists(file)) << file;
        const std::string bytes = read(file);
        ASSERT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8)) << file;
        const NpyArray array = readNpy(file.string());
        EXPECT_EQ(array.shape, layout.tensor(t).shape) << file;
        const nn::ConstVectorMap v = expected.vector(t);
        ASSERT_EQ(array.values.size(), static_cast<std::size_t>(v.size()));
        EXPECT_EQ(std::memcmp(array.values.data(), v.data(), array.values.size() * sizeof(float)),
                  0)
            << file;
      }
    }
  }
}

TEST_F(CliTest, ValidateExitStatusAndMessages) {
  const fs::path good = write("good.json", testing::tinyJson(20));
  Result r = cli("validate '" + good.string() + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("OK (3 runs)"), std::string::npos);

  std::string broken = testing::tinyJson(20);
  broken.replace(broken.find("\"eta\": 0.01"), 11, "\"etta\": 0.01");
  broken.replace(broken.find("\"batch_size\": 32"), 16, "\"batch_size\": -4");
  const fs::path bad = write("bad.json", broken);
  r = cli("validate '" + bad.string() + "'");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(
      r.err.find(bad.string() + ": runs[0].optimizer.etta: unknown field (did you mean eta?)"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad.string() + ": batch_size: must be >= 1, got -4"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 problems found"), std::string::npos) << r.err;

  r = cli("validate '" + (dir_ / "missing.json").string() + "'");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cannot open the file"), std::string::npos);
}

TEST_F(CliTest, ValidateReadsTheCsvDataAndListsEveryProblem) {
  fs::create_directories(dir_ / "data");
  write("data/d.csv", "id,x,label\n1,2,a\n2,two,b\n3,NA,a\n4,5,b\n5,6,a\n6,7,b\n");
  const std::string experiment = R"({"version": 1, "dataset": {"kind": "csv", "path": "data/d.csv"},
    "model": {"layers": [{"type": "dense", "units": 2}]}, "batch_size": 2, "steps": 3,
    "runs": [{"name": "a", "optimizer": {"type": "sgd"}}]})";
  const fs::path file = write("exp.json", experiment);
  // From another working directory: the relative path is the experiment folder's.
  Result r = cli("validate '" + file.string() + "'");
  EXPECT_NE(r.status, 0);
  const std::string csv = (dir_ / "data" / "d.csv").lexically_normal().string();
  EXPECT_NE(r.err.find(file.string() + ": dataset: " + csv + ":3: column 2 'x': expected a finite number, got 'two'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(file.string() + ": dataset: " + csv + ":4: column 2 'x': missing value ('NA')"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 problems found"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  // Fixed by the policy and by a model that fits: OK, and the output is the one for any valid file.
  std::string fixed = experiment;
  fixed.replace(fixed.find(R"("path": "data/d.csv")"), 20, R"("path": "data/d.csv", "missing": "drop_rows")");
  write("data/d.csv", "id,x,label\n1,2,a\n2,3,b\n3,NA,a\n4,5,b\n5,6,a\n6,7,b\n");
  const fs::path good = write("good.json", fixed);
  r = cli("validate '" + good.string() + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, good.string() + ": OK (1 run)\n");
  EXPECT_TRUE(r.err.empty()) << r.err;
  // run trains on it: the relative path resolves there too.
  r = cli("run '" + good.string() + "' --out '" + (dir_ / "out").string() + "'");
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(CliTest, BadInputGivesOneLineOnStderrAndNonZeroExit) {
  std::string broken = testing::tinyJson(20);
  broken.replace(broken.find("\"eta\": 0.01"), 11, "\"eta\": -1");
  const fs::path bad = write("bad.json", broken);
  Result r = cli("run '" + bad.string() + "' --out '" + (dir_ / "out").string() + "'");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("runs[0].optimizer.eta: must be in"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out" / "run_metrics.csv"));

  r = cli("run");  // missing arguments
  EXPECT_NE(r.status, 0);
  r = cli("frobnicate");
  EXPECT_NE(r.status, 0);
  const fs::path good = write("good.json", testing::tinyJson(20));
  r = cli("run '" + good.string() + "' --out '" + (dir_ / "o").string() + "' --threads -2");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  r = cli("sweep '" + good.string() + "' --batch-sizes 16,5000 --lr-scaling linear");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("5000 is outside 1..300"), std::string::npos) << r.err;
  r = cli("sweep '" + good.string() + "' --batch-sizes 16 --lr-scaling cubic");
  EXPECT_NE(r.status, 0);
}

TEST_F(CliTest, SweepTrainsEveryRunAtEveryBatchSizeForTheSameEpochs) {
  // 20 steps at batch 32 = 20/9 epochs; batch 16 has 18 batches per epoch -> 40 steps, 64 has 4 ->
  // 9 steps.
  const fs::path exp = write("tiny.json", testing::tinyJson(20));
  const fs::path table = dir_ / "sweep.csv";
  const Result r = cli("sweep '" + exp.string() +
                       "' --batch-sizes 16,64 --lr-scaling linear --out '" + table.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = read(table);
  EXPECT_EQ(
      header(table),
      "run,optimizer,batch_size,lr,steps,final_test_accuracy,final_test_loss,diverged,status");
  EXPECT_EQ(lines(csv), 1 + 2 * 3);
  EXPECT_NE(csv.find("\nSGD,momentum,16,0.03125,40,"), std::string::npos)
      << csv;  // lr halves with the batch
  EXPECT_NE(csv.find("\nSGD,momentum,64,0.125,9,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nLARS,lars,64,4,9,"), std::string::npos) << csv;
  EXPECT_NE(r.out.find("batch_size"), std::string::npos);
}

TEST_F(CliTest, RangeWritesOneRowPerStepAndSuggestsAValue) {
  const fs::path exp = write("tiny.json", testing::tinyJson(20));
  const fs::path table = dir_ / "range.csv";
  const Result r = cli("range '" + exp.string() +
                       "' --run LARS -p eta --from 1e-4 --to 1 --steps 120 --threads 1 --out '" +
                       table.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(header(table), "step,eta,loss,smoothed_loss");
  EXPECT_EQ(lines(read(table)), 1 + 120);
  EXPECT_NE(r.out.find("LARS (lars): eta from 1e-04 to 1 over 120 steps, finished"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("suggested eta = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loss blew up at step "), std::string::npos) << r.out;
}

TEST_F(CliTest, RangeRefusesAHyperparameterTheRunDoesNotHave) {
  const fs::path exp = write("tiny.json", testing::tinyJson(20));
  const Result r = cli("range '" + exp.string() + "' --run Adam -p eta");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("larslab-cli: range: hyperparameter: 'eta' is not a hyperparameter of adam"), std::string::npos)
      << r.err;
}

TEST_F(CliTest, SweepReportsABatchSizeItCannotTrainAndGoesOn) {
  // A 10-step warm-up does not fit the 3 steps that batch 256 leaves (1 batch per epoch).
  std::string text = testing::tinyJson(20);
  text.replace(text.find("\"eta\": 0.01}"), 12,
               "\"eta\": 0.01}, \"schedule\": {\"kind\": \"polynomial\", \"warmup_steps\": 10}");
  const fs::path exp = write("warm.json", text);
  const fs::path table = dir_ / "sweep.csv";
  const Result r =
      cli("sweep '" + exp.string() + "' --batch-sizes 32,256 --out '" + table.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = read(table);
  EXPECT_EQ(lines(csv), 1 + 2 * 3);
  EXPECT_NE(csv.find("\nLARS,lars,32,2,20,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nLARS,lars,256,2,0,nan,nan,false,\"skipped: schedule.warmup_steps: must be "
                     "less than the "
                     "experiment length (3 steps) for a polynomial schedule, got 10\""),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nSGD,momentum,256,0.0625,3,"), std::string::npos)
      << csv;  // the others still train
  EXPECT_NE(r.err.find("batch 256: LARS skipped"), std::string::npos) << r.err;
}

// A study of the tiny experiment, written next to the test's files.
std::string tinyStudyJson(const std::string& batchSizes) {
  return R"({"version": 1, "name": "tiny study", "experiment": "tiny.json", "batch_sizes": )" + batchSizes +
         R"(, "epochs": 2, "lr_scaling": "sqrt", "warmup_epochs": 1, "seeds": [1, 2], "target_accuracy": 0.6})";
}

TEST_F(CliTest, StudyWritesItsFilesAndConfigurationsMatchRun) {
  write("tiny.json", testing::tinyJson(40));
  const fs::path study = write("study.json", tinyStudyJson("[32, 64]"));
  const fs::path out = dir_ / "study";
  const Result r = cli("study '" + study.string() + "' --out '" + out.string() + "' --threads 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("run \\ batch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SGD"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("12 configurations"), std::string::npos) << r.err;
  const std::string csv = read(out / "study.csv");
  EXPECT_EQ(lines(csv), 1 + 3 * 2 * 2);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "id,run,optimizer,batch_size,lr,eta,seed,final_test_accuracy,best_test_accuracy,"
            "final_train_loss,steps_to_target,seconds_to_target,wall_seconds,status,grid_x,grid_y");
  EXPECT_NE(csv.find("\nlars_b64_s2,LARS,lars,64,"), std::string::npos) << csv;
  EXPECT_TRUE(fs::exists(out / "study.json"));
  // A configuration's experiment.json run alone with `larslab-cli run`: the same metric files.
  const fs::path config = out / "configs" / "adam_b64_s2";
  const Result alone =
      cli("run '" + (config / "experiment.json").string() + "' --out '" + (dir_ / "alone").string() + "'");
  ASSERT_EQ(alone.status, 0) << alone.err;
  for (const char* f : {"run_metrics.csv", "tensor_metrics.csv", "evaluations.csv", "events.csv"})
    EXPECT_EQ(read(config / f), read(dir_ / "alone" / f)) << f;
}

TEST_F(CliTest, StudyRefusesABadFileWithExit1) {
  write("tiny.json", testing::tinyJson(40));
  const fs::path study = write("study.json", tinyStudyJson("[32, 301]"));
  const Result r = cli("study '" + study.string() + "' --out '" + (dir_ / "out").string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("batch_sizes[1]: must not exceed the training split (300 samples)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out" / "study.csv"));
  EXPECT_EQ(cli("study builtin:no-such-study --out '" + (dir_ / "out").string() + "'").status, 1);
  EXPECT_EQ(cli("study '" + study.string() + "'").status, 1);  // no --out
}

TEST_F(CliTest, StudyThatCannotWriteExitsWith3) {
  write("tiny.json", testing::tinyJson(40));
  const fs::path study = write("study.json", tinyStudyJson("[64]"));
  const fs::path file = write("not-a-folder", "x");
  const Result r = cli("study '" + study.string() + "' --out '" + (file / "out").string() + "'");
  EXPECT_EQ(r.status, 3) << r.err;
}

TEST_F(CliTest, StudyInterruptedBySigintExitsWith2AndMarksTheRest) {
  // Long enough (thousands of epochs) that it is still training when the signal comes.
  write("tiny.json", testing::tinyJson(40));
  std::string text = tinyStudyJson("[32, 64]");
  const std::string twoEpochs = "\"epochs\": 2,";
  text.replace(text.find(twoEpochs), twoEpochs.size(), "\"epochs\": 5000,");
  const fs::path study = write("study.json", text);
  const fs::path err = dir_ / "stderr.txt";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(err.c_str(), "w", stderr);
    std::freopen("/dev/null", "w", stdout);
    ::execl(LARSLAB_CLI, LARSLAB_CLI, "study", study.c_str(), "--out", (dir_ / "out").c_str(), "--threads", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The header line is printed once the handler is installed.
  int raw = 0;
  bool exited = false;
  while (read(err).find("configurations") == std::string::npos)
    if (::waitpid(pid, &raw, WNOHANG) == pid) {
      exited = true;  // failed before training: the checks below say how
      break;
    } else {
      ::usleep(10000);
    }
  if (!exited) {
    ::kill(pid, SIGINT);
    ASSERT_EQ(::waitpid(pid, &raw, 0), pid);
  }
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 2) << read(err);
  const std::string csv = read(dir_ / "out" / "study.csv");
  EXPECT_NE(csv.find(",cancelled"), std::string::npos) << csv;
}

TEST_F(CliTest, StudyListNamesTheBuiltInStudies) {
  const Result r = cli("study --list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("builtin:batch-size-moons"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("builtin:batch-size-fashion-mlp"), std::string::npos) << r.out;
}

TEST_F(CliTest, GridStudyPrintsAMatrixPerRunAndWritesTheGridValues) {
  const fs::path out = dir_ / "grid";
  const Result r = cli("study builtin:grid-eta-lr-moons --out '" + out.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("36 configurations (2 runs x 3 eta x 3 lr x 2 seeds)"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("lr \\ eta"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LARC"), std::string::npos) << r.out;
  const std::string csv = read(out / "study.csv");
  EXPECT_EQ(lines(csv), 1 + 2 * 3 * 3 * 2);
  // The id names the point, and the last two columns hold it.
  const std::size_t row = csv.find("\nlarc_b64_eta0.1_lr10_s2,LARC,larc,64,10,0.1,2,");
  ASSERT_NE(row, std::string::npos) << csv;
  const std::string line = csv.substr(row + 1, csv.find('\n', row + 1) - row - 1);
  EXPECT_EQ(line.substr(line.size() - 7), ",0.1,10") << line;
}

TEST_F(CliTest, StudyRunsABuiltInStudy) {
  const Result r = cli("study builtin:batch-size-moons --out '" + (dir_ / "moons").string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(read(dir_ / "moons" / "study.csv")), 1 + 3 * 3 * 2);
}

}  // namespace
}  // namespace larslab::engine
