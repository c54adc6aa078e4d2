// Every optimizer of LARS Lab: one composition of transforms each (formula and reference on
// top of it), its hyperparameter specs, options and presets, and the registry that the
// experiment file, the CLI and the UI read.

#include <cmath>
#include <stdexcept>

#include "nn/layer_registry.h"
#include "optim/composition.h"
#include "optim/optimizer.h"
#include "optim/transforms.h"
#include "text/format.h"

namespace larslab::optim {

namespace {

template <typename Range, typename Name>
std::string joinNames(const Range& range, Name name) {
  std::string joined;
  for (const auto& item : range) {
    if (!joined.empty()) joined += ", ";
    joined += name(item);
  }
  return joined;
}

using Compose = Chain (*)(const Composition&);

// ---- Compositions ---------------------------------------------------------------------------
// Notation: w weights, g gradient, gamma global LR (lr x schedule), beta weight_decay,
// m momentum, t step number (1-based). Every chain ends with w <- w - u.

// SGD (Robbins & Monro 1951; torch.optim.SGD with momentum 0):
//   w <- w - gamma (g + beta w)
Chain composeSgd(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay"))).add(scaleByLearningRate());
  return chain;
}

// SGD with heavy-ball momentum (Polyak 1964), PyTorch convention (torch.optim.SGD, dampening 0):
//   v <- m v + (g + beta w);  w <- w - gamma v
Chain composeMomentum(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay")))
      .add(trace(c.hyper("momentum"), false))
      .add(scaleByLearningRate());
  return chain;
}

// SGD with Nesterov momentum (Sutskever et al. 2013), PyTorch convention (nesterov=True):
//   d = g + beta w;  v <- m v + d;  w <- w - gamma (d + m v)
Chain composeNesterov(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay")))
      .add(trace(c.hyper("momentum"), true))
      .add(scaleByLearningRate());
  return chain;
}

// Adam (Kingma & Ba 2015, Algorithm 1; torch.optim.Adam, weight_decay as L2 on the gradient):
//   d = g + beta w;  m <- b1 m + (1-b1) d;  v <- b2 v + (1-b2) d^2
//   w <- w - gamma (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
Chain composeAdam(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay")))
      .add(scaleByAdam(c.hyper("beta1"), c.hyper("beta2"), c.hyper("eps")))
      .add(scaleByLearningRate());
  return chain;
}

// AdamW (Loshchilov & Hutter 2019, decoupled weight decay; torch.optim.AdamW, optax.adamw):
//   m, v as Adam on the raw g;  w <- w - gamma ((m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) + beta w)
Chain composeAdamW(const Composition& c) {
  Chain chain;
  chain.add(scaleByAdam(c.hyper("beta1"), c.hyper("beta2"), c.hyper("eps")))
      .add(addDecayedWeights(c.hyper("weight_decay")))
      .add(scaleByLearningRate());
  return chain;
}

// RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5), torch.optim.RMSprop (not centered):
//   d = g + beta w;  s <- alpha s + (1-alpha) d^2;  v <- m v + d / (sqrt(s) + eps);  w <- w - gamma v
Chain composeRmsProp(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay")))
      .add(scaleByRms(c.hyper("alpha"), c.hyper("eps")))
      .add(trace(c.hyper("momentum"), false))
      .add(scaleByLearningRate());
  return chain;
}

// Adagrad (Duchi, Hazan & Singer 2011), torch.optim.Adagrad (lr_decay 0, initial accumulator 0):
//   d = g + beta w;  s <- s + d^2;  w <- w - gamma d / (sqrt(s) + eps)
Chain composeAdagrad(const Composition& c) {
  Chain chain;
  chain.add(addDecayedWeights(c.hyper("weight_decay")))
      .add(scaleByRss(c.hyper("eps")))
      .add(scaleByLearningRate());
  return chain;
}

// LARS (You, Gitman & Ginsburg 2017, arXiv 1708.03888, Algorithm 1) and its public variants
// (LARC is this chain with clipping = larc):
//   lambda = eta ||w|| / (||g|| + beta ||w|| + eps)       denominator = grad_plus_decay (paper)
//   lambda = eta ||w|| / (||g + beta w|| + eps)           denominator = norm_of_sum (optax)
//   f = lambda, or f = min(lambda / gamma, 1)             clipping = larc (apex LARC: local LR min(lambda, gamma))
//   v <- m v + gamma f (g + beta w);  w <- w - v          lr_placement = inside (paper)
//   v <- m v + f (g + beta w);        w <- w - gamma v    lr_placement = outside (PyTorch SGD style)
//   Nesterov: w <- w - (d + m v) with d the term just added to v (times gamma when outside).
//   Excluded tensors (exclude = vectors): f = 1, beta = 0. ||w|| or the denominator norm = 0:
//   lambda = 1 (zero_norm = ratio_one) or f = 1 and beta = 0 (zero_norm = skip).
Chain composeLars(const Composition& c) {
  TrustRatioSettings trust;
  trust.denominator = c.select<TrustDenominator>("denominator", {{"grad_plus_decay", TrustDenominator::GradPlusDecay},
                                               {"norm_of_sum", TrustDenominator::InputNorm}});
  trust.zeroNorm =
      c.select<ZeroNormPolicy>("zero_norm", {{"ratio_one", ZeroNormPolicy::RatioOne}, {"skip", ZeroNormPolicy::Skip}});
  trust.clipping = c.select<TrustClipping>("clipping", {{"none", TrustClipping::None}, {"larc", TrustClipping::Larc}});
  trust.weightDecay = c.hyper("weight_decay");
  trust.coefficient = c.hyper("eta");
  trust.eps = c.hyper("eps");
  const bool nesterov = c.select<bool>("momentum_kind", {{"heavy_ball", false}, {"nesterov", true}});
  const bool lrInside = c.select<bool>("lr_placement", {{"inside", true}, {"outside", false}});
  Chain chain(c.select<ExcludePolicy>("exclude", {{"none", ExcludePolicy::None}, {"vectors", ExcludePolicy::Vectors}}));
  chain.add(scaleByTrustRatio(trust));
  if (lrInside) {
    chain.add(scaleByLearningRate()).add(trace(c.hyper("momentum"), nesterov));
  } else {
    chain.add(trace(c.hyper("momentum"), nesterov)).add(scaleByLearningRate());
  }
  return chain;
}

// LAMB (You et al. 2019, arXiv 1904.00962, Algorithm 2, with its bias correction):
//   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
//   r = (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + beta w
//   w <- w - gamma phi(||w||) / ||r|| r,  phi = identity or min(., clamp_max); ratio 1 if ||w|| or ||r|| is 0
//   Excluded tensors: beta = 0 and ratio 1 (a plain Adam step).
Chain composeLamb(const Composition& c) {
  TrustRatioSettings trust;
  trust.denominator = TrustDenominator::InputNorm;
  trust.zeroNorm = ZeroNormPolicy::RatioOne;
  trust.phi = c.select<TrustPhi>("phi", {{"identity", TrustPhi::Identity}, {"clamp", TrustPhi::Clamp}});
  trust.weightDecay = c.hyper("weight_decay");  // r = Adam step + beta w, inside the trust stage
  trust.clampMax = c.hyper("clamp_max");
  Chain chain(c.select<ExcludePolicy>("exclude", {{"none", ExcludePolicy::None}, {"vectors", ExcludePolicy::Vectors}}));
  chain.add(scaleByAdam(c.hyper("beta1"), c.hyper("beta2"), c.hyper("eps")))
      .add(scaleByTrustRatio(trust))
      .add(scaleByLearningRate());
  return chain;
}

// ---- The optimizer object -------------------------------------------------------------------

ResolvedOptimizerConfig resolve(const OptimizerInfo& info, const OptimizerConfig& config);

void checkValue(const OptimizerInfo& info, const HyperparameterSpec& spec, double value) {
  if (const std::string problem = hyperparameterProblem(spec, value); !problem.empty())
    throw std::invalid_argument("optimizer '" + info.type + "': hyperparameter '" + spec.name + "' " + problem);
}

// The preset a config uses: its own, else the optimizer's default one (may be empty).
const std::string& presetName(const OptimizerInfo& info, const OptimizerConfig& config) {
  return config.preset.empty() ? info.defaultPreset : config.preset;
}


class ChainOptimizer final : public Optimizer {
 public:
  ChainOptimizer(const OptimizerInfo& info, const ResolvedOptimizerConfig& config, Compose compose,
                 const nn::ParameterLayout& layout)
      : info_(info), options_(config.options), values_(info.hyperparameters.size()) {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      values_[i] = config.hyperparameters.at(info.hyperparameters[i].name);
      if (info.hyperparameters[i].name == "lr") lrIndex_ = i;
    }
    // values_ never changes size after this point, so the pointers the stages hold stay valid.
    chain_ = compose(Composition(info_, values_.data(), options_));
    chain_.init(layout);
  }
  ChainOptimizer(const ChainOptimizer&) = delete;
  ChainOptimizer& operator=(const ChainOptimizer&) = delete;

