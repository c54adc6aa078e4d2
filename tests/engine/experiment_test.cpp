// Experiment files: parsing, validation messages (file + JSON path), round trip, atomic save.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/experiment.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Json validDocument() {
  return Json::parse(R"({
    "version": 1,
    "name": "tiny",
    "description": "a small test experiment",
    "dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25},
    "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"},
                         {"type": "dense", "units": 2}], "loss": "cross_entropy"},
    "batch_size": 32,
    "steps": 100,
    "eval_every": 20,
    "seed": 7,
    "shuffle": true,
    "runs": [
      {"name": "LARS", "optimizer": {"type": "lars", "preset": "paper", "lr": 1.0, "eta": 0.001},
       "schedule": {"kind": "polynomial", "warmup_steps": 10, "power": 2}},
      {"name": "SGD", "optimizer": {"type": "momentum", "lr": 0.05}}
    ]})");
}

// The issues of a document that must fail, as "path: message" lines.
std::vector<std::string> issuesOf(const Json& document, const std::string& origin = "broken.json") {
  try {
    parseExperiment(document.dump(), origin);
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file(), origin);
    std::vector<std::string> out;
    for (const SpecIssue& issue : e.issues()) out.push_back(issue.path + ": " + issue.message);
    return out;
  }
  ADD_FAILURE() << "document was accepted: " << document.dump();
  return {};
}

bool contains(const std::vector<std::string>& issues, const std::string& text) {
  for (const std::string& issue : issues)
    if (issue.find(text) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& issues) {
  std::string text;
  for (const auto& i : issues) text += i + "\n";
  return text;
}

TEST(ExperimentParse, ValidDocumentGivesTheSpec) {
  const ExperimentSpec spec = parseExperiment(validDocument().dump(), "tiny.json");
  EXPECT_EQ(spec.name, "tiny");
  EXPECT_EQ(spec.dataset.kind, "spirals");
  EXPECT_EQ(spec.dataset.samples, 400);
  EXPECT_DOUBLE_EQ(spec.dataset.testFraction, 0.25);
  ASSERT_EQ(spec.model.layers.size(), 3u);
  EXPECT_EQ(spec.model.layers[0].units, 16);
  EXPECT_EQ(spec.batchSize, 32);
  EXPECT_EQ(spec.steps, 100);
  EXPECT_EQ(spec.evalEvery, 20);
  EXPECT_EQ(spec.seed, 7u);
  ASSERT_EQ(spec.runs.size(), 2u);
  EXPECT_EQ(spec.runs[0].optimizer.type, "lars");
  EXPECT_EQ(spec.runs[0].optimizer.preset, "paper");
  EXPECT_DOUBLE_EQ(spec.runs[0].optimizer.hyperparameters.at("eta"), 0.001);
  EXPECT_EQ(spec.runs[0].schedule.kind, "polynomial");
  EXPECT_EQ(spec.runs[0].schedule.warmupSteps, 10);
  EXPECT_EQ(spec.runs[1].schedule.kind, "constant");
}

TEST(ExperimentParse, DefaultsApplyToOmittedFields) {
  const ExperimentSpec spec = parseExperiment(R"({"version": 1,
      "model": {"layers": [{"type": "dense", "units": 2}]},
      "runs": [{"name": "a", "optimizer": {"type": "sgd"}}]})",
                                              "minimal.json");
  const ExperimentSpec defaults;
  EXPECT_EQ(spec.dataset.kind, defaults.dataset.kind);
  EXPECT_EQ(spec.batchSize, defaults.batchSize);
  EXPECT_EQ(spec.steps, kDefaultSteps);
  EXPECT_EQ(spec.evalEvery, defaults.evalEvery);
  EXPECT_EQ(spec.seed, defaults.seed);
  EXPECT_EQ(spec.model.loss, "cross_entropy");
  EXPECT_TRUE(spec.runs[0].optimizer.hyperparameters.empty());
}

