#include "engine/study.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "data/dataset_facts.h"
#include "engine/json_reader.h"
#include "engine/session.h"
#include "engine/text_util.h"
#include "optim/optimizer.h"

namespace larslab::engine {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

const std::vector<std::string> kFields = {"version",      "name",           "description",
                                          "experiment",   "batch_sizes",    "epochs",
                                          "lr_scaling",   "base_batch_size", "warmup_epochs",
                                          "seeds",        "target_accuracy", "grid"};

std::string describe(const Json& j) { return describeJson(j); }

bool isInteger(const Json& j, long long lo, long long hi) {
  if (!j.is_number()) return false;
  const double d = j.get<double>();
  return std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(lo) &&
         d <= static_cast<double>(hi);
}

// The experiment's length in epochs at its own batch size (a file may give steps).
double experimentEpochs(const ExperimentSpec& e, long trainSize) {
  if (e.steps <= 0 && e.epochs > 0) return e.epochs;
  const long perEpoch = std::max(1L, trainSize / std::max(1, e.batchSize));
  const long steps = e.steps > 0 ? e.steps : kDefaultSteps;
  return static_cast<double>(steps) / static_cast<double>(perEpoch);
}

double hyperparameter(const optim::OptimizerConfig& c, const std::string& name) {
  if (const optim::OptimizerInfo* info = optim::findOptimizer(c.type))
    for (const optim::HyperparameterSpec& h : info->hyperparameters)
      if (h.name == name) return optim::effectiveHyperparameter(c, h);
  return std::nan("");
}

// "SGD momentum" -> "sgd_momentum": ids are folder names and CSV fields.
std::string slug(const std::string& name) {
  std::string s;
  for (const unsigned char c : name) {
    if (std::isalnum(c))
      s += static_cast<char>(std::tolower(c));
    else if (!s.empty() && s.back() != '_')
      s += '_';
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s.empty() ? "run" : s;
}

const std::string kBatchSizeAxis = "batch_size";

// The parameters a grid axis may name: batch_size and the hyperparameters every run has.
std::vector<std::string> gridParameters(const ExperimentSpec& e) {
  std::vector<std::string> names = {kBatchSizeAxis};
  if (e.runs.empty()) return names;
  const optim::OptimizerInfo* first = optim::findOptimizer(e.runs.front().optimizer.type);
  if (first == nullptr) return names;
  for (const optim::HyperparameterSpec& h : first->hyperparameters) {
    bool everyRun = true;
    for (const RunSpec& run : e.runs) {
      const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type);
      everyRun = everyRun && info != nullptr &&
                 std::any_of(info->hyperparameters.begin(), info->hyperparameters.end(),
                             [&](const optim::HyperparameterSpec& o) { return o.name == h.name; });
    }
    if (everyRun) names.push_back(h.name);
  }
  return names;
}

// The valid range of a hyperparameter for every run (the intersection), for grid values.
std::pair<double, double> hyperparameterRange(const ExperimentSpec& e, const std::string& name) {
  double lo = -1e300, hi = 1e300;
  for (const RunSpec& run : e.runs)
    if (const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type))
      for (const optim::HyperparameterSpec& h : info->hyperparameters)
        if (h.name == name) lo = std::max(lo, h.minValue), hi = std::min(hi, h.maxValue);
  return {lo, hi};
}