  void step(nn::ParameterStore& params, const nn::ParameterStore& grads, double lrFactor,
            std::span<TensorTelemetry> telemetry) override {
    if (!(lrFactor >= 0.0) || !std::isfinite(lrFactor))
      throw std::invalid_argument("optimizer '" + info_.type + "': lrFactor must be finite and >= 0, got " +
                                  text::formatNumber(lrFactor));
    chain_.step(params, grads, values_[lrIndex_] * lrFactor, telemetry);
  }
  void setHyperparameter(const std::string& name, double value) override {
    const std::size_t i = indexOf(name);
    checkValue(info_, info_.hyperparameters[i], value);
    values_[i] = value;
  }
  [[nodiscard]] double hyperparameter(const std::string& name) const override { return values_[indexOf(name)]; }
  void reset() override { chain_.reset(); }
  [[nodiscard]] long stepCount() const override { return chain_.count(); }
  [[nodiscard]] std::map<std::string, double> hyperparameters() const override {
    std::map<std::string, double> all;
    for (std::size_t i = 0; i < values_.size(); ++i) all[info_.hyperparameters[i].name] = values_[i];
    return all;
  }
  [[nodiscard]] const std::map<std::string, std::string>& options() const override { return options_; }
  [[nodiscard]] const nn::Vector* state(const std::string& name) const override { return chain_.state(name); }

