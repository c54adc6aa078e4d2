#include "engine/experiment.h"

#include "engine/json_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "data/dataset_facts.h"
#include "data/fashion_mnist.h"
#include "data/synthetic.h"
#include "engine/atomic_file.h"
#include "engine/text_util.h"
#include "nn/layer_registry.h"
#include "nn/network.h"

namespace larslab::engine {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

std::string joinMessage(const std::string& file, const std::vector<SpecIssue>& issues) {
  std::string text;
  for (const SpecIssue& issue : issues) {
    if (!text.empty()) text += '\n';
    text += file + ": " + (issue.path.empty() ? std::string() : issue.path + ": ") + issue.message;
  }
  return text;
}

std::string describe(const Json& j) { return describeJson(j); }

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}


// Collects every issue of one document; never throws on bad content.
class Reader {
 public:
  std::vector<SpecIssue> issues;

  void issue(const std::string& path, std::string message) {
    issues.push_back({path, std::move(message)});
  }

  bool isObject(const Json& j, const std::string& path) {
    if (j.is_object()) return true;
    issue(path, "must be an object, got " + describe(j));
    return false;
  }

  // Reports every key not in `allowed`, with a nearest-name hint.
  void checkKeys(const Json& object, const std::string& path,
                 const std::vector<std::string>& allowed) {
    for (const auto& item : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
      std::string message = "unknown field";
      message += didYouMean(item.key(), allowed);
      issue(child(path, item.key()), message);
    }
  }

  void readString(const Json& object, const std::string& path, const char* key, std::string& out) {
    const auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_string()) {
      issue(child(path, key), "must be a string, got " + describe(*it));
      return;
    }
    out = it->get<std::string>();
  }

  void readBool(const Json& object, const std::string& path, const char* key, bool& out) {
    const auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_boolean()) {
      issue(child(path, key), "must be true or false, got " + describe(*it));
      return;
    }
    out = it->get<bool>();
  }

  // Integers may be written as 64 or 64.0 but not 64.5.
  template <typename Int>
  bool readInt(const Json& object, const std::string& path, const char* key, Int& out, long long lo,
               long long hi = std::numeric_limits<long long>::max()) {
    const auto it = object.find(key);
    if (it == object.end()) return false;
    return readIntValue(*it, child(path, key), out, lo, hi);
  }

  template <typename Int>
  bool readIntValue(const Json& value, const std::string& path, Int& out, long long lo,
                    long long hi) {
    if (!value.is_number()) {
      issue(path, "must be an integer, got " + describe(value));
      return false;
    }
    const double d = value.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e18) {
      issue(path, "must be an integer, got " + describe(value));
      return false;
    }
    const long long v = value.is_number_unsigned()
                            ? static_cast<long long>(std::min<std::uint64_t>(
                                  value.get<std::uint64_t>(), 9000000000000000000ULL))
                            : static_cast<long long>(d);
    if (v < lo) {
      issue(path, "must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
      return false;
    }
    if (v > hi) {
      issue(path, "must be <= " + std::to_string(hi) + ", got " + std::to_string(v));
      return false;
    }
    out = static_cast<Int>(v);
    return true;
  }

  enum class Bound { Closed, Open };
  bool readDouble(const Json& object, const std::string& path, const char* key, double& out,
                  double lo, Bound loBound, double hi, Bound hiBound) {
    const auto it = object.find(key);
    if (it == object.end()) return false;
    return readDoubleValue(*it, child(path, key), out, lo, loBound, hi, hiBound);
  }

  bool readDoubleValue(const Json& value, const std::string& path, double& out, double lo,
                       Bound loBound, double hi, Bound hiBound) {
    if (!value.is_number()) {
      issue(path, "must be a number, got " + describe(value));
      return false;
    }
    const double v = value.get<double>();
    const bool loOk = loBound == Bound::Closed ? v >= lo : v > lo;
    const bool hiOk = hiBound == Bound::Closed ? v <= hi : v < hi;
    if (!std::isfinite(v) || !loOk || !hiOk) {
      issue(path, "must be " + rangeText(lo, loBound, hi, hiBound) + ", got " + formatNumber(v));
      return false;
    }
    out = v;
    return true;
  }

  static std::string rangeText(double lo, Bound loBound, double hi, Bound hiBound) {
    const bool noLo = lo == -std::numeric_limits<double>::infinity();
    const bool noHi = hi == std::numeric_limits<double>::infinity();
    if (noLo && noHi) return "finite";
    if (noHi) return std::string(loBound == Bound::Closed ? ">= " : "> ") + formatNumber(lo);
    if (noLo) return std::string(hiBound == Bound::Closed ? "<= " : "< ") + formatNumber(hi);
    return "in " + std::string(loBound == Bound::Closed ? "[" : "(") + formatNumber(lo) + ", " +
           formatNumber(hi) + (hiBound == Bound::Closed ? "]" : ")");
  }
};