TEST(ExperimentValidate, OutOfRangeHyperparameterNamesThePath) {
  Json d = validDocument();
  d["runs"][1]["optimizer"]["lr"] = -1;
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0], "runs[1].optimizer.lr: must be in [1e-06, 10], got -1");
}

TEST(ExperimentValidate, EtaRangeComesFromTheRegistry) {
  Json d = validDocument();
  d["runs"][0]["optimizer"]["eta"] = -1;
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0].rfind("runs[0].optimizer.eta: must be in [", 0), 0u) << issues[0];
  EXPECT_NE(issues[0].find("got -1"), std::string::npos);
}

TEST(ExperimentValidate, UnknownFieldsAreErrorsWithAHint) {
  Json d = validDocument();
  d["runs"][0]["optimizer"]["etta"] = 0.001;
  d["batchsize"] = 3;
  d["dataset"]["nosie"] = 0.2;
  d["model"]["layers"][0]["unit"] = 4;
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "runs[0].optimizer.etta: unknown field (did you mean eta?)"))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "batchsize: unknown field (did you mean batch_size?)"))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "dataset.nosie: unknown field (did you mean noise?)"))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "model.layers[0].unit: unknown field (did you mean units?)"))
      << joined(issues);
  EXPECT_EQ(issues.size(), 4u) << joined(issues);
}

TEST(ExperimentValidate, FieldThatDoesNotBelongToTheLayerTypeIsAnError) {
  Json d = validDocument();
  d["model"]["layers"][1]["units"] = 8;  // a tanh has no units
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "model.layers[1].units: unknown field")) << joined(issues);
}

TEST(ExperimentValidate, CollectsEveryIssueAtOnce) {
  Json d = validDocument();
  d["version"] = 2;
  d["batch_size"] = "big";
  d["seed"] = -3;
  d["dataset"]["kind"] = "spiral";
  d["model"]["layers"][0]["type"] = "dens";
  d["runs"][0]["optimizer"]["type"] = "larss";
  d["runs"][1]["schedule"] = {{"kind", "linear"}};
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "version: must be 1, got 2")) << joined(issues);
  EXPECT_TRUE(contains(issues, "batch_size: must be an integer, got \"big\"")) << joined(issues);
  EXPECT_TRUE(contains(issues, "seed: must be a non-negative integer, got -3")) << joined(issues);
  EXPECT_TRUE(
      contains(issues, "dataset.kind: unknown dataset kind \"spiral\" (did you mean spirals?)"))
      << joined(issues);
  EXPECT_TRUE(
      contains(issues, "model.layers[0].type: unknown layer type \"dens\" (did you mean dense?)"))
      << joined(issues);
  EXPECT_TRUE(
      contains(issues, "runs[0].optimizer.type: unknown optimizer \"larss\" (did you mean lars?)"))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "runs[1].schedule.kind: unknown schedule kind \"linear\""))
      << joined(issues);
  EXPECT_EQ(issues.size(), 7u) << joined(issues);
}

TEST(ExperimentValidate, MissingRequiredFields) {
  Json d = validDocument();
  d.erase("version");
  d["model"]["layers"][0].erase("units");
  d["runs"][1].erase("name");
  d["runs"][0].erase("optimizer");
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "version: missing required field")) << joined(issues);
  EXPECT_TRUE(contains(issues, "model.layers[0].units: missing required field")) << joined(issues);
  EXPECT_TRUE(contains(issues, "runs[1].name: missing required field")) << joined(issues);
  EXPECT_TRUE(contains(issues, "runs[0].optimizer: missing required field")) << joined(issues);

  EXPECT_TRUE(contains(issuesOf(Json::parse(R"({"version": 1})")), "runs: missing required field"));
  EXPECT_TRUE(
      contains(issuesOf(Json::parse(R"({"version": 1})")), "model: missing required field"));
}