template <class Issue>
std::optional<StudyAxis> parseAxis(const Json& j, const std::string& path, const ExperimentSpec* experiment,
                                   long trainSize, const Issue& issue) {
  if (!j.is_object()) {
    issue(path, "must be an object {\"parameter\": ..., \"values\": [...]}, got " + describe(j));
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& item : j.items())
    if (item.key() != "parameter" && item.key() != "values") {
      issue(path + "." + item.key(), "unknown field" + didYouMean(item.key(), {"parameter", "values"}));
      ok = false;
    }
  StudyAxis axis;
  if (!j.contains("parameter") || !j["parameter"].is_string()) {
    issue(path + ".parameter", j.contains("parameter") ? "must be a string, got " + describe(j["parameter"])
                                                       : std::string("missing required field"));
    ok = false;
  } else {
    axis.parameter = j["parameter"].get<std::string>();
    if (experiment != nullptr) {
      const std::vector<std::string> names = gridParameters(*experiment);
      if (std::find(names.begin(), names.end(), axis.parameter) == names.end()) {
        std::string list;
        for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
        issue(path + ".parameter", "must be one of " + list + " (a hyperparameter every run has), got \"" +
                                       axis.parameter + "\"" + didYouMean(axis.parameter, names));
        ok = false;
      }
    }
  }
  if (!j.contains("values") || !j["values"].is_array() || j["values"].empty()) {
    issue(path + ".values", "must be a non-empty array of numbers, got " +
                                (!j.contains("values")       ? std::string("nothing")
                                 : j["values"].is_array()    ? std::string("an empty array")
                                                             : describe(j["values"])));
    return std::nullopt;
  }
  const bool batch = axis.parameter == kBatchSizeAxis;
  const auto [lo, hi] = (experiment != nullptr && !batch) ? hyperparameterRange(*experiment, axis.parameter)
                                                          : std::pair<double, double>{-1e300, 1e300};
  const Json& list = j["values"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = path + ".values[" + std::to_string(i) + "]";
    if (batch ? !isInteger(list[i], 1, 10'000'000) : !(list[i].is_number() && std::isfinite(list[i].get<double>()))) {
      issue(at, std::string(batch ? "must be an integer >= 1" : "must be a finite number") + ", got " +
                    describe(list[i]));
      ok = false;
      continue;
    }
    const double v = list[i].get<double>();
    if (batch && trainSize > 0 && v > static_cast<double>(trainSize)) {
      issue(at, "must not exceed the training split (" + std::to_string(trainSize) + " samples), got " +
                    formatNumber(v));
      ok = false;
    } else if (!batch && (v < lo || v > hi)) {
      issue(at, "must be in [" + formatNumber(lo) + ", " + formatNumber(hi) + "] for " + axis.parameter +
                    ", got " + formatNumber(v));
      ok = false;
    } else if (std::find(axis.values.begin(), axis.values.end(), v) != axis.values.end()) {
      issue(at, "duplicate value " + formatNumber(v));
      ok = false;
    } else {
      axis.values.push_back(v);
    }
  }
  if (!ok) return std::nullopt;
  return axis;
}

}  // namespace

double lrScaleFactor(const std::string& rule, int batch, int baseBatch) {
  const double ratio = static_cast<double>(batch) / static_cast<double>(baseBatch);
  if (rule == "linear") return ratio;
  if (rule == "sqrt") return std::sqrt(ratio);
  return 1.0;
}

long trainingSplitSize(const DatasetSpec& d, std::uint64_t seed) {
  if (d.kind == "fashion_mnist") return data::fashionMnistFacts(d.limit).trainSize;
  if (const auto facts = data::syntheticFacts(d.kind, d.samples, d.testFraction)) return facts->trainSize;
  return loadDataset(d, seed).train.size();  // csv: only the file knows
}