constexpr double kInf = std::numeric_limits<double>::infinity();
using Bound = Reader::Bound;

std::string choiceList(const std::vector<std::string>& choices) {
  std::string text;
  for (const std::string& c : choices) text += (text.empty() ? "" : ", ") + c;
  return text;
}

void readLayer(Reader& r, const Json& j, const std::string& path, nn::LayerSpec& layer) {
  if (!r.isObject(j, path)) return;
  const auto typeIt = j.find("type");
  if (typeIt == j.end()) {
    r.issue(child(path, "type"), "missing required field (one of " + nn::layerTypeList() + ")");
    return;
  }
  if (!typeIt->is_string()) {
    r.issue(child(path, "type"), "must be a string, got " + describe(*typeIt));
    return;
  }
  layer.type = typeIt->get<std::string>();
  const nn::LayerType* type = nn::findLayerType(layer.type);
  if (!type) {
    std::string message = "unknown layer type \"" + layer.type + "\"";
    message += didYouMean(layer.type, nn::layerTypeNames());
    r.issue(child(path, "type"), message + "; expected one of " + nn::layerTypeList());
    return;
  }
  // Fields that mean something for this layer type; anything else is a typo or a misunderstanding.
  std::vector<std::string> allowed = {"type", "name"};
  for (const nn::LayerField& f : type->fields) allowed.emplace_back(f.key);
  r.checkKeys(j, path, allowed);
  r.readString(j, path, "name", layer.name);
  for (const nn::LayerField& f : type->fields) {
    if (f.requiredHint && !j.contains(f.key))
      r.issue(child(path, f.key), std::string("missing required field (") + f.requiredHint + ")");
    const auto it = j.find(f.key);
    if (it == j.end()) continue;
    const std::string fieldPath = child(path, f.key);
    // The file reader checks the JSON types; the field's own rule (nn::LayerField) its value.
    nn::LayerSpec candidate = layer;
    if (f.kind == nn::LayerField::Kind::Init) {
      r.readString(j, path, f.key, candidate.init);
    } else if (f.kind == nn::LayerField::Kind::Int) {
      long long v = 0;
      if (!r.readIntValue(*it, fieldPath, v, std::numeric_limits<long long>::min(),
                          std::numeric_limits<long long>::max()))
        continue;
      if (!f.range.contains(static_cast<double>(v))) {
        r.issue(fieldPath, f.range.violation(static_cast<double>(v), true));
        continue;
      }
      f.setNumber(candidate, static_cast<double>(v));
    } else {
      double v = 0;
      if (!r.readDoubleValue(*it, fieldPath, v, -kInf, Bound::Open, kInf, Bound::Open)) continue;
      f.setNumber(candidate, v);
    }
    if (const std::string problem = f.problem(candidate); !problem.empty()) {
      r.issue(fieldPath, problem);
      continue;
    }
    layer = candidate;
  }
}