TEST(ExperimentValidate, TypeErrors) {
  Json d = validDocument();
  d["shuffle"] = "yes";
  d["steps"] = 10.5;
  d["runs"][0]["optimizer"]["eta"] = "0.001";
  d["runs"][0]["optimizer"]["denominator"] = 3;
  d["dataset"] = Json::array();
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "shuffle: must be true or false, got \"yes\"")) << joined(issues);
  EXPECT_TRUE(contains(issues, "steps: must be an integer, got 10.5")) << joined(issues);
  EXPECT_TRUE(contains(issues, "runs[0].optimizer.eta: must be a number, got \"0.001\""))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "runs[0].optimizer.denominator: must be a string, got 3"))
      << joined(issues);
  EXPECT_TRUE(contains(issues, "dataset: must be an object, got an array")) << joined(issues);
}

TEST(ExperimentValidate, UnknownOptionChoiceAndPreset) {
  Json d = validDocument();
  d["runs"][0]["optimizer"]["denominator"] = "norm_of_sums";
  d["runs"][0]["optimizer"]["preset"] = "tim";
  const auto issues = issuesOf(d);
  EXPECT_TRUE(contains(
      issues,
      "runs[0].optimizer.denominator: unknown choice \"norm_of_sums\" (did you mean norm_of_sum?)"))
      << joined(issues);
  EXPECT_TRUE(contains(
      issues, "runs[0].optimizer.preset: unknown preset \"tim\" for lars (did you mean timm?)"))
      << joined(issues);
}

TEST(ExperimentValidate, DuplicateRunNames) {
  Json d = validDocument();
  d["runs"][1]["name"] = "LARS";
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0], "runs[1].name: duplicate run name \"LARS\" (also runs[0])");
}

TEST(ExperimentValidate, BatchLargerThanTheTrainingSplit) {
  Json d = validDocument();
  d["batch_size"] = 1000;  // 400 samples, 25% test -> 300 train
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0], "batch_size: must not exceed the training split (300 samples), got 1000");
}

TEST(ExperimentValidate, ModelOutputMustMatchTheDataset) {
  Json d = validDocument();
  d["model"]["layers"][2]["units"] = 3;
  auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0].rfind("model.layers: the model outputs 3 values per sample", 0), 0u)
      << issues[0];

  d = validDocument();
  d["model"]["loss"] = "mse";
  issues = issuesOf(d);
  EXPECT_TRUE(contains(issues, "model.loss: mse needs a regression dataset")) << joined(issues);
}

TEST(ExperimentValidate, StepsAndEpochsAreExclusive) {
  Json d = validDocument();
  d["epochs"] = 2;
  EXPECT_TRUE(contains(issuesOf(d), "epochs: give either steps or epochs, not both"));
}

TEST(ExperimentValidate, ScheduleWarmupMustFitTheLength) {
  Json d = validDocument();
  d["runs"][0]["schedule"]["warmup_steps"] = 500;
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0],
            "runs[0].schedule.warmup_steps: must be less than the experiment length (100 steps) "
            "for a polynomial "
            "schedule, got 500");
}

TEST(ExperimentValidate, NetworkShapeErrorsKeepTheLayerPath) {
  // A 5x5 convolution does not fit a 2-feature sample: the network's own message names the layer.
  Json d = validDocument();
  d["model"]["layers"] =
      Json::parse(R"([{"type": "conv2d", "filters": 4, "kernel": 5}, {"type": "flatten"},
                                         {"type": "dense", "units": 2}])");
  const auto issues = issuesOf(d);
  ASSERT_EQ(issues.size(), 1u) << joined(issues);
  EXPECT_EQ(issues[0].rfind("model.layers[0]", 0), 0u) << issues[0];
}