StudySpec parseStudy(const std::string& jsonText, const std::string& origin, const std::string& baseDir) {
  const Json root = parseJsonObject(jsonText, origin);
  std::vector<SpecIssue> issues;
  auto issue = [&issues](std::string path, std::string message) {
    issues.push_back({std::move(path), std::move(message)});
  };
  StudySpec spec;
  spec.baseDir = baseDir;
  for (const auto& item : root.items())
    if (std::find(kFields.begin(), kFields.end(), item.key()) == kFields.end())
      issue(item.key(), "unknown field" + didYouMean(item.key(), kFields));

  if (!root.contains("version"))
    issue("version", "missing required field (must be 1)");
  else if (!root["version"].is_number_integer() || root["version"].get<long long>() != 1)
    issue("version", "must be 1, got " + describe(root["version"]));
  for (const char* key : {"name", "description"}) {
    if (!root.contains(key)) continue;
    if (!root[key].is_string())
      issue(key, "must be a string, got " + describe(root[key]));
    else
      (std::string(key) == "name" ? spec.name : spec.description) = root[key].get<std::string>();
  }

  // The experiment: a file (relative to the study's folder) or an inline object.
  const std::optional<ExperimentSpec> experiment =
      readExperimentField(root, origin, baseDir, spec.experimentPath, issues);
  const bool haveExperiment = experiment.has_value();
  if (haveExperiment) spec.experiment = *experiment;

  long trainSize = 0;
  if (haveExperiment) {
    try {
      trainSize = trainingSplitSize(spec.experiment.dataset, spec.experiment.seed);
    } catch (const std::exception& e) {
      issue("experiment.dataset", e.what());
    }
  }

  bool gridVariesBatch = false;
  if (root.contains("grid")) {
    const Json& g = root["grid"];
    if (!g.is_object()) {
      issue("grid", "must be an object {\"x\": axis, \"y\": axis}, got " + describe(g));
    } else {
      for (const auto& item : g.items())
        if (item.key() != "x" && item.key() != "y")
          issue("grid." + item.key(), "unknown field" + didYouMean(item.key(), {"x", "y"}));
      std::optional<StudyAxis> x, y;
      for (const char* key : {"x", "y"}) {
        if (!g.contains(key)) {
          issue(std::string("grid.") + key, "missing required field (an axis {\"parameter\": ..., \"values\": [...]})");
          continue;
        }
        (std::string(key) == "x" ? x : y) =
            parseAxis(g[key], std::string("grid.") + key, haveExperiment ? &spec.experiment : nullptr, trainSize, issue);
      }
      if (x && y && x->parameter == y->parameter)
        issue("grid.y.parameter", "must differ from grid.x.parameter (both are \"" + x->parameter + "\")");
      else if (x && y)
        spec.grid = StudyGrid{*x, *y};
      gridVariesBatch = (x && x->parameter == kBatchSizeAxis) || (y && y->parameter == kBatchSizeAxis);
      for (const std::optional<StudyAxis>& axis : {x, y})
        if (axis && axis->parameter == kBatchSizeAxis)
          for (const double b : axis->values) spec.batchSizes.push_back(static_cast<int>(b));
    }
  }

  if (root.contains("grid") && gridVariesBatch) {
    if (root.contains("batch_sizes"))
      issue("batch_sizes", "must be left out when a grid axis is batch_size (the axis gives the batch sizes)");
  } else if (root.contains("grid") && !root.contains("batch_sizes")) {
    if (haveExperiment) spec.batchSizes = {spec.experiment.batchSize};
  } else if (root.contains("grid") && (!root["batch_sizes"].is_array() || root["batch_sizes"].size() != 1)) {
    issue("batch_sizes", "a grid study trains at one batch size (make batch_size a grid axis to vary it), got " +
                             describe(root["batch_sizes"]));
  } else if (!root.contains("batch_sizes")) {
    issue("batch_sizes", "missing required field (a non-empty array of batch sizes)");
  } else if (!root["batch_sizes"].is_array() || root["batch_sizes"].empty()) {
    issue("batch_sizes", "must be a non-empty array of batch sizes, got " +
                             (root["batch_sizes"].is_array() ? std::string("an empty array")
                                                             : describe(root["batch_sizes"])));
  } else {
    const Json& list = root["batch_sizes"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "batch_sizes[" + std::to_string(i) + "]";
      if (!isInteger(list[i], 1, 10'000'000)) {
        issue(path, "must be an integer >= 1, got " + describe(list[i]));
        continue;
      }
      const int b = list[i].get<int>();
      if (trainSize > 0 && b > trainSize)
        issue(path, "must not exceed the training split (" + std::to_string(trainSize) +
                        " samples), got " + std::to_string(b));
      else if (std::find(spec.batchSizes.begin(), spec.batchSizes.end(), b) != spec.batchSizes.end())
        issue(path, "duplicate batch size " + std::to_string(b));
      else
        spec.batchSizes.push_back(b);
    }
  }

  if (root.contains("epochs")) {
    const Json& e = root["epochs"];
    if (!e.is_number() || !(e.get<double>() > 0) || e.get<double>() > 1e6)
      issue("epochs", "must be a number in (0, 1e6], got " + describe(e));
    else
      spec.epochs = e.get<double>();
  } else if (haveExperiment && trainSize > 0) {
    spec.epochs = experimentEpochs(spec.experiment, trainSize);
  }

  if (root.contains("lr_scaling")) {
    const Json& s = root["lr_scaling"];
    const std::vector<std::string> rules(std::begin(kLrScalings), std::end(kLrScalings));
    if (!s.is_string() || std::find(rules.begin(), rules.end(), s.get<std::string>()) == rules.end())
      issue("lr_scaling", "must be one of none, linear, sqrt, got " + describe(s) +
                              (s.is_string() ? didYouMean(s.get<std::string>(), rules) : std::string()));
    else
      spec.lrScaling = s.get<std::string>();
  }

  if (root.contains("base_batch_size")) {
    if (!isInteger(root["base_batch_size"], 1, 10'000'000))
      issue("base_batch_size", "must be an integer >= 1, got " + describe(root["base_batch_size"]));
    else
      spec.baseBatchSize = root["base_batch_size"].get<int>();
  } else if (haveExperiment) {
    spec.baseBatchSize = spec.experiment.batchSize;
  }

  if (root.contains("warmup_epochs")) {
    const Json& w = root["warmup_epochs"];
    if (!w.is_number() || !(w.get<double>() >= 0) || !std::isfinite(w.get<double>()))
      issue("warmup_epochs", "must be a number >= 0, got " + describe(w));
    else if (spec.epochs > 0 && w.get<double>() >= spec.epochs)
      issue("warmup_epochs", "must be less than the study's epochs (" + formatNumber(spec.epochs) +
                                 "), got " + formatNumber(w.get<double>()));
    else
      spec.warmupEpochs = w.get<double>();
  }

  if (root.contains("seeds")) {
    const Json& s = root["seeds"];
    if (!s.is_array() || s.empty()) {
      issue("seeds", "must be a non-empty array of seeds, got " +
                         (s.is_array() ? std::string("an empty array") : describe(s)));
    } else {
      for (std::size_t i = 0; i < s.size(); ++i) {
        const std::string path = "seeds[" + std::to_string(i) + "]";
        if (!s[i].is_number_unsigned() && !(s[i].is_number_integer() && s[i].get<long long>() >= 0)) {
          issue(path, "must be a non-negative integer, got " + describe(s[i]));
          continue;
        }
        const auto seed = s[i].get<std::uint64_t>();
        if (std::find(spec.seeds.begin(), spec.seeds.end(), seed) != spec.seeds.end())
          issue(path, "duplicate seed " + std::to_string(seed));
        else
          spec.seeds.push_back(seed);
      }
    }
  } else if (haveExperiment) {
    spec.seeds = {spec.experiment.seed};
  }

  if (root.contains("target_accuracy")) {
    const Json& t = root["target_accuracy"];
    if (!t.is_number() || !(t.get<double>() > 0) || t.get<double>() > 1)
      issue("target_accuracy", "must be a number in (0, 1], got " + describe(t));
    else
      spec.targetAccuracy = t.get<double>();
  }

  if (!issues.empty()) throw SpecError(origin, std::move(issues));
  return spec;
}