void readDataset(Reader& r, const Json& j, const std::string& path, DatasetSpec& d) {
  if (!r.isObject(j, path)) return;
  r.checkKeys(j, path,
              {"kind", "samples", "noise", "test_fraction", "path", "label_column", "ignore_columns",
               "missing", "standardize", "regression", "limit"});
  r.readString(j, path, "kind", d.kind);
  std::vector<std::string> kinds = data::syntheticKinds();
  kinds.emplace_back("fashion_mnist");
  kinds.emplace_back("csv");
  if (std::find(kinds.begin(), kinds.end(), d.kind) == kinds.end()) {
    std::string message = "unknown dataset kind \"" + d.kind + "\"";
    message += didYouMean(d.kind, kinds);
    r.issue(child(path, "kind"), message + "; expected one of " + choiceList(kinds));
  }
  r.readInt(j, path, "samples", d.samples, 4, 10'000'000);
  r.readDouble(j, path, "noise", d.noise, 0.0, Bound::Closed, kInf, Bound::Open);
  r.readDouble(j, path, "test_fraction", d.testFraction, 0.0, Bound::Open, 1.0, Bound::Open);
  r.readString(j, path, "path", d.path);
  r.readString(j, path, "label_column", d.labelColumn);
  if (const auto it = j.find("ignore_columns"); it != j.end()) {
    const std::string field = child(path, "ignore_columns");
    if (!it->is_array()) {
      r.issue(field, "must be an array of column names, got " + describe(*it));
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        if ((*it)[i].is_string())
          d.ignoreColumns.push_back((*it)[i].get<std::string>());
        else
          r.issue(index(field, i), "must be a column name (a string), got " + describe((*it)[i]));
      }
    }
  }
  if (const auto it = j.find("missing"); it != j.end()) {
    std::vector<std::string> names;
    for (const data::MissingPolicyInfo& p : data::missingPolicies()) names.emplace_back(p.name);
    const data::MissingPolicyInfo* policy = it->is_string() ? data::findMissingPolicy(it->get<std::string>()) : nullptr;
    if (policy != nullptr)
      d.missing = policy->policy;
    else
      r.issue(child(path, "missing"), "must be one of " + choiceList(names) + ", got " + describe(*it) +
                                          (it->is_string() ? didYouMean(it->get<std::string>(), names) : std::string()));
  }
  r.readBool(j, path, "standardize", d.standardize);
  r.readBool(j, path, "regression", d.regression);
  r.readInt(j, path, "limit", d.limit, 0, data::kFashionMnistTrainImages);
  if (d.kind == "csv" && d.path.empty())
    r.issue(child(path, "path"), "missing required field for kind csv (the CSV file)");
  if (d.kind != "csv" && (!d.ignoreColumns.empty() || d.missing != data::MissingPolicy::Error))
    r.issue(child(path, j.contains("ignore_columns") ? "ignore_columns" : "missing"),
            "only for kind csv, got kind \"" + d.kind + "\"");
}

// The rules of one optimizer configuration, on the struct: the file reader (after reading the
// JSON types) and runs built in code (validateRun) both check them here.
void checkOptimizer(Reader& r, const optim::OptimizerConfig& config, const std::string& path) {
  const optim::OptimizerInfo* info = optim::findOptimizer(config.type);
  if (info == nullptr) {
    std::vector<std::string> types;
    for (const optim::OptimizerInfo& o : optim::optimizerRegistry()) types.push_back(o.type);
    r.issue(child(path, "type"), "unknown optimizer \"" + config.type + "\"" + didYouMean(config.type, types) +
                                     "; expected one of " + choiceList(types));
    return;
  }
  if (!config.preset.empty()) {
    std::vector<std::string> presets;
    for (const auto& p : info->presets) presets.push_back(p.name);
    if (std::find(presets.begin(), presets.end(), config.preset) == presets.end())
      r.issue(child(path, "preset"), "unknown preset \"" + config.preset + "\" for " + config.type +
                                         didYouMean(config.preset, presets) +
                                         (presets.empty() ? std::string("; it has no presets")
                                                          : "; expected one of " + choiceList(presets)));
  }
  std::vector<std::string> names;
  for (const optim::HyperparameterSpec& h : info->hyperparameters) {
    names.push_back(h.name);
    const auto it = config.hyperparameters.find(h.name);
    if (it == config.hyperparameters.end()) continue;
    if (const std::string problem = optim::hyperparameterProblem(h, it->second); !problem.empty())
      r.issue(child(path, h.name), problem);
  }
  for (const auto& [name, value] : config.hyperparameters)
    if (std::find(names.begin(), names.end(), name) == names.end())
      r.issue(child(path, name), "unknown hyperparameter of " + config.type + didYouMean(name, names));
  std::vector<std::string> optionNames;
  for (const optim::OptionSpec& o : info->options) {
    optionNames.push_back(o.name);
    const auto it = config.options.find(o.name);
    if (it == config.options.end()) continue;
    if (std::find(o.choices.begin(), o.choices.end(), it->second) == o.choices.end())
      r.issue(child(path, o.name), "unknown choice \"" + it->second + "\"" + didYouMean(it->second, o.choices) +
                                       "; expected one of " + choiceList(o.choices));
  }
  for (const auto& [name, choice] : config.options)
    if (std::find(optionNames.begin(), optionNames.end(), name) == optionNames.end())
      r.issue(child(path, name), "unknown option of " + config.type + didYouMean(name, optionNames));
}