 private:
  [[nodiscard]] std::size_t indexOf(const std::string& name) const {
    for (std::size_t i = 0; i < info_.hyperparameters.size(); ++i)
      if (info_.hyperparameters[i].name == name) return i;
    throw std::invalid_argument("optimizer '" + info_.type + "': unknown hyperparameter '" + name +
                                "' (expected one of: " +
                                joinNames(info_.hyperparameters, [](const auto& s) { return s.name; }) + ")");
  }

  const OptimizerInfo& info_;
  std::map<std::string, std::string> options_;
  std::vector<double> values_;
  std::size_t lrIndex_ = 0;
  Chain chain_;
};

// ---- Hyperparameter specs -------------------------------------------------------------------

HyperparameterSpec lrSpec(double defaultValue, double maxValue, std::string help) {
  return {"lr", "Learning rate \u03b3", defaultValue, 1e-6, maxValue, true, std::move(help)};
}
HyperparameterSpec momentumSpec(double defaultValue) {
  return {"momentum", "Momentum m", defaultValue, 0.0, 0.999, false,
          "Momentum coefficient m of the buffer v <- m v + ...; 0 disables momentum."};
}
HyperparameterSpec weightDecaySpec(double defaultValue, std::string help) {
  return {"weight_decay", "Weight decay \u03b2", defaultValue, 0.0, 0.1, true, std::move(help)};
}
HyperparameterSpec epsSpec(double defaultValue, double maxValue, std::string help) {
  return {"eps", "Epsilon \u03b5", defaultValue, 0.0, maxValue, true, std::move(help)};
}
HyperparameterSpec beta1Spec() {
  return {"beta1", "\u03b21", 0.9, 0.0, 0.9999, false, "Decay rate of the first-moment (mean) estimate."};
}
HyperparameterSpec beta2Spec() {
  return {"beta2", "\u03b22", 0.999, 0.0, 0.99999, false, "Decay rate of the second-moment (uncentered variance) estimate."};
}

const char* kL2Help = "L2 weight decay: beta w is added to the gradient before the update.";

std::vector<HyperparameterSpec> larsSpecs(double lr, double eta, double eps) {
  return {
      lrSpec(lr, 100.0, "Global learning rate \u03b3; the local LR of a tensor is \u03b3 times its trust ratio "
                        "(excluded tensors take plain SGD steps of size \u03b3)."),
      momentumSpec(0.9),
      weightDecaySpec(5e-4, "Weight decay \u03b2, added to the gradient and to the ratio's denominator "
                            "(Algorithm 1 leaves it free; 5e-4 is the usual value for ImageNet CNNs)."),
      {"eta", "Trust coefficient \u03b7", eta, 1e-6, 1.0, true,
       "Trust coefficient: ratio = \u03b7 \u2016w\u2016 / (\u2016g\u2016 + \u03b2\u2016w\u2016 + \u03b5); "
       "the paper uses 0.001, apex LARC 0.02."},
      epsSpec(eps, 1e-2, "Added to the trust-ratio denominator: 0 in the paper and optax, 1e-8 in timm, apex and "
                         "torchlars, 1e-7 in TF-Addons."),
  };
}

// ---- Options and presets --------------------------------------------------------------------

std::vector<OptionSpec> larsOptions() {
  return {
      {"denominator", "Trust-ratio denominator", {"grad_plus_decay", "norm_of_sum"}, "grad_plus_decay",
       "grad_plus_decay: \u2016g\u2016 + \u03b2\u2016w\u2016 (paper, timm, apex, torchlars, TF-Addons); "
       "norm_of_sum: \u2016g + \u03b2w\u2016 (optax, TF Model Garden)."},
      {"lr_placement", "Learning rate placement", {"inside", "outside"}, "inside",
       "inside: v <- m v + \u03b3\u03bb(g + \u03b2w), w <- w - v (paper, optax, TF-Addons); outside: "
       "v <- m v + \u03bb(g + \u03b2w), w <- w - \u03b3v (timm, apex, torchlars). They differ only when \u03b3 changes."},
      {"zero_norm", "Zero norm policy", {"ratio_one", "skip"}, "ratio_one",
       "When \u2016w\u2016 or the denominator norm is 0. ratio_one: ratio := 1, weight decay still applied "
       "(optax, timm, torchlars, TF-Addons); skip: no adaptation, clipping or decay this step (apex LARC)."},
      {"clipping", "LARC clipping", {"none", "larc"}, "none",
       "larc: the ratio is clipped to min(ratio/\u03b3, 1), so the local LR is min(ratio, \u03b3) "
       "(apex LARC, timm trust_clip)."},
      {"exclude", "Exclude 1-D tensors", {"none", "vectors"}, "none",
       "vectors: biases and normalisation parameters get neither adaptation nor weight decay (plain SGD momentum)."},
      {"momentum_kind", "Momentum", {"heavy_ball", "nesterov"}, "heavy_ball",
       "heavy_ball: w <- w - v; nesterov: w <- w - (d + m v), d the term just added to v."},
  };
}

std::map<std::string, std::string> larsChoices(const char* denominator, const char* placement, const char* zeroNorm,
                                               const char* clipping, const char* exclude) {
  return {{"denominator", denominator}, {"lr_placement", placement}, {"zero_norm", zeroNorm},
          {"clipping", clipping},       {"exclude", exclude},         {"momentum_kind", "heavy_ball"}};
}

std::vector<PresetSpec> larsPresets() {
  return {
      {"paper",
       "You, Gitman & Ginsburg 2017, Algorithm 1: \u03bb = \u03b7\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016), "
       "no eps, v <- m v + \u03b3\u03bb(g + \u03b2w) (LR inside), heavy ball, no clipping, no exclusion. "
       "The paper does not define the zero-norm case; ratio 1 is used.",
       larsChoices("grad_plus_decay", "inside", "ratio_one", "none", "none"),
       {{"eps", 0.0}}},
      {"optax",
       "optax.lars: chain(add_decayed_weights, scale_by_trust_ratio, scale_by_learning_rate, trace); "
       "ratio = trust_coefficient\u2016w\u2016/(\u2016g + \u03b2w\u2016 + eps), eps default 0, ratio 1 when "
       "\u2016w\u2016 or \u2016g + \u03b2w\u2016 is 0; LR inside the trace; masks default to every tensor.",
       larsChoices("norm_of_sum", "inside", "ratio_one", "none", "none"),
       {{"eps", 0.0}}},
      {"timm",
       "timm.optim.Lars built by create_optimizer_v2 (filter_bias_and_bn=True): ratio = trust_coeff\u2016w\u2016/"
       "(\u2016g\u2016 + \u03b2\u2016w\u2016 + eps), eps 1e-8, ratio 1 on a zero norm (decay still added), then "
       "PyTorch-SGD momentum with the LR outside. Biases and 1-D tensors go to a weight_decay=0 group, where timm "
       "skips adaptation (always_adapt=False). lr 1.0 is timm's default. Note: timm skips LARS for ANY group whose "
       "weight_decay is 0.",
       larsChoices("grad_plus_decay", "outside", "ratio_one", "none", "vectors"),
       {{"eps", 1e-8}, {"lr", 1.0}}},
      {"timm_larc",
       "timm 'larc' (Lars with trust_clip=True): as timm, with the ratio clipped to min(ratio/lr, 1). Unlike apex, "
       "a zero norm gives ratio 1 and the clip still applies, so the local LR there is min(1, lr).",
       larsChoices("grad_plus_decay", "outside", "ratio_one", "larc", "vectors"),
       {{"eps", 1e-8}}},
      {"apex_larc",
       "NVIDIA apex.parallel.LARC (clip=True) around torch.optim.SGD: adaptive_lr = trust_coefficient\u2016w\u2016/"
       "(\u2016g\u2016 + \u03b2\u2016w\u2016 + eps) with trust_coefficient 0.02 and eps 1e-8, clipped to "
       "min(adaptive_lr/lr, 1); the decayed gradient is scaled by it and SGD applies momentum with the LR outside, "
       "so the local LR is min(adaptive_lr, lr). If \u2016w\u2016 or \u2016g\u2016 is 0 the gradient is left "
       "as is: no adaptation and no weight decay.",
       larsChoices("grad_plus_decay", "outside", "skip", "larc", "none"),
       {{"eta", 0.02}, {"eps", 1e-8}}},
      {"torchlars",
       "kakaobrain torchlars.LARS around torch.optim.SGD: adaptive_lr = trust_coef\u2016w\u2016/(\u2016g\u2016 + "
       "\u03b2\u2016w\u2016 + eps), trust_coef 0.001, eps 1e-8, 1 when \u2016w\u2016 or \u2016g\u2016 is 0 (decay "
       "still added); SGD momentum with the LR outside.",
       larsChoices("grad_plus_decay", "outside", "ratio_one", "none", "none"),
       {{"eps", 1e-8}}},
      {"tf_addons",
       "tfa.optimizers.LARS: ratio = eeta\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016 + epsilon), 1 on a zero "
       "norm (decay still added), then ResourceApplyMomentum(lr=1, grad=scaled_lr(g + \u03b2w)): LR inside. "
       "epsilon=0 (its default) is replaced by tf.keras.backend.epsilon() = 1e-7; skip_list is empty by default.",
       larsChoices("grad_plus_decay", "inside", "ratio_one", "none", "none"),
       {{"eps", 1e-7}}},
  };
}

// The option defaults of the lars and larc types are the conventions of their default preset.
std::vector<OptionSpec> larsOptions(const std::string& defaultPreset) {
  std::vector<OptionSpec> options = larsOptions();
  for (const auto& preset : larsPresets())
    if (preset.name == defaultPreset)
      for (auto& option : options) option.defaultChoice = preset.options.at(option.name);
  return options;
}

// ---- Registry -------------------------------------------------------------------------------

OptimizerInfo makeInfo(std::string type, std::string displayName, std::string summary, std::string reference,
                       std::vector<HyperparameterSpec> specs, std::vector<OptionSpec> options,
                       std::vector<PresetSpec> presets, std::string defaultPreset, Compose compose) {
  OptimizerInfo info;
  info.type = std::move(type);
  info.displayName = std::move(displayName);
  info.summary = std::move(summary);
  info.reference = std::move(reference);
  info.hyperparameters = std::move(specs);
  info.options = std::move(options);
  info.presets = std::move(presets);
  info.defaultPreset = std::move(defaultPreset);
  info.create = [type = info.type, compose](const OptimizerConfig& config, const nn::ParameterLayout& layout) {
    const OptimizerInfo& self = *findOptimizer(type);
    return std::unique_ptr<Optimizer>(
        std::make_unique<ChainOptimizer>(self, resolve(self, config), compose, layout));
  };
  return info;
}

std::vector<OptimizerInfo> buildRegistry() {
  std::vector<OptimizerInfo> all;
  all.push_back(makeInfo("sgd", "SGD", "Plain stochastic gradient descent: w <- w - \u03b3(g + \u03b2w).",
                         "Robbins & Monro 1951; torch.optim.SGD",
                         {lrSpec(0.1, 10.0, "Step size \u03b3."), weightDecaySpec(0.0, kL2Help)}, {}, {}, "",
                         composeSgd));
  all.push_back(makeInfo("momentum", "SGD + momentum",
                         "SGD with heavy-ball momentum, PyTorch convention: v <- m v + g, w <- w - \u03b3v.",
                         "Polyak 1964; torch.optim.SGD(momentum)",
                         {lrSpec(0.05, 10.0, "Step size \u03b3 (outside the momentum buffer)."), momentumSpec(0.9),
                          weightDecaySpec(0.0, kL2Help)},
                         {}, {}, "", composeMomentum));
  all.push_back(makeInfo("nesterov", "SGD + Nesterov",
                         "SGD with Nesterov momentum, PyTorch convention: w <- w - \u03b3(g + m v).",
                         "Sutskever et al. 2013; torch.optim.SGD(nesterov=True)",
                         {lrSpec(0.05, 10.0, "Step size \u03b3 (outside the momentum buffer)."), momentumSpec(0.9),
                          weightDecaySpec(0.0, kL2Help)},
                         {}, {}, "", composeNesterov));
  all.push_back(makeInfo("adam", "Adam", "Adaptive moment estimation with bias correction; L2 weight decay.",
                         "Kingma & Ba 2015, Algorithm 1; torch.optim.Adam",
                         {lrSpec(1e-3, 1.0, "Step size \u03b3."), beta1Spec(), beta2Spec(),
                          epsSpec(1e-8, 1e-2, "Added to sqrt(v\u0302) in the denominator."),
                          weightDecaySpec(0.0, kL2Help)},
                         {}, {}, "", composeAdam));
  all.push_back(makeInfo("adamw", "AdamW", "Adam with decoupled weight decay: w <- w - \u03b3(Adam step + \u03b2w).",
                         "Loshchilov & Hutter 2019; torch.optim.AdamW, optax.adamw",
                         {lrSpec(1e-3, 1.0, "Step size \u03b3."), beta1Spec(), beta2Spec(),
                          epsSpec(1e-8, 1e-2, "Added to sqrt(v\u0302) in the denominator."),
                          weightDecaySpec(0.01, "Decoupled weight decay: w shrinks by \u03b3\u03b2w per step, "
                                                "independently of the Adam statistics.")},
                         {}, {}, "", composeAdamW));
  all.push_back(makeInfo("rmsprop", "RMSProp", "Gradient divided by a running RMS of past gradients (PyTorch form).",
                         "Tieleman & Hinton 2012; torch.optim.RMSprop",
                         {lrSpec(0.01, 1.0, "Step size \u03b3."),
                          {"alpha", "Smoothing \u03b1", 0.99, 0.0, 0.9999, false,
                           "Decay rate of the running mean of squared gradients."},
                          epsSpec(1e-8, 1e-2, "Added to sqrt(s) in the denominator."), momentumSpec(0.0),
                          weightDecaySpec(0.0, kL2Help)},
                         {}, {}, "", composeRmsProp));
  all.push_back(makeInfo("adagrad", "Adagrad", "Gradient divided by the root of the sum of all past squared gradients.",
                         "Duchi, Hazan & Singer 2011; torch.optim.Adagrad",
                         {lrSpec(0.01, 10.0, "Step size \u03b3."),
                          epsSpec(1e-10, 1e-2, "Added to sqrt(s) in the denominator."),
                          weightDecaySpec(0.0, kL2Help)},
                         {}, {}, "", composeAdagrad));
  all.push_back(makeInfo("lars", "LARS",
                         "Layer-wise adaptive rate scaling: each tensor's LR is scaled by "
                         "\u03b7\u2016w\u2016/(\u2016g\u2016 + \u03b2\u2016w\u2016).",
                         "You, Gitman & Ginsburg 2017, arXiv 1708.03888, Algorithm 1",
                         larsSpecs(5.0, 0.001, 0.0), larsOptions("paper"), larsPresets(), "paper", composeLars));
  all.push_back(makeInfo("larc", "LARC",
                         "LARS with clipping (apex LARC): each tensor's LR is min(\u03b7\u2016w\u2016/"
                         "(\u2016g\u2016 + \u03b2\u2016w\u2016 + \u03b5), \u03b3).",
                         "NVIDIA apex.parallel.LARC; You, Gitman & Ginsburg 2017",
                         larsSpecs(0.1, 0.02, 1e-8), larsOptions("apex_larc"), larsPresets(), "apex_larc", composeLars));
  all.push_back(makeInfo(
      "lamb", "LAMB",
      "Layer-wise adaptive Adam: each tensor's Adam step r is rescaled to \u03c6(\u2016w\u2016)/\u2016r\u2016.",
      "You et al. 2019, arXiv 1904.00962, Algorithm 2",
      {lrSpec(0.01, 1.0, "Step size \u03b3; each tensor moves by about \u03b3\u2016w\u2016 per step."), beta1Spec(),
       beta2Spec(), epsSpec(1e-6, 1e-2, "Adam \u03b5, added to sqrt(v\u0302) (1e-6 as in the LAMB paper)."),
       weightDecaySpec(0.01, "Decoupled weight decay: \u03b2w is added to the Adam step before the trust ratio."),
       {"clamp_max", "\u03c6 clamp max", 10.0, 1e-3, 1e3, true,
        "Upper bound of \u03c6(\u2016w\u2016) = min(\u2016w\u2016, clamp_max) when phi = clamp."}},
      {{"phi", "Scaling function \u03c6", {"identity", "clamp"}, "identity",
        "identity: \u03c6(\u2016w\u2016) = \u2016w\u2016 (paper's experiments, optax); clamp: min(\u2016w\u2016, "
        "clamp_max) (pytorch-lamb uses 10)."},
       {"exclude", "Exclude 1-D tensors", {"none", "vectors"}, "none",
        "vectors: biases and normalisation parameters get neither the trust ratio nor weight decay "
        "(a plain Adam step)."}},
      {}, "", composeLamb));
  return all;
}

ResolvedOptimizerConfig resolve(const OptimizerInfo& info, const OptimizerConfig& config) {
  const std::string where = "optimizer '" + info.type + "'";
  if (!config.type.empty() && config.type != info.type)
    throw std::invalid_argument(where + ": config is for type '" + config.type + "'");
  ResolvedOptimizerConfig resolved;
  resolved.info = &info;
  for (const auto& spec : info.hyperparameters) resolved.hyperparameters[spec.name] = spec.defaultValue;
  for (const auto& option : info.options) resolved.options[option.name] = option.defaultChoice;

  resolved.preset = presetName(info, config);
  if (!resolved.preset.empty()) {
    const PresetSpec* preset = info.findPreset(resolved.preset);
    if (preset == nullptr)
      throw std::invalid_argument(
          where + ": unknown preset '" + resolved.preset + "' (" +
          (info.presets.empty() ? std::string("this optimizer has no presets")
                                : "expected one of: " + joinNames(info.presets, [](const auto& p) { return p.name; })) +
          ")");
    for (const auto& [name, choice] : preset->options) resolved.options[name] = choice;
    for (const auto& [name, value] : preset->hyperparameters) resolved.hyperparameters[name] = value;
  }
  for (const auto& [name, value] : config.hyperparameters) {
    const HyperparameterSpec* spec = info.findHyperparameter(name);
    if (spec == nullptr)
      throw std::invalid_argument(where + ": unknown hyperparameter '" + name + "' (expected one of: " +
                                  joinNames(info.hyperparameters, [](const auto& s) { return s.name; }) + ")");
    checkValue(info, *spec, value);
    resolved.hyperparameters[name] = value;
  }
  for (const auto& [name, choice] : config.options) {
    const OptionSpec* option = info.findOption(name);
    if (option == nullptr)
      throw std::invalid_argument(
          where + ": unknown option '" + name + "' (" +
          (info.options.empty() ? std::string("this optimizer has no options")
                                : "expected one of: " + joinNames(info.options, [](const auto& o) { return o.name; })) +
          ")");
    bool known = false;
    for (const auto& c : option->choices) known = known || c == choice;
    if (!known)
      throw std::invalid_argument(where + ": option '" + name + "' has no choice '" + choice + "' (expected one of: " +
                                  joinNames(option->choices, [](const auto& c) { return c; }) + ")");
    resolved.options[name] = choice;
  }
  return resolved;
}

}  // namespace

