// Every optimizer converges on a quadratic and on Rosenbrock from a fixed start (the habit of
// optax's and ensmallen's test suites). Hyperparameters are listed per case; weight decay is 0
// so that the minimum is the one of the objective. Schedules: "poly" is the paper's
// (1 - t/T)^2 decay over the run, which the normalised-step methods (LARS, LAMB) need to settle.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "optim/schedule.h"
#include "optim_test_util.h"

namespace larslab::optim {
namespace {

struct Case {
  std::string type;
  std::string preset;
  std::map<std::string, double> hyper;
  std::map<std::string, std::string> options;
  long steps = 0;
  std::string schedule = "constant";
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  out << c.type << (c.preset.empty() ? "" : "/" + c.preset) << " steps " << c.steps << " " << c.schedule;
  for (const auto& [k, v] : c.hyper) out << " " << k << "=" << v;
  return out;
}

// Runs `c` on the objective given by `gradient(x, g)` (x, g over all elements of the layout).
template <typename Gradient>
std::vector<double> run(const Case& c, testing::Problem& p, Gradient gradient) {
  auto hyper = c.hyper;
  hyper["weight_decay"] = 0.0;
  auto opt = p.make(c.type, c.preset, hyper, c.options);
  ScheduleConfig schedule;
  schedule.kind = c.schedule == "poly" ? "polynomial" : c.schedule;
  schedule.totalSteps = c.steps;
  const auto n = p.params.flat().size();
  std::vector<double> x(static_cast<std::size_t>(n)), g(x.size());
  for (long t = 0; t < c.steps; ++t) {
    for (Eigen::Index i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = p.params.flat()[i];
    gradient(x, g);
    for (Eigen::Index i = 0; i < n; ++i) p.grads.flat()[i] = static_cast<nn::Scalar>(g[static_cast<std::size_t>(i)]);
    opt->step(p.params, p.grads, scheduleFactor(schedule, t), p.telemetry);
  }
  for (Eigen::Index i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = p.params.flat()[i];
  return x;
}

// f(x) = 1/2 sum a_i (x_i - c_i)^2 over a 12-element weight and a 4-element bias, curvatures
// a_i from 0.5 to 5 (condition number 10), start x0 = c + 0.8 sin(i + 1).
class Quadratic {
 public:
  Quadratic() {
    for (int i = 0; i < 16; ++i) {
      a_.push_back(0.5 + 4.5 * i / 15.0);
      c_.push_back((i % 2 == 0 ? 1.0 : -1.0) * (0.5 + 0.1 * i));
    }
  }
  testing::Problem problem() const {
    std::vector<double> w, b;
    for (int i = 0; i < 16; ++i) (i < 12 ? w : b).push_back(c_[i] + 0.8 * std::sin(i + 1.0));
    return testing::Problem({{"w", nn::TensorKind::Weight, w}, {"b", nn::TensorKind::Bias, b}});
  }
  void gradient(const std::vector<double>& x, std::vector<double>& g) const {
    for (std::size_t i = 0; i < x.size(); ++i) g[i] = a_[i] * (x[i] - c_[i]);
  }
  double maxError(const std::vector<double>& x) const {
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - c_[i]));
    return worst;
  }

 private:
  std::vector<double> a_, c_;
};

const std::vector<Case>& quadraticCases() {
  static const std::vector<Case> cases{
      {"sgd", "", {{"lr", 0.3}}, {}, 300},
      {"momentum", "", {{"lr", 0.1}, {"momentum", 0.9}}, {}, 500},
      {"nesterov", "", {{"lr", 0.1}, {"momentum", 0.9}}, {}, 500},
      {"adam", "", {{"lr", 0.05}}, {}, 3000, "poly"},
      {"adamw", "", {{"lr", 0.05}}, {}, 3000, "poly"},
      {"rmsprop", "", {{"lr", 0.01}}, {}, 3000, "poly"},
      {"adagrad", "", {{"lr", 0.5}}, {}, 2000},
      {"lars", "paper", {{"lr", 5.0}, {"eta", 0.001}}, {}, 3000, "poly"},
      {"lars", "optax", {{"lr", 5.0}, {"eta", 0.001}}, {}, 3000, "poly"},
      {"lars", "timm", {{"lr", 5.0}, {"eta", 0.001}}, {}, 3000, "poly"},
      {"larc", "apex_larc", {{"lr", 0.2}}, {}, 1000},
      {"lamb", "", {{"lr", 0.01}}, {}, 3000, "poly"},
  };
  return cases;
}

TEST(Convergence, Quadratic) {
  const Quadratic q;
  std::set<std::string> covered;
  for (const auto& c : quadraticCases()) {
    testing::Problem p = q.problem();
    const auto x = run(c, p, [&](const std::vector<double>& xs, std::vector<double>& g) { q.gradient(xs, g); });
    EXPECT_LT(q.maxError(x), 1e-5) << c;
    covered.insert(c.type);
  }
  EXPECT_EQ(covered.size(), optimizerRegistry().size()) << "every optimizer has a case";
}

// Rosenbrock f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from the classic start (-1.2, 1); minimum (1, 1).
// x and y are ONE 2-element weight tensor, so LARS and LAMB see one layer with ||w|| -> sqrt(2).
const std::vector<Case>& rosenbrockCases() {
  static const std::vector<Case> cases{
      {"sgd", "", {{"lr", 1e-3}}, {}, 40000},
      {"momentum", "", {{"lr", 2e-4}, {"momentum", 0.9}}, {}, 20000},
      {"nesterov", "", {{"lr", 2e-4}, {"momentum", 0.9}}, {}, 20000},
      {"adam", "", {{"lr", 0.02}}, {}, 10000, "poly"},
      {"adamw", "", {{"lr", 0.02}}, {}, 10000, "poly"},
      {"rmsprop", "", {{"lr", 2e-3}}, {}, 10000, "poly"},
      {"adagrad", "", {{"lr", 0.3}}, {}, 20000},
      {"lars", "paper", {{"lr", 10.0}, {"eta", 0.001}}, {}, 20000, "poly"},
      {"lars", "optax", {{"lr", 10.0}, {"eta", 0.001}}, {}, 20000, "poly"},
      {"larc", "apex_larc", {{"lr", 3e-4}}, {}, 20000},
      {"lamb", "", {{"lr", 0.01}}, {}, 20000, "poly"},
  };
  return cases;
}

TEST(Convergence, Rosenbrock) {
  std::set<std::string> covered;
  for (const auto& c : rosenbrockCases()) {
    testing::Problem p({{"xy", nn::TensorKind::Weight, {-1.2, 1.0}}});
    const auto x = run(c, p, [](const std::vector<double>& v, std::vector<double>& g) {
      g[0] = -2.0 * (1.0 - v[0]) - 400.0 * v[0] * (v[1] - v[0] * v[0]);
      g[1] = 200.0 * (v[1] - v[0] * v[0]);
    });
    const double distance = std::hypot(x[0] - 1.0, x[1] - 1.0);
    EXPECT_LT(distance, 1e-3) << c << " ended at (" << x[0] << ", " << x[1] << ")";
    covered.insert(c.type);
  }
  EXPECT_EQ(covered.size(), optimizerRegistry().size()) << "every optimizer has a case";
}

}  // namespace
}  // namespace larslab::optim