void readOptimizer(Reader& r, const Json& j, const std::string& path,
                   optim::OptimizerConfig& config) {
  if (!r.isObject(j, path)) return;
  const auto typeIt = j.find("type");
  if (typeIt != j.end() && !typeIt->is_string()) {
    r.issue(child(path, "type"), "must be a string, got " + describe(*typeIt));
    return;
  }
  if (typeIt != j.end()) config.type = typeIt->get<std::string>();
  const optim::OptimizerInfo* info = optim::findOptimizer(config.type);
  if (info == nullptr) {
    checkOptimizer(r, config, path);  // names the unknown type
    return;
  }
  std::vector<std::string> allowed = {"type", "preset"};
  for (const auto& h : info->hyperparameters) allowed.push_back(h.name);
  for (const auto& o : info->options) allowed.push_back(o.name);
  r.checkKeys(j, path, allowed);

  r.readString(j, path, "preset", config.preset);
  for (const optim::HyperparameterSpec& h : info->hyperparameters) {
    double value = 0.0;
    if (r.readDouble(j, path, h.name.c_str(), value, -kInf, Bound::Open, kInf, Bound::Open))
      config.hyperparameters[h.name] = value;
  }
  for (const optim::OptionSpec& o : info->options) {
    const auto it = j.find(o.name);
    if (it == j.end()) continue;
    if (!it->is_string()) {
      r.issue(child(path, o.name), "must be a string, got " + describe(*it));
      continue;
    }
    config.options[o.name] = it->get<std::string>();
  }
  checkOptimizer(r, config, path);
}

// The rules of a schedule that its fields' own ranges do not cover: a known kind, a warm-up
// shorter than the experiment, what optim::validateSchedule requires. `totalSteps` <= 0: the
// length is not known yet (a CSV experiment given in epochs), so no horizon check.
void checkSchedule(Reader& r, const optim::ScheduleConfig& s, long totalSteps, const std::string& path) {
  const auto& kinds = optim::scheduleKinds();
  if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) {
    r.issue(child(path, "kind"), "unknown schedule kind \"" + s.kind + "\"" + didYouMean(s.kind, kinds) +
                                     "; expected one of " + choiceList(kinds));
    return;
  }
  if ((s.kind == "polynomial" || s.kind == "cosine") && totalSteps > 0 && s.warmupSteps >= totalSteps) {
    r.issue(child(path, "warmup_steps"),
            "must be less than the experiment length (" + std::to_string(totalSteps) +
                " steps) for a " + s.kind + " schedule, got " + std::to_string(s.warmupSteps));
    return;
  }
  optim::ScheduleConfig probe = s;
  probe.totalSteps = totalSteps > 0 ? totalSteps : s.warmupSteps + 1;
  try {
    optim::validateSchedule(probe);
  } catch (const std::exception& e) {
    r.issue(path, e.what());
  }
}

void readSchedule(Reader& r, const Json& j, const std::string& path, optim::ScheduleConfig& s,
                  long totalSteps) {
  if (!r.isObject(j, path)) return;
  r.checkKeys(j, path, {"kind", "warmup_steps", "power", "final_factor", "step_size", "gamma"});
  const std::size_t before = r.issues.size();
  r.readString(j, path, "kind", s.kind);
  r.readInt(j, path, "warmup_steps", s.warmupSteps, 0);
  r.readDouble(j, path, "power", s.power, 0.0, Bound::Open, kInf, Bound::Open);
  r.readDouble(j, path, "final_factor", s.finalFactor, 0.0, Bound::Closed, 1.0, Bound::Closed);
  r.readInt(j, path, "step_size", s.stepSize, 1);
  r.readDouble(j, path, "gamma", s.gamma, 0.0, Bound::Open, 1.0, Bound::Closed);
  if (r.issues.size() != before) {
    // The kind is worth naming even when a field is bad too.
    const auto& kinds = optim::scheduleKinds();
    if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) checkSchedule(r, s, totalSteps, path);
    return;
  }
  checkSchedule(r, s, totalSteps, path);
}