StudySpec loadStudy(const std::string& path) { return parseStudy(readSpecFile(path), path, folderOf(path)); }

std::string studyToJson(const StudySpec& spec, const std::string& folder) {
  OrderedJson root;
  root["version"] = spec.version;
  root["name"] = spec.name;
  if (!spec.description.empty()) root["description"] = spec.description;
  root["experiment"] = OrderedJson::parse(experimentToJson(relocateExperiment(spec.experiment, folder)));
  if (!spec.grid || (spec.grid->x.parameter != kBatchSizeAxis && spec.grid->y.parameter != kBatchSizeAxis))
    root["batch_sizes"] = spec.batchSizes;
  root["epochs"] = spec.epochs;
  root["lr_scaling"] = spec.lrScaling;
  root["base_batch_size"] = spec.baseBatchSize;
  if (spec.warmupEpochs) root["warmup_epochs"] = *spec.warmupEpochs;
  root["seeds"] = spec.seeds;
  if (spec.targetAccuracy) root["target_accuracy"] = *spec.targetAccuracy;
  if (spec.grid)
    for (const auto& [key, axis] : {std::pair{"x", &spec.grid->x}, std::pair{"y", &spec.grid->y}}) {
      root["grid"][key]["parameter"] = axis->parameter;
      root["grid"][key]["values"] = axis->values;
    }
  return root.dump(2) + "\n";
}