const HyperparameterSpec* OptimizerInfo::findHyperparameter(const std::string& name) const {
  for (const auto& spec : hyperparameters)
    if (spec.name == name) return &spec;
  return nullptr;
}
const OptionSpec* OptimizerInfo::findOption(const std::string& name) const {
  for (const auto& option : options)
    if (option.name == name) return &option;
  return nullptr;
}
const PresetSpec* OptimizerInfo::findPreset(const std::string& name) const {
  for (const auto& preset : presets)
    if (preset.name == name) return &preset;
  return nullptr;
}

std::string hyperparameterProblem(const HyperparameterSpec& spec, double value) {
  // The same interval rule (and wording) as the layer fields'.
  const nn::FieldRange range{spec.minValue, nn::FieldRange::Bound::Closed, spec.maxValue,
                             nn::FieldRange::Bound::Closed};
  return range.contains(value) ? std::string() : range.violation(value, /*integer=*/false);
}

const PresetSpec* effectivePreset(const OptimizerConfig& config) {
  const OptimizerInfo* info = findOptimizer(config.type);
  return info == nullptr ? nullptr : info->findPreset(presetName(*info, config));
}

double effectiveHyperparameter(const OptimizerConfig& config, const HyperparameterSpec& spec) {
  if (auto it = config.hyperparameters.find(spec.name); it != config.hyperparameters.end()) return it->second;
  if (const PresetSpec* p = effectivePreset(config))
    if (auto it = p->hyperparameters.find(spec.name); it != p->hyperparameters.end()) return it->second;
  return spec.defaultValue;
}