TEST(ExperimentValidate, InvalidJsonNamesTheFileAndPosition) {
  try {
    parseExperiment("{\"version\": 1,\n  \"name\": }", "bad.json");
    FAIL() << "accepted";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file(), "bad.json");
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_NE(e.issues()[0].message.find("invalid JSON"), std::string::npos);
    EXPECT_NE(e.issues()[0].message.find("line 2"), std::string::npos) << e.issues()[0].message;
    EXPECT_EQ(std::string(e.what()).rfind("bad.json: invalid JSON", 0), 0u) << e.what();
  }
}

TEST(ExperimentValidate, MessageNamesTheFile) {
  Json d = validDocument();
  d["runs"][1]["optimizer"]["lr"] = -1;
  try {
    parseExperiment(d.dump(), "/some/dir/exp.json");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/some/dir/exp.json: runs[1].optimizer.lr: must be in [1e-06, 10], got -1");
  }
}

// Many malformed variants of a valid document: every one is either accepted or rejected with
// a SpecError; nothing else escapes.
TEST(ExperimentValidate, NothingCrashesOnMangledDocuments) {
  const Json base = validDocument();
  const std::vector<Json> oddValues = {nullptr,
                                       true,
                                       -1,
                                       0,
                                       1e308,
                                       -1e308,
                                       "x",
                                       Json::array(),
                                       Json::object(),
                                       Json::array({1, 2}),
                                       3.5,
                                       std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::uint64_t>::max()};
  // Every node of the document (objects and arrays too), as a JSON pointer.
  std::vector<Json::json_pointer> pointers;
  std::function<void(const Json&, const Json::json_pointer&)> collect =
      [&](const Json& node, const Json::json_pointer& at) {
        pointers.push_back(at);
        if (node.is_object())
          for (const auto& item : node.items()) collect(item.value(), at / item.key());
        if (node.is_array())
          for (std::size_t i = 0; i < node.size(); ++i) collect(node[i], at / i);
      };
  collect(base, Json::json_pointer());
  int rejected = 0;
  int total = 0;
  for (const auto& pointer : pointers) {
    for (const Json& value : oddValues) {
      Json mangled = base;
      mangled[pointer] = value;
      ++total;
      try {
        parseExperiment(mangled.dump(), "mangled.json");
      } catch (const SpecError&) {
        ++rejected;
      }
    }
  }
  EXPECT_GT(pointers.size(), 30u);
  // Truncations of the text.
  const std::string text = base.dump(2);
  for (std::size_t n = 0; n < text.size(); n += 7) {
    ++total;
    try {
      parseExperiment(text.substr(0, n), "truncated.json");
    } catch (const SpecError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, total / 2);
}

TEST(ExperimentRoundTrip, SerialisedSpecParsesToTheSameJson) {
  ExperimentSpec spec = parseExperiment(validDocument().dump(), "tiny.json");
  spec.runs[0].optimizer.options["denominator"] = "norm_of_sum";
  spec.runs[1].schedule.kind = "step";
  spec.runs[1].schedule.stepSize = 40;
  spec.runs[1].schedule.gamma = 0.5;
  const std::string once = experimentToJson(spec);
  const ExperimentSpec back = parseExperiment(once, "roundtrip.json");
  EXPECT_EQ(experimentToJson(back), once);
  EXPECT_EQ(back.runs[0].optimizer.options.at("denominator"), "norm_of_sum");
  EXPECT_EQ(back.runs[1].schedule.stepSize, 40);
  EXPECT_DOUBLE_EQ(back.runs[1].schedule.gamma, 0.5);
  EXPECT_EQ(back.seed, spec.seed);
  EXPECT_EQ(back.description, spec.description);
}

TEST(ExperimentRoundTrip, EveryLayerTypeAndDatasetKindSurvive) {
  const char* cnn = R"({"version": 1, "name": "cnn",
    "dataset": {"kind": "fashion_mnist", "limit": 2000},
    "model": {"layers": [
      {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1, "init": "he"},
      {"type": "batchnorm", "momentum": 0.2, "eps": 0.001}, {"type": "leaky_relu", "slope": 0.1},
      {"type": "maxpool2d", "kernel": 2}, {"type": "dropout", "rate": 0.25}, {"type": "flatten"},
      {"type": "dense", "units": 10, "name": "head", "init": "constant", "init_value": 0.5}]},
    "batch_size": 64, "epochs": 0.5, "eval_every": 0, "seed": 18446744073709551615,
    "runs": [{"name": "LAMB", "optimizer": {"type": "lamb", "phi": "clamp", "clamp_max": 10}}]})";
  const ExperimentSpec spec = parseExperiment(cnn, "cnn.json");
  EXPECT_EQ(spec.seed, 18446744073709551615ull);
  const std::string once = experimentToJson(spec);
  const ExperimentSpec back = parseExperiment(once, "cnn2.json");
  EXPECT_EQ(experimentToJson(back), once);
  EXPECT_EQ(back.model.layers[3].stride, 0);  // maxpool: stride = kernel
  EXPECT_EQ(back.model.layers[6].name, "head");
  EXPECT_DOUBLE_EQ(back.model.layers[6].initValue, 0.5);
  EXPECT_DOUBLE_EQ(back.epochs, 0.5);
  EXPECT_EQ(back.steps, 0);
}