void readHealth(Reader& r, const Json& j, const std::string& path, HealthSpec& h) {
  if (!r.isObject(j, path)) return;
  r.checkKeys(j, path,
              {"blowup_factor", "weight_growth", "stall_grad_factor", "chance_tolerance",
               "burn_in_steps", "patience_steps", "smoothing_steps"});
  r.readDouble(j, path, "blowup_factor", h.blowupFactor, 1.0, Bound::Open, 1e12, Bound::Closed);
  r.readDouble(j, path, "weight_growth", h.weightGrowth, 1.0, Bound::Open, 1e12, Bound::Closed);
  r.readDouble(j, path, "stall_grad_factor", h.stallGradFactor, 0.0, Bound::Open, 1.0, Bound::Open);
  r.readDouble(j, path, "chance_tolerance", h.chanceTolerance, 0.0, Bound::Open, 0.5, Bound::Closed);
  r.readInt(j, path, "burn_in_steps", h.burnInSteps, 0, 1'000'000'000);
  r.readInt(j, path, "patience_steps", h.patienceSteps, 1, 1'000'000'000);
  r.readInt(j, path, "smoothing_steps", h.smoothingSteps, 1, 1'000'000);
}

// Only the fields that differ from the defaults, so files without the section stay as they are.
OrderedJson healthToJson(const HealthSpec& h) {
  const HealthSpec d;
  OrderedJson o = OrderedJson::object();
  if (h.blowupFactor != d.blowupFactor) o["blowup_factor"] = h.blowupFactor;
  if (h.weightGrowth != d.weightGrowth) o["weight_growth"] = h.weightGrowth;
  if (h.stallGradFactor != d.stallGradFactor) o["stall_grad_factor"] = h.stallGradFactor;
  if (h.chanceTolerance != d.chanceTolerance) o["chance_tolerance"] = h.chanceTolerance;
  if (h.burnInSteps != d.burnInSteps) o["burn_in_steps"] = h.burnInSteps;
  if (h.patienceSteps != d.patienceSteps) o["patience_steps"] = h.patienceSteps;
  if (h.smoothingSteps != d.smoothingSteps) o["smoothing_steps"] = h.smoothingSteps;
  return o;
}

// The built-in datasets' facts (src/data); empty for CSV, whose facts need the file.
std::optional<data::DatasetFacts> dataFacts(const DatasetSpec& d) {
  if (d.kind == "fashion_mnist") return data::fashionMnistFacts(d.limit);
  if (d.kind == "csv") return std::nullopt;
  return data::syntheticFacts(d.kind, d.samples, d.testFraction);
}

// `known`: the facts of a CSV file once it has been read (checkExperimentData).
void checkModelAgainstData(Reader& r, const ExperimentSpec& spec,
                           const std::optional<data::DatasetFacts>& known = std::nullopt) {
  const std::optional<data::DatasetFacts> facts = known ? known : dataFacts(spec.dataset);
  const bool regression = spec.dataset.kind == "csv" ? spec.dataset.regression : (facts && facts->classes == 0);
  // With `known` the loss was already checked when the file was read.
  if (!known && spec.model.loss == "cross_entropy" && regression)
    r.issue("model.loss", "cross_entropy needs a classification dataset; use mse for regression");
  if (!known && spec.model.loss == "mse" && !regression && (facts || spec.dataset.kind == "csv"))
    r.issue("model.loss",
            "mse needs a regression dataset (a regression_* kind, or csv with regression: true)");
  if (!facts) return;
  try {
    const nn::Network network(spec.model, facts->inputShape);
    const int outputs = network.outputShape().size();
    if (outputs != facts->outputs)
      r.issue("model.layers", "the model outputs " + std::to_string(outputs) +
                                  " values per sample but dataset " + spec.dataset.kind +
                                  " needs " + std::to_string(facts->outputs) +
                                  (facts->classes > 0 ? " (one per class)" : " (one per target)"));
  } catch (const std::exception& e) {
    // The network names the field itself ("model.layers[2].kernel: ..."); keep that path.
    const std::string what = e.what();
    const auto colon = what.find(": ");
    if (what.rfind("model.", 0) == 0 && colon != std::string::npos)
      r.issue(what.substr(0, colon), what.substr(colon + 2));
    else
      r.issue("model.layers", what);
  }
  if (spec.batchSize > facts->trainSize)
    r.issue("batch_size", "must not exceed the training split (" + std::to_string(facts->trainSize) +
                              " samples), got " + std::to_string(spec.batchSize));
}

// An estimate of the experiment length for schedule validation (CSV sizes are unknown here).
long estimatedSteps(const ExperimentSpec& spec) {
  if (spec.steps > 0) return spec.steps;
  const std::optional<data::DatasetFacts> facts = dataFacts(spec.dataset);
  if (!facts || spec.batchSize <= 0) return 0;
  const long perEpoch = std::max(1L, facts->trainSize / spec.batchSize);
  return static_cast<long>(std::ceil(spec.epochs * static_cast<double>(perEpoch)));
}

bool validRunName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (name == "." || name == "..") return false;
  for (const unsigned char c : name)
    if (c < 0x20 || c == '/' || c == '\\' || c == ',' || c == '"' || c == 0x7f) return false;
  return true;
}

}  // namespace

