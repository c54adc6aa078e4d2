#include "engine/update_formula.h"

#include <algorithm>
#include <stdexcept>

#include "text/format.h"

namespace larslab::engine {

namespace {

std::string n(double x) { return text::formatShort(x); }

double hyper(const optim::ResolvedOptimizerConfig& c, const char* name) {
  const auto it = c.hyperparameters.find(name);
  return it == c.hyperparameters.end() ? 0.0 : it->second;
}
std::string option(const optim::ResolvedOptimizerConfig& c, const char* name) {
  const auto it = c.options.find(name);
  return it == c.options.end() ? std::string() : it->second;
}

bool isVector(nn::TensorKind kind) { return kind == nn::TensorKind::Bias || kind == nn::TensorKind::Norm; }

// "LARS (paper conventions)": the preset when every option is the preset's, else "custom".
std::string titleOf(const optim::ResolvedOptimizerConfig& c) {
  const std::string& name = c.info->displayName;
  if (c.info->options.empty()) return name;
  if (c.info->type == "lamb") return name + " (\u03c6 " + option(c, "phi") + ")";
  const optim::PresetSpec* preset = c.preset.empty() ? nullptr : c.info->findPreset(c.preset);
  bool matches = preset != nullptr;
  if (preset != nullptr)
    for (const auto& [key, choice] : preset->options) matches = matches && option(c, key.c_str()) == choice;
  return name + " (" + (matches ? c.preset : std::string("custom")) + " conventions)";
}

// The decayed gradient as written and with β substituted; just "g" when no decay is applied.
struct Decayed {
  std::string symbolic, numeric;
};
Decayed decayed(double beta, bool applied) {
  if (!applied) return {"g", "g"};
  return {"(g + \u03b2w)", "(g + " + n(beta) + "\u00b7w)"};
}

FormulaLine stepSizeLine(const optim::TensorTelemetry& m) {
  return {"\u2016\u0394w\u2016 = " + n(m.updateNorm) + ",  \u2016\u0394w\u2016/\u2016w\u2016 = " + n(m.updateRatio) +
              ",  log\u2081\u2080 std(\u0394w)/std(w) = " + n(m.updateToData),
          "Measured: the size of the step just taken, relative to the weights (about 1e-3 is a common rule of "
          "thumb), and as cs231n's update-to-data ratio (about \u22123)."};
}

// Momentum and the final update of LARS. `scaleSymbol` is the per-tensor factor ("λ", "f", or
// empty when it is 1) and `scale` its value; localLr = γ × scale, the store's.
FormulaLine larsMomentumLine(const optim::ResolvedOptimizerConfig& c, const std::string& scaleSymbol, double scale,
                             double localLr, double gamma, const Decayed& d) {
  const bool inside = option(c, "lr_placement") == "inside";
  const bool nesterov = option(c, "momentum_kind") == "nesterov";
  const std::string m = n(hyper(c, "momentum"));
  // The term added to the buffer, as written and with numbers.
  std::string symbolic, numeric;
  if (inside) {
    symbolic = "\u03b3" + scaleSymbol + d.symbolic;
    numeric = n(localLr) + " \u00d7 " + d.numeric;
  } else {
    symbolic = scaleSymbol.empty() ? d.symbolic : scaleSymbol + d.symbolic;
    numeric = scaleSymbol.empty() ? d.numeric : n(scale) + " \u00d7 " + d.numeric;
  }
  FormulaLine line;
  if (!nesterov) {
    line.math = "v \u2190 m\u00b7v + " + symbolic + " = " + m + "\u00b7v + " + numeric + ";  " +
                (inside ? std::string("w \u2190 w \u2212 v") : "w \u2190 w \u2212 \u03b3v = w \u2212 " + n(gamma) + "\u00b7v");
  } else {
    line.math = "d = " + symbolic + (symbolic == numeric ? std::string() : " = " + numeric) + ";  v \u2190 m\u00b7v + d;  " +
                (inside ? "w \u2190 w \u2212 (d + m\u00b7v) = w \u2212 (d + " + m + "\u00b7v)"
                        : "w \u2190 w \u2212 \u03b3(d + m\u00b7v) = w \u2212 " + n(gamma) + "\u00b7(d + " + m + "\u00b7v)");
  }
  line.explanation =
      std::string(nesterov ? "Nesterov momentum" : "Heavy-ball momentum") +
      (inside ? " with the LR inside the buffer (paper, optax): a change of \u03b3 affects only new gradients."
              : " with the LR outside the buffer (PyTorch SGD style: timm, apex): a change of \u03b3 rescales the "
                "whole buffer at once.") +
      " The buffer v is per element and not stored.";
  return line;
}

void writeLars(const FormulaInputs& in, UpdateFormula& f) {
  const auto& c = in.config;
  const auto& m = in.metrics;
  const double gamma = in.globalLr, eta = hyper(c, "eta"), beta = hyper(c, "weight_decay"), eps = hyper(c, "eps");
  const double w = m.weightNorm, g = m.gradNorm, lambda = m.trustRatio;
  const bool gradPlusDecay = option(c, "denominator") == "grad_plus_decay";
  const bool larc = option(c, "clipping") == "larc";
  const bool excluded = option(c, "exclude") == "vectors" && isVector(in.kind);

  if (excluded) {
    f.lines.push_back({"\u03bb = 1, \u03b2 = 0",
                       "Excluded 1-D tensor (bias or normalisation parameter): no trust ratio and no weight decay, "
                       "a plain SGD-momentum step."});
    f.lines.push_back({"local LR = \u03b3 = " + n(m.localLr), "It takes the global learning rate as it is."});
    f.lines.push_back(larsMomentumLine(c, "", 1.0, m.localLr, gamma, decayed(beta, false)));
    f.lines.push_back(stepSizeLine(m));
    return;
  }
  // The zero test of ScaleByTrustRatio::decide, on the norm that enters the ratio.
  const bool zero = w == 0.0 || (gradPlusDecay ? g == 0.0 : g == 0.0 && beta == 0.0);
  if (zero && option(c, "zero_norm") == "skip") {
    f.lines.push_back({"no trust ratio this step (\u2016w\u2016 = " + n(w) + ", \u2016g\u2016 = " + n(g) + ")",
                       "A zero norm: the gradient is used as it is, with no adaptation, no clipping and no weight "
                       "decay (apex LARC)."});
    f.lines.push_back({"local LR = \u03b3 = " + n(m.localLr), "The global learning rate, unscaled."});
    f.lines.push_back(larsMomentumLine(c, "", 1.0, m.localLr, gamma, decayed(beta, false)));
    f.lines.push_back(stepSizeLine(m));
    return;
  }
  const std::string epsText = eps != 0.0 ? " + " + n(eps) : std::string();
  const std::string epsSymbol = eps != 0.0 ? " + \u03b5" : std::string();
  if (zero) {
    f.lines.push_back({"\u03bb = 1 (\u2016w\u2016 = " + n(w) + ", \u2016g\u2016 = " + n(g) + ")",
                       "A zero norm: the ratio is set to 1 and the weight decay still applies."});
  } else if (gradPlusDecay) {
    f.lines.push_back({"\u03bb = \u03b7\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016" + epsSymbol + ") = " + n(eta) +
                           " \u00d7 " + n(w) + " / (" + n(g) + " + " + n(beta) + " \u00d7 " + n(w) + epsText +
                           ") = " + n(lambda),
                       "Trust ratio (paper denominator \u2016g\u2016 + \u03b2\u2016w\u2016): large when the weights "
                       "are big next to their gradient, so each tensor gets a step in proportion to its own size."});
  } else {
    // ‖g + βw‖ is not stored; with β = 0 it is ‖g‖, else it follows from the stored λ.
    double sumNorm = g;
    if (beta == 0.0) {
      f.lines.push_back({"\u2016g + \u03b2w\u2016 = \u2016g\u2016 = " + n(g), "With \u03b2 = 0 the decayed gradient is the gradient."});
    } else {
      sumNorm = eta * w / lambda - eps;
      f.lines.push_back({"\u2016g + \u03b2w\u2016 = \u03b7\u2016w\u2016/\u03bb" + (eps != 0.0 ? std::string(" \u2212 \u03b5") : "") +
                             " = " + n(eta) + " \u00d7 " + n(w) + " / " + n(lambda) +
                             (eps != 0.0 ? " \u2212 " + n(eps) : std::string()) + " = " + n(sumNorm),
                         "Not stored: derived from the stored \u03bb (the store keeps \u2016g\u2016 = " + n(g) +
                             ", the norm before weight decay)."});
    }
    f.lines.push_back({"\u03bb = \u03b7\u2016w\u2016/(\u2016g + \u03b2w\u2016" + epsSymbol + ") = " + n(eta) + " \u00d7 " +
                           n(w) + " / " + (eps != 0.0 ? "(" + n(sumNorm) + epsText + ")" : n(sumNorm)) + " = " +
                           n(lambda),
                       "Trust ratio (optax denominator: the norm of the decayed gradient): large when the weights are "
                       "big next to their gradient."});
  }
  if (larc) {
    const double clipped = std::min(lambda / gamma, 1.0);
    f.lines.push_back({"f = min(\u03bb/\u03b3, 1) = min(" + n(lambda) + " / " + n(gamma) + ", 1) = " + n(clipped),
                       "LARC clip: the trust ratio may lower the global learning rate but never raise it."});
    f.lines.push_back({"local LR = \u03b3f = min(\u03bb, \u03b3) = min(" + n(lambda) + ", " + n(gamma) + ") = " +
                           n(m.localLr),
                       "The learning rate this tensor actually got."});
    f.lines.push_back(larsMomentumLine(c, "f", clipped, m.localLr, gamma, decayed(beta, true)));
  } else {
    f.lines.push_back({"local LR = \u03b3\u03bb = " + n(gamma) + " \u00d7 " + n(lambda) + " = " + n(m.localLr),
                       "The learning rate this tensor actually got: the global LR \u03b3 scaled by its trust ratio."});
    f.lines.push_back(larsMomentumLine(c, "\u03bb", lambda, m.localLr, gamma, decayed(beta, true)));
  }
  f.lines.push_back(stepSizeLine(m));
}

std::string adamMoments(const optim::ResolvedOptimizerConfig& c, long t) {
  return "m\u0302 = m/(1 \u2212 " + n(hyper(c, "beta1")) + "^" + std::to_string(t) + "), v\u0302 = v/(1 \u2212 " +
         n(hyper(c, "beta2")) + "^" + std::to_string(t) + ")";
}
const char* kMomentsNote = " The moments m and v are per element and not stored.";

void writeLamb(const FormulaInputs& in, UpdateFormula& f) {
  const auto& c = in.config;
  const auto& m = in.metrics;
  const double gamma = in.globalLr, beta = hyper(c, "weight_decay"), eps = hyper(c, "eps");
  const double w = m.weightNorm, ratio = m.trustRatio;
  const bool excluded = option(c, "exclude") == "vectors" && isVector(in.kind);
  const std::string moments = adamMoments(c, in.optimizerStep);
  if (excluded) {
    f.lines.push_back({"r = m\u0302/(\u221av\u0302 + \u03b5) = m\u0302/(\u221av\u0302 + " + n(eps) + "),  " + moments,
                       std::string("Excluded 1-D tensor: a plain Adam step, no weight decay and ratio 1.") + kMomentsNote});
    f.lines.push_back({"local LR = \u03b3 = " + n(m.localLr), "It takes the global learning rate as it is."});
    f.lines.push_back({"w \u2190 w \u2212 \u03b3r = w \u2212 " + n(m.localLr) + "\u00b7r", "The update."});
    f.lines.push_back(stepSizeLine(m));
    return;
  }
  f.lines.push_back({"r = m\u0302/(\u221av\u0302 + \u03b5) + \u03b2w = m\u0302/(\u221av\u0302 + " + n(eps) + ") + " + n(beta) +
                         "\u00b7w,  " + moments,
                     std::string("The Adam step with bias correction, plus decoupled weight decay.") + kMomentsNote});
  const bool clamp = option(c, "phi") == "clamp";
  const double phi = clamp ? std::min(w, hyper(c, "clamp_max")) : w;
  f.lines.push_back({clamp ? "\u03c6(\u2016w\u2016) = min(\u2016w\u2016, c) = min(" + n(w) + ", " + n(hyper(c, "clamp_max")) +
                                 ") = " + n(phi)
                           : "\u03c6(\u2016w\u2016) = \u2016w\u2016 = " + n(w),
                     clamp ? "The weight norm, clamped so that a huge tensor cannot take a huge step."
                           : "The scaling function: here the weight norm itself."});
  if (w == 0.0) {
    f.lines.push_back({"ratio = 1 (\u2016w\u2016 = 0)", "A zero norm: the ratio is set to 1."});
  } else {
    const double rNorm = phi / ratio;
    f.lines.push_back({"\u2016r\u2016 = \u03c6(\u2016w\u2016)/ratio = " + n(phi) + " / " + n(ratio) + " = " + n(rNorm),
                       "Not stored: derived from the stored ratio."});
    f.lines.push_back({"ratio = \u03c6(\u2016w\u2016)/\u2016r\u2016 = " + n(phi) + " / " + n(rNorm) + " = " + n(ratio),
                       "LAMB's trust ratio: each tensor moves by about \u03b3\u03c6(\u2016w\u2016) per step, whatever "
                       "the size of its Adam step."});
  }
  f.lines.push_back({"local LR = \u03b3\u00b7ratio = " + n(gamma) + " \u00d7 " + n(ratio) + " = " + n(m.localLr),
                     "The learning rate this tensor actually got."});
  f.lines.push_back({"w \u2190 w \u2212 \u03b3\u00b7ratio\u00b7r = w \u2212 " + n(m.localLr) + "\u00b7r", "The update."});
  f.lines.push_back(stepSizeLine(m));
}

// Optimizers without a trust ratio: their update in one line (the compositions of optimizers.cpp).
void writePlain(const FormulaInputs& in, UpdateFormula& f) {
  const auto& c = in.config;
  const std::string& type = c.info->type;
  const std::string gamma = n(in.globalLr), beta = n(hyper(c, "weight_decay")), mom = n(hyper(c, "momentum")),
                    eps = n(hyper(c, "eps"));
  FormulaLine line;
  if (type == "sgd") {
    line = {"w \u2190 w \u2212 \u03b3(g + \u03b2w) = w \u2212 " + gamma + " \u00d7 (g + " + beta + "\u00b7w)",
            "Plain SGD with L2 weight decay."};
  } else if (type == "momentum") {
    line = {"v \u2190 m\u00b7v + (g + \u03b2w) = " + mom + "\u00b7v + (g + " + beta + "\u00b7w);  w \u2190 w \u2212 \u03b3v = w \u2212 " +
                gamma + "\u00b7v",
            "Heavy-ball momentum, LR outside the buffer (PyTorch). The buffer v is not stored."};
  } else if (type == "nesterov") {
    line = {"d = g + \u03b2w = g + " + beta + "\u00b7w;  v \u2190 m\u00b7v + d;  w \u2190 w \u2212 \u03b3(d + m\u00b7v) = w \u2212 " +
                gamma + "\u00b7(d + " + mom + "\u00b7v)",
            "Nesterov momentum (PyTorch). The buffer v is not stored."};
  } else if (type == "adam") {
    line = {"d = g + \u03b2w = g + " + beta + "\u00b7w;  w \u2190 w \u2212 \u03b3m\u0302/(\u221av\u0302 + \u03b5) = w \u2212 " + gamma +
                "\u00b7m\u0302/(\u221av\u0302 + " + eps + "),  " + adamMoments(c, in.optimizerStep),
            std::string("Adam with L2 weight decay, moments of d.") + kMomentsNote};
  } else if (type == "adamw") {
    line = {"w \u2190 w \u2212 \u03b3(m\u0302/(\u221av\u0302 + \u03b5) + \u03b2w) = w \u2212 " + gamma + "\u00b7(m\u0302/(\u221av\u0302 + " + eps +
                ") + " + beta + "\u00b7w),  " + adamMoments(c, in.optimizerStep),
            std::string("AdamW: Adam on the raw gradient with decoupled weight decay.") + kMomentsNote};
  } else if (type == "rmsprop") {
    line = {"d = g + \u03b2w;  s \u2190 \u03b1s + (1 \u2212 \u03b1)d\u00b2;  v \u2190 m\u00b7v + d/(\u221as + \u03b5);  w \u2190 w \u2212 \u03b3v"
            "  (\u03b1 = " + n(hyper(c, "alpha")) + ", m = " + mom + ", \u03b5 = " + eps + ", \u03b2 = " + beta +
                ", \u03b3 = " + gamma + ")",
            "RMSProp: the gradient divided by a running RMS of past gradients. s and v are not stored."};
  } else if (type == "adagrad") {
    line = {"d = g + \u03b2w;  s \u2190 s + d\u00b2;  w \u2190 w \u2212 \u03b3d/(\u221as + \u03b5)  (\u03b5 = " + eps + ", \u03b2 = " +
                beta + ", \u03b3 = " + gamma + ")",
            "Adagrad: the gradient divided by the root of the sum of all its past squares. s is not stored."};
  } else {
    line = {c.info->summary, "The update rule of this optimizer."};
  }
  f.lines.push_back(line);
  f.lines.push_back({"\u2016w\u2016 = " + n(in.metrics.weightNorm) + ",  \u2016g\u2016 = " + n(in.metrics.gradNorm) +
                         ",  \u2016w\u2016/\u2016g\u2016 = " + n(in.metrics.weightNorm / in.metrics.gradNorm),
                     "Measured, but not used for the step size: a layer-wise optimizer would scale this tensor's step "
                     "by \u2016w\u2016/\u2016g\u2016."});
  f.lines.push_back({"local LR = \u03b3 = " + n(in.metrics.localLr),
                     "No trust ratio: every tensor gets the same global learning rate."});
  f.lines.push_back(stepSizeLine(in.metrics));
}

}  // namespace

UpdateFormula updateFormula(const FormulaInputs& in) {
  if (in.config.info == nullptr) throw std::invalid_argument("updateFormula: the config is not resolved");
  UpdateFormula f;
  f.title = titleOf(in.config);
  const std::string& type = in.config.info->type;
  if (type == "lars" || type == "larc") {
    writeLars(in, f);
  } else if (type == "lamb") {
    writeLamb(in, f);
  } else {
    writePlain(in, f);
  }
  return f;
}

std::optional<OptimizerAtStep> optimizerAtStep(const MetricsStore& store, const std::string& run, long step) {
  const std::optional<ExperimentSpec> experiment = store.experiment();
  if (!experiment) return std::nullopt;
  const auto spec = std::find_if(experiment->runs.begin(), experiment->runs.end(),
                                 [&](const RunSpec& r) { return r.name == run; });
  if (spec == experiment->runs.end()) return std::nullopt;
  const optim::OptimizerInfo* info = optim::findOptimizer(spec->optimizer.type);
  if (info == nullptr) return std::nullopt;
  OptimizerAtStep at;
  at.config = spec->optimizer;
  for (const auto& h : info->hyperparameters) at.config.hyperparameters[h.name] = store.appliedHyperparameter(run, h.name);
  const std::vector<Event> events = store.events();
  long cleared = 0;  // the step from which the optimizer's state counts
  // Newest first, so the oldest event after `step` writes last: its `before` was in force at `step`.
  for (auto e = events.rbegin(); e != events.rend(); ++e) {
    if (e->run != run) continue;
    if (e->step <= step) {
      if (e->kind == EventKind::Option && parseOptionEventDetail(e->detail)) cleared = std::max(cleared, e->step);
      continue;
    }
    if (e->kind == EventKind::Set) {
      if (const auto change = parseSetEventDetail(e->detail)) at.config.hyperparameters[change->name] = change->before;
    } else if (e->kind == EventKind::Option) {
      if (const auto change = parseOptionEventDetail(e->detail)) {
        if (change->before == kOptionDefault) {
          at.config.options.erase(change->name);
        } else {
          at.config.options[change->name] = change->before;
        }
      }
    }
  }
  at.optimizerStep = step - cleared + 1;
  return at;
}

UpdateFormula updateFormulaAt(const MetricsStore& store, int run, int tensor, long step) {
  UpdateFormula f;
  if (run < 0 || run >= store.runCount() || tensor < 0 || tensor >= store.tensorCount()) {
    f.unavailable = "no such run or tensor";
    return f;
  }
  if (step < 0 || step >= store.stepCount(run)) {
    f.unavailable = "no step " + std::to_string(step) + " recorded yet";
    return f;
  }
  const std::string name = store.runName(run);
  const std::optional<OptimizerAtStep> at = optimizerAtStep(store, name, step);
  if (!at) {
    f.unavailable = store.experiment() ? "run " + name + " is no longer in the session: its optimizer settings are not kept"
                                       : "a log read from disk keeps no optimizer settings";
    return f;
  }
  FormulaInputs in;
  try {
    in.config = optim::resolveOptimizerConfig(at->config);
  } catch (const std::exception& e) {
    f.unavailable = e.what();
    return f;
  }
  in.kind = store.tensors()[static_cast<std::size_t>(tensor)].kind;
  in.optimizerStep = at->optimizerStep;
  in.globalLr = store.value(run, RunMetric::LearningRate, step);
  for (const auto& info : optim::kTensorMetrics) in.metrics.*info.field = store.value(run, tensor, info.id, step);
  return updateFormula(in);
}

}  // namespace larslab::engine
