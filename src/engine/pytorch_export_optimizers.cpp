#include "engine/pytorch_export_optimizers.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "engine/pytorch_export_literals.h"
#include "engine/pytorch_export_metrics.h"
#include "pytorch_resources.h"

namespace larslab::engine {

namespace {

// The optimizer classes of the script, in the order the script defines them.
struct PythonClass {
  std::string_view name;
  std::string_view source;
};

const std::vector<PythonClass>& pythonClasses() {
  static const std::vector<PythonClass> classes = {
      {"LARS", kPyOptimLars}, {"LAMB", kPyOptimLamb},       {"SGD", kPyOptimSgd},
      {"Adam", kPyOptimAdam}, {"RMSprop", kPyOptimRmsprop}, {"Adagrad", kPyOptimAdagrad}};
  return classes;
}

// Every optimizer type the script implements: its class, how make_optimizer() calls it, and the
// hyperparameters and option choices the class implements. A registry entry outside this table
// makes the export fail loudly instead of writing a wrong script.
struct KnownOptimizer {
  std::string type;
  std::string_view pythonClass;
  std::string arguments;  // of the class in make_optimizer(); h, o: the run's hyperparameters and options
  std::set<std::string> hyperparameters;
  std::map<std::string, std::set<std::string>> options;
};

const std::vector<KnownOptimizer>& knownOptimizers() {
  static const std::map<std::string, std::set<std::string>> larsOptions = {
      {"denominator", {"grad_plus_decay", "norm_of_sum"}},
      {"lr_placement", {"inside", "outside"}},
      {"zero_norm", {"ratio_one", "skip"}},
      {"clipping", {"none", "larc"}},
      {"exclude", {"none", "vectors"}},
      {"momentum_kind", {"heavy_ball", "nesterov"}}};
  static const std::vector<KnownOptimizer> known = {
      {"sgd", "SGD", "params, **h", {"lr", "weight_decay"}, {}},
      {"momentum", "SGD", "params, **h", {"lr", "momentum", "weight_decay"}, {}},
      {"nesterov", "SGD", "params, nesterov=True, **h", {"lr", "momentum", "weight_decay"}, {}},
      {"adam", "Adam", "params, **h", {"lr", "beta1", "beta2", "eps", "weight_decay"}, {}},
      {"adamw", "Adam", "params, decoupled=True, **h", {"lr", "beta1", "beta2", "eps", "weight_decay"}, {}},
      {"rmsprop", "RMSprop", "params, **h", {"lr", "alpha", "eps", "momentum", "weight_decay"}, {}},
      {"adagrad", "Adagrad", "params, **h", {"lr", "eps", "weight_decay"}, {}},
      {"lars", "LARS", "params, **h, **o", {"lr", "momentum", "weight_decay", "eta", "eps"}, larsOptions},
      {"larc", "LARS", "params, **h, **o", {"lr", "momentum", "weight_decay", "eta", "eps"}, larsOptions},
      {"lamb", "LAMB", "params, **h, **o", {"lr", "beta1", "beta2", "eps", "weight_decay", "clamp_max"},
       {{"phi", {"identity", "clamp"}}, {"exclude", {"none", "vectors"}}}},
  };
  return known;
}

const KnownOptimizer* findKnown(const std::string& type) {
  const auto& known = knownOptimizers();
  const auto it = std::find_if(known.begin(), known.end(), [&](const KnownOptimizer& k) { return k.type == type; });
  return it == known.end() ? nullptr : &*it;
}

ExportedRun resolveRun(const RunSpec& run, std::size_t index) {
  const std::string where = "runs[" + std::to_string(index) + "] (" + run.name + ")";
  ExportedRun resolved;
  resolved.spec = &run;
  try {
    resolved.optimizer = optim::resolveOptimizerConfig(run.optimizer);
  } catch (const std::exception& e) {
    throw std::invalid_argument(where + ".optimizer: " + e.what());
  }
  const KnownOptimizer* known = findKnown(run.optimizer.type);
  if (known == nullptr)
    throw std::invalid_argument(where + ".optimizer.type: the PyTorch export does not implement optimizer '" +
                                run.optimizer.type + "' yet");
  for (const auto& [name, value] : resolved.optimizer.hyperparameters) {
    (void)value;
    if (known->hyperparameters.count(name) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": the PyTorch export does not implement this " +
                                  run.optimizer.type + " hyperparameter yet");
  }
  for (const std::string& name : known->hyperparameters)
    if (resolved.optimizer.hyperparameters.count(name) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": missing from the registry's " +
                                  run.optimizer.type + " hyperparameters");
  for (const auto& [name, choice] : resolved.optimizer.options) {
    const auto option = known->options.find(name);
    if (option == known->options.end() || option->second.count(choice) == 0)
      throw std::invalid_argument(where + ".optimizer." + name + ": the PyTorch export does not implement " +
                                  name + " = " + choice + " yet");
  }
  return resolved;
}

}  // namespace

std::vector<ExportedRun> resolveExportedRuns(const ExperimentSpec& spec) {
  if (spec.runs.empty()) throw std::invalid_argument("runs: the experiment has no run to export");
  std::vector<ExportedRun> runs;
  for (std::size_t i = 0; i < spec.runs.size(); ++i) runs.push_back(resolveRun(spec.runs[i], i));
  return runs;
}

std::string runsCode(const std::vector<ExportedRun>& runs) {
  std::ostringstream py;
  py << "\n# Every run: the optimizer with all its hyperparameters and convention options resolved\n"
     << "# (defaults, then the preset, then the experiment's values), and its LR schedule.\n"
     << "RUNS = [\n";
  for (const ExportedRun& r : runs) {
    const RunSpec& run = *r.spec;
    py << "    {\n"
       << "        \"name\": " << pyString(run.name) << ",\n"
       << "        \"optimizer\": " << pyString(run.optimizer.type) << ",";
    if (!r.optimizer.preset.empty()) py << "  # preset " << pyString(r.optimizer.preset);
    // Registry order (lr first), as the UI lists them.
    py << "\n        \"hyperparameters\": {";
    bool first = true;
    for (const optim::HyperparameterSpec& h : r.optimizer.info->hyperparameters) {
      py << (first ? "" : ", ") << pyString(h.name) << ": " << pyFloat(r.optimizer.hyperparameters.at(h.name));
      first = false;
    }
    py << "},\n        \"options\": {";
    if (!r.optimizer.options.empty()) py << "\n";
    for (const optim::OptionSpec& o : r.optimizer.info->options)
      py << "            " << pyString(o.name) << ": " << pyString(r.optimizer.options.at(o.name)) << ",\n";
    if (!r.optimizer.options.empty()) py << "        ";
    const optim::ScheduleConfig& s = run.schedule;
    py << "},\n        \"schedule\": {\"kind\": " << pyString(s.kind) << ", \"warmup_steps\": " << s.warmupSteps
       << ", \"power\": " << pyFloat(s.power) << ", \"final_factor\": " << pyFloat(s.finalFactor)
       << ", \"step_size\": " << s.stepSize << ", \"gamma\": " << pyFloat(s.gamma) << "},\n"
       << "    },\n";
  }
  py << "]\n";
  return py.str();
}

std::string optimizersCode(const std::vector<ExportedRun>& runs) {
  std::set<std::string> types;  // sorted: make_optimizer() tests them in name order
  std::set<std::string_view> classes;
  for (const ExportedRun& r : runs) {
    types.insert(r.spec->optimizer.type);
    classes.insert(findKnown(r.spec->optimizer.type)->pythonClass);
  }
  std::ostringstream py;
  py << optimCommonCode();
  for (const PythonClass& c : pythonClasses())
    if (classes.erase(c.name) != 0) py << c.source;
  if (!classes.empty())  // a KnownOptimizer naming a class that pythonClasses() lacks
    throw std::logic_error("the PyTorch export has no Python class " + std::string(*classes.begin()));
  py << "\n\ndef make_optimizer(run, params):\n"
     << "    \"\"\"The run's optimizer over `params` (TENSORS' order), as exported in RUNS.\"\"\"\n"
     << "    h, o = run[\"hyperparameters\"], run[\"options\"]\n";
  for (const std::string& type : types) {
    const KnownOptimizer& known = *findKnown(type);
    py << "    if run[\"optimizer\"] == " << pyString(type) << ":\n";
    if (known.options.empty()) py << "        assert not o\n";
    py << "        return " << known.pythonClass << "(" << known.arguments << ")\n";
  }
  py << "    raise ValueError(f\"unknown optimizer {run['optimizer']}\")\n";
  return py.str();
}

}  // namespace larslab::engine