SpecError::SpecError(std::string file, std::vector<SpecIssue> issues)
    : std::runtime_error(joinMessage(file, issues)),
      file_(std::move(file)),
      issues_(std::move(issues)) {}

ExperimentSpec parseExperiment(const std::string& jsonText, const std::string& origin) {
  const Json root = parseJsonObject(jsonText, origin);
  Reader r;
  ExperimentSpec spec;
  r.checkKeys(root, "",
              {"version", "name", "description", "dataset", "model", "batch_size", "steps",
               "epochs", "eval_every", "seed", "shuffle", "health", "runs"});

  if (!root.contains("version"))
    r.issue("version", "missing required field (must be 1)");
  else if (!root["version"].is_number_integer() || root["version"].get<long long>() != 1)
    r.issue("version", "must be 1, got " + describe(root["version"]));

  r.readString(root, "", "name", spec.name);
  r.readString(root, "", "description", spec.description);
  if (root.contains("dataset")) readDataset(r, root["dataset"], "dataset", spec.dataset);

  if (!root.contains("model")) {
    r.issue("model", "missing required field (an object with layers and loss)");
  } else if (r.isObject(root["model"], "model")) {
    const Json& model = root["model"];
    r.checkKeys(model, "model", {"layers", "loss"});
    r.readString(model, "model", "loss", spec.model.loss);
    if (spec.model.loss != "cross_entropy" && spec.model.loss != "mse")
      r.issue("model.loss",
              "unknown loss \"" + spec.model.loss + "\"; expected one of cross_entropy, mse");
    const auto layersIt = model.find("layers");
    if (layersIt == model.end()) {
      r.issue("model.layers", "missing required field (an array of layers)");
    } else if (!layersIt->is_array() || layersIt->empty()) {
      r.issue("model.layers", "must be a non-empty array, got " + describe(*layersIt));
    } else {
      for (std::size_t i = 0; i < layersIt->size(); ++i) {
        nn::LayerSpec layer;
        readLayer(r, (*layersIt)[i], index("model.layers", i), layer);
        spec.model.layers.push_back(layer);
      }
    }
  }

  r.readInt(root, "", "batch_size", spec.batchSize, 1, 10'000'000);
  const bool hasSteps = r.readInt(root, "", "steps", spec.steps, 1, 1'000'000'000);
  const bool hasEpochs =
      r.readDouble(root, "", "epochs", spec.epochs, 0.0, Bound::Open, 1e6, Bound::Closed);
  if (hasSteps && hasEpochs) r.issue("epochs", "give either steps or epochs, not both");
  if (!root.contains("steps") && !root.contains("epochs")) spec.steps = kDefaultSteps;
  r.readInt(root, "", "eval_every", spec.evalEvery, 0);
  if (root.contains("seed")) {
    const Json& seed = root["seed"];
    if (seed.is_number_unsigned())
      spec.seed = seed.get<std::uint64_t>();
    else if (seed.is_number_integer() && seed.get<long long>() >= 0)
      spec.seed = static_cast<std::uint64_t>(seed.get<long long>());
    else
      r.issue("seed", "must be a non-negative integer, got " + describe(seed));
  }
  r.readBool(root, "", "shuffle", spec.shuffle);
  if (root.contains("health")) readHealth(r, root["health"], "health", spec.health);

  const long total = estimatedSteps(spec);
  if (!root.contains("runs")) {
    r.issue("runs", "missing required field (an array of runs)");
  } else if (!root["runs"].is_array() || root["runs"].empty()) {
    r.issue("runs", "must be a non-empty array, got " + describe(root["runs"]));
  } else {
    const Json& runs = root["runs"];
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const std::string path = index("runs", i);
      RunSpec run;
      if (!r.isObject(runs[i], path)) continue;
      r.checkKeys(runs[i], path, {"name", "optimizer", "schedule"});
      if (!runs[i].contains("name")) r.issue(child(path, "name"), "missing required field");
      r.readString(runs[i], path, "name", run.name);
      if (runs[i].contains("name") && runs[i]["name"].is_string() && !validRunName(run.name))
        r.issue(child(path, "name"),
                "must be 1-64 characters without / \\ , \" or control characters, got \"" +
                    run.name + "\"");
      for (std::size_t k = 0; k < spec.runs.size(); ++k)
        if (!run.name.empty() && spec.runs[k].name == run.name)
          r.issue(child(path, "name"),
                  "duplicate run name \"" + run.name + "\" (also " + index("runs", k) + ")");
      if (!runs[i].contains("optimizer"))
        r.issue(child(path, "optimizer"),
                "missing required field (an object with type and hyperparameters)");
      else
        readOptimizer(r, runs[i]["optimizer"], child(path, "optimizer"), run.optimizer);
      if (runs[i].contains("schedule"))
        readSchedule(r, runs[i]["schedule"], child(path, "schedule"), run.schedule, total);
      spec.runs.push_back(std::move(run));
    }
  }
  // Cross-field checks only make sense when the parts they combine parsed cleanly.
  if (r.issues.empty()) checkModelAgainstData(r, spec);
  if (!r.issues.empty()) throw SpecError(origin, std::move(r.issues));
  return spec;
}

