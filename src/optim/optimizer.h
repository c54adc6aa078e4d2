#pragma once
// The contract between optimizers and the rest of LARS Lab. Implementations are composable
// transforms (see transforms.h); this header is what the engine, CLI and UI see.

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/parameters.h"
#include "optim/tensor_metrics.h"

namespace larslab::optim {

struct HyperparameterSpec {
  std::string name;          // key in experiment files and CLI: "lr", "eta", "momentum", ...
  std::string label;         // UI label: "Learning rate", "Trust coefficient \u03b7"
  double defaultValue = 0.0;
  double minValue = 0.0;     // inclusive valid range
  double maxValue = 1.0;
  bool logScale = false;     // sliders and sweeps move on a log scale
  std::string help;          // one sentence
};

struct OptionSpec {
  std::string name;                  // "denominator", "lr_placement", ...
  std::string label;
  std::vector<std::string> choices;  // first is not necessarily default
  std::string defaultChoice;
  std::string help;
};

struct OptimizerConfig {
  std::string type = "lars";                      // registry key
  std::string preset;                             // optional named preset (e.g. "timm"); fills options
  std::map<std::string, double> hyperparameters;  // missing keys take defaults
  std::map<std::string, std::string> options;     // missing keys take preset, then defaults
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every trainable tensor. The global LR for this step is
  // hyperparameter("lr") * lrFactor (lrFactor comes from the schedule). Fills one telemetry
  // entry per tensor of the layout (Statistic tensors get zeros).
  virtual void step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lrFactor,
                    std::span<TensorTelemetry> telemetry) = 0;
  // Takes effect at the next step; optimizer state (momentum, Adam moments) is kept.
  // Throws std::invalid_argument for an unknown name or a value outside its range.
  virtual void setHyperparameter(const std::string& name, double value) = 0;
  [[nodiscard]] virtual double hyperparameter(const std::string& name) const = 0;
  // Forget all state (momentum buffers, moments, step count).
  virtual void reset() = 0;

  // Steps taken since creation or the last reset().
  [[nodiscard]] virtual long stepCount() const = 0;
  // Current values of every hyperparameter of this optimizer, by name.
  [[nodiscard]] virtual std::map<std::string, double> hyperparameters() const = 0;
  // The options it was created with (defaults, then preset, then explicit), by name.
  [[nodiscard]] virtual const std::map<std::string, std::string>& options() const = 0;
  // A state buffer laid out like the parameters, for inspection and tests: "momentum",
  // "first_moment", "second_moment" (Adam, LAMB), "mean_square" (RMSProp),
  // "sum_of_squares" (Adagrad). nullptr when this optimizer keeps no such state.
  [[nodiscard]] virtual const nn::Vector* state(const std::string& name) const = 0;
};

struct PresetSpec {
  std::string name;                            // "paper", "optax", "timm", ...
  std::string help;                            // which implementation it reproduces
  std::map<std::string, std::string> options;
  std::map<std::string, double> hyperparameters;  // e.g. eps that the implementation hard-codes
};

struct OptimizerInfo {
  std::string type;          // "lars"
  std::string displayName;   // "LARS"
  std::string summary;       // one sentence
  std::string reference;     // paper or implementation followed
  std::vector<HyperparameterSpec> hyperparameters;
  std::vector<OptionSpec> options;
  std::vector<PresetSpec> presets;
  std::string defaultPreset;  // applied when the config names none ("larc" -> "apex_larc"); may be empty
  // Throws std::invalid_argument with the offending key on a bad config.
  std::function<std::unique_ptr<Optimizer>(const OptimizerConfig&, const nn::ParameterLayout&)> create;

  // nullptr when this optimizer has no such entry.
  [[nodiscard]] const HyperparameterSpec* findHyperparameter(const std::string& name) const;
  [[nodiscard]] const OptionSpec* findOption(const std::string& name) const;
  [[nodiscard]] const PresetSpec* findPreset(const std::string& name) const;
};

// Every optimizer LARS Lab knows, in display order. The experiment file, CLI and UI read it.
const std::vector<OptimizerInfo>& optimizerRegistry();
// nullptr when unknown.
const OptimizerInfo* findOptimizer(const std::string& type);

// A config with every hyperparameter and option filled in: spec defaults, then the preset
// (config.preset, or the optimizer's defaultPreset when empty), then the explicit entries.
struct ResolvedOptimizerConfig {
  const OptimizerInfo* info = nullptr;
  std::string preset;                             // the preset applied, or empty
  std::map<std::string, double> hyperparameters;  // every spec, by name
  std::map<std::string, std::string> options;     // every option, by name
};
// Throws std::invalid_argument naming the offending type, preset, hyperparameter, option or
// choice, and what was expected. Lets the experiment file be checked without a network.
ResolvedOptimizerConfig resolveOptimizerConfig(const OptimizerConfig& config);
// The one range rule for a hyperparameter value, on plain values: empty when `value` is finite
// and in [spec.minValue, spec.maxValue], else "must be in [0, 1], got 5". The experiment file,
// the optimizers, the session's live changes and the UI's controls all ask this.
std::string hyperparameterProblem(const HyperparameterSpec& spec, double value);

// The value `config` gives one hyperparameter or option: its explicit entry, else its preset's
// (config.preset, or the optimizer's defaultPreset when empty), else the spec's default: the
// precedence resolveOptimizerConfig applies. Never throws; an unknown type or preset counts as
// none (for editors showing a config that is not valid yet).
double effectiveHyperparameter(const OptimizerConfig& config, const HyperparameterSpec& spec);
std::string effectiveOption(const OptimizerConfig& config, const OptionSpec& spec);
// The preset those two read: config.preset, else the default preset; nullptr when none or unknown.
const PresetSpec* effectivePreset(const OptimizerConfig& config);

// findOptimizer(config.type)->create(config, layout); throws std::invalid_argument on an unknown type.
std::unique_ptr<Optimizer> createOptimizer(const OptimizerConfig& config, const nn::ParameterLayout& layout);

}  // namespace larslab::optim