namespace {

// Where a study trains each run: a batch size, the grid's values at that point (NaN outside a
// grid) and the hyperparameters they set.
struct StudyPoint {
  int batch = 0;
  double gridX = std::nan("");
  double gridY = std::nan("");
  std::vector<std::pair<std::string, double>> hyperparameters;
};

std::vector<StudyPoint> studyPoints(const StudySpec& spec) {
  std::vector<StudyPoint> points;
  if (!spec.grid) {
    for (const int b : spec.batchSizes) points.push_back({b, std::nan(""), std::nan(""), {}});
    return points;
  }
  const StudyAxis& xAxis = spec.grid->x;
  const StudyAxis& yAxis = spec.grid->y;
  for (const double y : yAxis.values)
    for (const double x : xAxis.values) {
      StudyPoint p{spec.batchSizes.empty() ? spec.experiment.batchSize : spec.batchSizes.front(), x, y, {}};
      for (const auto& [axis, v] : {std::pair{&xAxis, x}, std::pair{&yAxis, y}}) {
        if (axis->parameter == kBatchSizeAxis)
          p.batch = static_cast<int>(v);
        else
          p.hyperparameters.emplace_back(axis->parameter, v);
      }
      points.push_back(std::move(p));
    }
  return points;
}

}  // namespace

std::vector<StudyConfiguration> expandStudy(const StudySpec& spec) {
  const ExperimentSpec& base = spec.experiment;
  const long trainSize = trainingSplitSize(base.dataset, base.seed);
  const int baseBatch = spec.baseBatchSize > 0 ? spec.baseBatchSize : base.batchSize;
  const double epochs = spec.epochs > 0 ? spec.epochs : experimentEpochs(base, trainSize);
  const long basePerEpoch = std::max(1L, trainSize / std::max(1, base.batchSize));
  // Ids from run names; two names with the same slug get the run index appended.
  std::vector<std::string> slugs;
  for (std::size_t i = 0; i < base.runs.size(); ++i) {
    std::string s = slug(base.runs[i].name);
    if (std::find(slugs.begin(), slugs.end(), s) != slugs.end()) s += std::to_string(i);
    slugs.push_back(s);
  }
  const std::vector<StudyPoint> points = studyPoints(spec);
  std::vector<StudyConfiguration> out;
  for (std::size_t r = 0; r < base.runs.size(); ++r) {
    const RunSpec& run = base.runs[r];
    for (const StudyPoint& point : points) {
      const int b = point.batch;
      const long perEpoch = std::max(1L, trainSize / b);  // as data::Batcher counts
      const long total = std::max(1L, static_cast<long>(std::ceil(epochs * static_cast<double>(perEpoch))));
      RunSpec scaled = run;
      std::string pointId = "_b" + std::to_string(b);
      for (const auto& [name, value] : point.hyperparameters) {
        scaled.optimizer.hyperparameters[name] = value;
        pointId += "_" + name + formatNumber(value);
      }
      // A grid's lr holds at the base batch size, like the run's own: both are scaled.
      const double lr = hyperparameter(scaled.optimizer, "lr") * lrScaleFactor(spec.lrScaling, b, baseBatch);
      scaled.optimizer.hyperparameters["lr"] = lr;
      // Warm-up in epochs: the study's, else the run's own warm-up at the experiment's batch size.
      const double warmupEpochs =
          spec.warmupEpochs ? *spec.warmupEpochs
                            : static_cast<double>(run.schedule.warmupSteps) / static_cast<double>(basePerEpoch);
      long warmup = std::lround(warmupEpochs * static_cast<double>(perEpoch));
      // A decaying schedule needs at least one step after warm-up (tiny epochs at huge batches).
      if (scaled.schedule.kind == "polynomial" || scaled.schedule.kind == "cosine")
        warmup = std::min(warmup, total - 1);
      scaled.schedule.warmupSteps = std::max(0L, warmup);
      scaled.schedule.totalSteps = 0;
      for (const std::uint64_t seed : spec.seeds) {
        StudyConfiguration c;
        c.id = slugs[r] + pointId + "_s" + std::to_string(seed);
        c.run = run.name;
        c.optimizer = run.optimizer.type;
        c.batchSize = b;
        c.lr = lr;
        c.eta = hyperparameter(scaled.optimizer, "eta");
        c.seed = seed;
        c.gridX = point.gridX;
        c.gridY = point.gridY;
        c.totalSteps = total;
        ExperimentSpec& e = c.experiment;
        e = base;
        e.name = spec.name + ": " + c.id;
        e.runs = {scaled};
        e.batchSize = b;
        e.steps = 0;
        e.epochs = epochs;
        e.seed = seed;
        e.evalEvery = std::max(1L, std::lround(static_cast<double>(total) / 20.0));  // ~20 evaluations
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

}  // namespace larslab::engine