ExperimentSpec loadExperiment(const std::string& path) {
  ExperimentSpec spec = parseExperiment(readSpecFile(path), path);
  spec.dataset.baseDir = folderOf(path);
  return spec;
}

std::string resolvedDataPath(const DatasetSpec& d) {
  const std::filesystem::path p(d.path);
  if (d.path.empty() || p.is_absolute() || d.baseDir.empty()) return d.path;
  return (std::filesystem::path(d.baseDir) / p).lexically_normal().string();
}

data::CsvOptions csvOptions(const DatasetSpec& d, std::uint64_t seed) {
  data::CsvOptions options;
  options.labelColumn = d.labelColumn;
  options.ignoreColumns = d.ignoreColumns;
  options.missing = d.missing;
  options.regression = d.regression;
  options.standardize = d.standardize;
  options.testFraction = d.testFraction;
  options.seed = seed;
  return options;
}

std::vector<SpecIssue> checkExperimentData(const ExperimentSpec& spec) {
  Reader r;
  const DatasetSpec& d = spec.dataset;
  if (d.kind == "fashion_mnist") {
    const std::string directory = d.path.empty() ? data::defaultFashionMnistDir() : resolvedDataPath(d);
    for (const std::string& problem : data::missingFashionMnistFiles(directory)) r.issue("dataset.path", problem);
  } else if (d.kind == "csv") {
    const data::CsvInspection info = data::inspectCsv(resolvedDataPath(d), csvOptions(d, spec.seed), 0);
    for (const data::CsvProblem& problem : info.problems) r.issue("dataset", problem.text);
    if (info.problems.empty()) checkModelAgainstData(r, spec, data::csvFacts(info, d.regression));
  }
  return std::move(r.issues);
}