// A scratch folder with an experiment file and the CSV file it names.
class CsvExperimentDir {
 public:
  CsvExperimentDir() : dir_(fs::temp_directory_path() / ("larslab_csvexp_" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }
  ~CsvExperimentDir() { fs::remove_all(dir_); }
  CsvExperimentDir(const CsvExperimentDir&) = delete;
  CsvExperimentDir& operator=(const CsvExperimentDir&) = delete;
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  [[nodiscard]] const fs::path& path() const { return dir_; }

 private:
  fs::path dir_;
};

std::string csvExperiment(const std::string& datasetFields, int outputs = 2) {
  return R"({"version": 1, "name": "csv", "dataset": {"kind": "csv", )" + datasetFields +
         R"(}, "model": {"layers": [{"type": "dense", "units": )" + std::to_string(outputs) +
         R"(}], "loss": "cross_entropy"}, "batch_size": 4, "steps": 5,
         "runs": [{"name": "SGD", "optimizer": {"type": "sgd", "lr": 0.1}}]})";
}

TEST(ExperimentCsv, IgnoreColumnsAndMissingPolicyAreReadAndWrittenOnlyWhenSet) {
  const ExperimentSpec plain = parseExperiment(csvExperiment(R"("path": "d.csv")"), "a.json");
  EXPECT_TRUE(plain.dataset.ignoreColumns.empty());
  EXPECT_EQ(plain.dataset.missing, data::MissingPolicy::Error);
  const std::string plainJson = experimentToJson(plain);
  EXPECT_EQ(plainJson.find("ignore_columns"), std::string::npos);
  EXPECT_EQ(plainJson.find("\"missing\""), std::string::npos);

  const ExperimentSpec spec = parseExperiment(
      csvExperiment(R"("path": "d.csv", "ignore_columns": ["id", "name"], "missing": "fill_train_mean")"), "b.json");
  EXPECT_EQ(spec.dataset.ignoreColumns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(spec.dataset.missing, data::MissingPolicy::FillTrainMean);
  const std::string once = experimentToJson(spec);
  EXPECT_NE(once.find(R"("ignore_columns": [)"), std::string::npos) << once;
  EXPECT_NE(once.find(R"("missing": "fill_train_mean")"), std::string::npos) << once;
  EXPECT_EQ(experimentToJson(parseExperiment(once, "c.json")), once);

  const std::vector<std::string> issues = issuesOf(Json::parse(
      csvExperiment(R"("path": "d.csv", "ignore_columns": "id", "missing": "drop")")));
  EXPECT_TRUE(contains(issues, "dataset.ignore_columns: must be an array of column names")) << joined(issues);
  EXPECT_TRUE(contains(issues, "dataset.missing: must be one of error, drop_rows, fill_train_mean, got \"drop\""))
      << joined(issues);
  const std::vector<std::string> notCsv = issuesOf(Json::parse(R"({"version": 1,
    "dataset": {"kind": "spirals", "missing": "drop_rows"},
    "model": {"layers": [{"type": "dense", "units": 2}]}, "runs": [{"name": "a", "optimizer": {"type": "sgd"}}]})"));
  EXPECT_TRUE(contains(notCsv, "dataset.missing: only for kind csv")) << joined(notCsv);
}

TEST(ExperimentCsv, RelativePathIsResolvedAgainstTheExperimentFolder) {
  const CsvExperimentDir dir;
  dir.write("data/points.csv", "x,y,label\n1,2,a\n2,1,b\n3,4,a\n4,3,b\n5,6,a\n6,5,b\n7,8,a\n8,7,b\n9,9,a\n0,1,b\n");
  const fs::path file = dir.write("exp.json", csvExperiment(R"("path": "data/points.csv")"));
  const ExperimentSpec spec = loadExperiment(file.string());
  EXPECT_EQ(spec.dataset.path, "data/points.csv");  // as written
  EXPECT_EQ(fs::path(resolvedDataPath(spec.dataset)), (dir.path() / "data" / "points.csv").lexically_normal());
  EXPECT_TRUE(checkExperimentData(spec).empty());
  // The saved file keeps the path as the user wrote it.
  saveExperiment(spec, file.string());
  EXPECT_NE(experimentToJson(loadExperiment(file.string())).find(R"("path": "data/points.csv")"), std::string::npos);
  // An absolute path stays; a spec not from a file resolves against the current directory.
  DatasetSpec absolute = spec.dataset;
  absolute.path = (dir.path() / "data" / "points.csv").string();
  EXPECT_EQ(resolvedDataPath(absolute), absolute.path);
  const ExperimentSpec builtIn = parseExperiment(csvExperiment(R"("path": "data/points.csv")"), "<built-in>");
  EXPECT_EQ(resolvedDataPath(builtIn.dataset), "data/points.csv");
}

TEST(ExperimentCsv, CheckDataListsEveryProblemOfTheFileAndTheModel) {
  const CsvExperimentDir dir;
  dir.write("data/bad.csv", "id,x,label\n1,2,a\n2,oops,b\n3,,a\n4,5,b\n5,6\n");
  const ExperimentSpec bad = loadExperiment(dir.write("bad.json", csvExperiment(R"("path": "data/bad.csv")")).string());
  const std::vector<SpecIssue> issues = checkExperimentData(bad);
  ASSERT_EQ(issues.size(), 3u);
  const std::string csv = (dir.path() / "data" / "bad.csv").lexically_normal().string();
  EXPECT_EQ(issues[0].path, "dataset");
  EXPECT_EQ(issues[0].message.rfind(csv + ":3: column 2 'x': expected a finite number, got 'oops'", 0), 0u)
      << issues[0].message;
  EXPECT_EQ(issues[1].message.rfind(csv + ":4: column 2 'x': missing value (empty)", 0), 0u) << issues[1].message;
  EXPECT_EQ(issues[2].message.rfind(csv + ":6: 2 fields, expected 3", 0), 0u) << issues[2].message;

  // Once the file reads, the model and the batch size are checked against it.
  dir.write("data/three.csv", "x,label\n1,a\n2,b\n3,c\n4,a\n5,b\n6,c\n7,a\n8,b\n9,c\n");
  ExperimentSpec three = loadExperiment(dir.write("three.json", csvExperiment(R"("path": "data/three.csv")")).string());
  three.batchSize = 100;
  const std::vector<SpecIssue> fit = checkExperimentData(three);
  ASSERT_EQ(fit.size(), 2u);
  EXPECT_EQ(fit[0].path, "model.layers");
  EXPECT_NE(fit[0].message.find("needs 3 (one per class)"), std::string::npos) << fit[0].message;
  EXPECT_EQ(fit[1].path, "batch_size");

  ExperimentSpec fashion = parseExperiment(R"({"version": 1, "dataset": {"kind": "fashion_mnist"},
    "model": {"layers": [{"type": "flatten"}, {"type": "dense", "units": 10}]},
    "runs": [{"name": "a", "optimizer": {"type": "sgd"}}]})", "f.json");
  fashion.dataset.path = dir.path().string();
  const std::vector<SpecIssue> files = checkExperimentData(fashion);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].path, "dataset.path");
  EXPECT_NE(files[0].message.find("train-images-idx3-ubyte.gz: missing"), std::string::npos) << files[0].message;
}