std::string effectiveOption(const OptimizerConfig& config, const OptionSpec& spec) {
  if (auto it = config.options.find(spec.name); it != config.options.end()) return it->second;
  if (const PresetSpec* p = effectivePreset(config))
    if (auto it = p->options.find(spec.name); it != p->options.end()) return it->second;
  return spec.defaultChoice;
}

const std::vector<OptimizerInfo>& optimizerRegistry() {
  static const std::vector<OptimizerInfo> registry = buildRegistry();
  return registry;
}

const OptimizerInfo* findOptimizer(const std::string& type) {
  for (const auto& info : optimizerRegistry())
    if (info.type == type) return &info;
  return nullptr;
}

ResolvedOptimizerConfig resolveOptimizerConfig(const OptimizerConfig& config) {
  const OptimizerInfo* info = findOptimizer(config.type);
  if (info == nullptr)
    throw std::invalid_argument("unknown optimizer type '" + config.type + "' (expected one of: " +
                                joinNames(optimizerRegistry(), [](const auto& i) { return i.type; }) + ")");
  return resolve(*info, config);
}

std::unique_ptr<Optimizer> createOptimizer(const OptimizerConfig& config, const nn::ParameterLayout& layout) {
  const OptimizerInfo* info = findOptimizer(config.type);
  if (info == nullptr)
    throw std::invalid_argument("unknown optimizer type '" + config.type + "' (expected one of: " +
                                joinNames(optimizerRegistry(), [](const auto& i) { return i.type; }) + ")");
  return info->create(config, layout);
}

}  // namespace larslab::optim