std::string experimentToJson(const ExperimentSpec& spec) {
  OrderedJson root;
  root["version"] = spec.version;
  root["name"] = spec.name;
  if (!spec.description.empty()) root["description"] = spec.description;

  const DatasetSpec& d = spec.dataset;
  OrderedJson dataset;
  dataset["kind"] = d.kind;
  if (d.kind == "csv") {
    dataset["path"] = d.path;
    if (!d.labelColumn.empty()) dataset["label_column"] = d.labelColumn;
    // Written only when not the default, so files without them stay byte-identical.
    if (!d.ignoreColumns.empty()) dataset["ignore_columns"] = d.ignoreColumns;
    if (d.missing != data::MissingPolicy::Error) dataset["missing"] = data::missingPolicyName(d.missing);
    dataset["standardize"] = d.standardize;
    dataset["regression"] = d.regression;
    dataset["test_fraction"] = d.testFraction;
  } else if (d.kind == "fashion_mnist") {
    if (!d.path.empty()) dataset["path"] = d.path;
    dataset["limit"] = d.limit;
  } else {
    dataset["samples"] = d.samples;
    dataset["noise"] = d.noise;
    dataset["test_fraction"] = d.testFraction;
  }
  root["dataset"] = dataset;

  OrderedJson layers = OrderedJson::array();
  for (const nn::LayerSpec& l : spec.model.layers) {
    OrderedJson layer;
    layer["type"] = l.type;
    if (!l.name.empty()) layer["name"] = l.name;
    if (const nn::LayerType* type = nn::findLayerType(l.type))
      for (const nn::LayerField& f : type->fields) {
        if (!f.isWritten(l)) continue;
        if (f.kind == nn::LayerField::Kind::Init)
          layer[f.key] = l.init;
        else if (f.kind == nn::LayerField::Kind::Int)
          layer[f.key] = l.*f.intValue;
        else
          layer[f.key] = l.*f.realValue;
      }
    layers.push_back(layer);
  }
  root["model"] = {{"layers", layers}, {"loss", spec.model.loss}};

  root["batch_size"] = spec.batchSize;
  if (spec.steps > 0)
    root["steps"] = spec.steps;
  else
    root["epochs"] = spec.epochs;
  root["eval_every"] = spec.evalEvery;
  root["seed"] = spec.seed;
  root["shuffle"] = spec.shuffle;
  if (spec.health != HealthSpec{}) root["health"] = healthToJson(spec.health);

  OrderedJson runs = OrderedJson::array();
  for (const RunSpec& run : spec.runs) {
    OrderedJson o;
    o["type"] = run.optimizer.type;
    if (!run.optimizer.preset.empty()) o["preset"] = run.optimizer.preset;
    for (const auto& [name, value] : run.optimizer.hyperparameters) o[name] = value;
    for (const auto& [name, choice] : run.optimizer.options) o[name] = choice;
    OrderedJson s;
    s["kind"] = run.schedule.kind;
    s["warmup_steps"] = run.schedule.warmupSteps;
    if (run.schedule.kind == "polynomial") s["power"] = run.schedule.power;
    if (run.schedule.kind == "polynomial" || run.schedule.kind == "cosine")
      s["final_factor"] = run.schedule.finalFactor;
    if (run.schedule.kind == "step") {
      s["step_size"] = run.schedule.stepSize;
      s["gamma"] = run.schedule.gamma;
    }
    runs.push_back({{"name", run.name}, {"optimizer", o}, {"schedule", s}});
  }
  root["runs"] = runs;
  return root.dump(2) + "\n";
}

void saveExperiment(const ExperimentSpec& spec, const std::string& path) {
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::absolute(std::filesystem::path(path), ec);
  const std::string folder = ec ? std::filesystem::path(path).parent_path().string() : target.parent_path().string();
  writeFileAtomically(path, experimentToJson(relocateExperiment(spec, folder)));
}

ExperimentSpec relocateExperiment(ExperimentSpec spec, const std::string& folder) {
  namespace fs = std::filesystem;
  DatasetSpec& d = spec.dataset;
  const fs::path written(d.path);
  if (!d.path.empty() && written.is_relative()) {
    std::error_code ec;
    const fs::path from = fs::absolute(d.baseDir.empty() ? fs::path(".") : fs::path(d.baseDir), ec).lexically_normal();
    const fs::path to = folder.empty() ? fs::path() : fs::absolute(fs::path(folder), ec).lexically_normal();
    if (!ec && from != to) {
      const fs::path data = (from / written).lexically_normal();
      const fs::path relative = folder.empty() ? fs::path() : data.lexically_relative(to);
      d.path = relative.empty() ? data.string() : relative.string();  // no relative form: absolute
    }
  }
  d.baseDir = folder;
  return spec;
}

}  // namespace larslab::engine

namespace larslab::engine {

std::string checkHyperparameter(const std::string& optimizerType, const std::string& name,
                                double value) {
  if (optim::findOptimizer(optimizerType) == nullptr) return "unknown optimizer \"" + optimizerType + "\"";
  Reader r;
  optim::OptimizerConfig probe;
  probe.type = optimizerType;
  probe.hyperparameters[name] = value;
  checkOptimizer(r, probe, "");
  return r.issues.empty() ? std::string() : r.issues.front().path + ": " + r.issues.front().message;
}

std::vector<SpecIssue> validateRun(const RunSpec& run, const std::string& path) {
  Reader r;
  if (!validRunName(run.name))
    r.issue(child(path, "name"),
            "must be 1-64 characters without / \\ , \" or control characters, got \"" + run.name +
                "\"");
  checkOptimizer(r, run.optimizer, child(path, "optimizer"));
  checkSchedule(r, run.schedule, run.schedule.totalSteps, child(path, "schedule"));
  return r.issues;
}

}  // namespace larslab::engine