TEST(ExperimentSave, AtomicSaveWritesTheWholeFileAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / ("larslab_save_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "exp.json").string();
  {
    std::ofstream old(path);
    old << "old content";
  }
  const ExperimentSpec spec = parseExperiment(validDocument().dump(), "tiny.json");
  saveExperiment(spec, path);
  EXPECT_EQ(experimentToJson(loadExperiment(path)), experimentToJson(spec));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1);  // no temporary left behind
  // A save into a missing directory fails and names the path.
  try {
    saveExperiment(spec, (dir / "missing" / "exp.json").string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/exp.json"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// A relative data path names the same file wherever the experiment is saved: unchanged in its
// own folder, rewritten relative to another, absolute for a copy with no folder (the autosave).
TEST(ExperimentSave, ARelativeDataPathStillNamesTheSameFileAfterSaveAs) {
  const fs::path dir = fs::temp_directory_path() / ("larslab_relocate_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "project" / "data");
  fs::create_directories(dir / "elsewhere");
  Json doc = validDocument();
  doc["dataset"] = {{"kind", "csv"}, {"path", "data/points.csv"}};
  const std::string original = (dir / "project" / "exp.json").string();
  {
    std::ofstream out(original);
    out << doc.dump(2);
  }
  const ExperimentSpec spec = loadExperiment(original);
  saveExperiment(spec, original);
  EXPECT_EQ(loadExperiment(original).dataset.path, "data/points.csv") << "same folder: as written";
  const std::string moved = (dir / "elsewhere" / "exp.json").string();
  saveExperiment(spec, moved);
  const ExperimentSpec back = loadExperiment(moved);
  EXPECT_EQ(back.dataset.path, "../project/data/points.csv");
  EXPECT_EQ(fs::path(resolvedDataPath(back.dataset)).lexically_normal(), (dir / "project" / "data" / "points.csv").lexically_normal());
  const ExperimentSpec copy = relocateExperiment(spec, "");
  EXPECT_EQ(fs::path(copy.dataset.path), (dir / "project" / "data" / "points.csv").lexically_normal());
  fs::remove_all(dir);
}

TEST(ExperimentLoad, MissingFileIsASpecError) {
  try {
    loadExperiment("/nonexistent/exp.json");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/exp.json: cannot open the file");
  }
}

TEST(ExperimentValidateRun, CodeBuiltRunsUseTheSameRules) {
  RunSpec run;
  run.name = "x";
  run.optimizer.type = "lars";
  run.optimizer.hyperparameters["eta"] = 5.0;
  run.optimizer.options["clipping"] = "sometimes";
  const auto issues = validateRun(run, "runs[3]");
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].path, "runs[3].optimizer.eta");
  EXPECT_EQ(issues[1].path, "runs[3].optimizer.clipping");
  EXPECT_EQ(checkHyperparameter("sgd", "lr", 0.5), "");
  EXPECT_EQ(checkHyperparameter("sgd", "lr", 50), "lr: must be in [1e-06, 10], got 50");
  EXPECT_EQ(checkHyperparameter("sgd", "momentum", 0.5)
                .rfind("momentum: unknown hyperparameter of sgd", 0),
            0u);
}

}  // namespace
}  // namespace larslab::engine
