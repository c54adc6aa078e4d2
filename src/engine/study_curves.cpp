#include "engine/study_curves.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "engine/csv_log_reader.h"

namespace larslab::engine {

namespace {

// Values per step from every seed, folded into a band (steps in increasing order).
SeedBand foldSeeds(const std::map<long, std::vector<double>>& values) {
  SeedBand band;
  for (const auto& [step, all] : values) {
    double sum = 0.0, least = INFINITY, most = -INFINITY;
    int n = 0;
    for (const double v : all) {
      if (!std::isfinite(v)) continue;
      sum += v;
      least = std::min(least, v);
      most = std::max(most, v);
      ++n;
    }
    if (n == 0) continue;
    band.step.push_back(static_cast<double>(step));
    band.mean.push_back(sum / n);
    band.least.push_back(least);
    band.most.push_back(most);
    band.seeds.push_back(n);
  }
  return band;
}

}  // namespace

StudyCurves readStudyCurves(const std::string& dir, const std::vector<std::string>& ids, int maxPoints) {
  StudyCurves curves;
  std::map<long, std::vector<double>> loss, accuracy;
  std::vector<float> column;
  for (const std::string& id : ids) {
    const auto store = readMetricsLog((std::filesystem::path(dir) / "configs" / id).string());
    if (store->runCount() == 0) continue;
    ++curves.seeds;
    const long steps = store->stepCount(0);
    // One bucket size for every seed: from the first configuration (seeds share their length).
    if (curves.seeds == 1) curves.bucketSteps = std::max(1L, (steps + maxPoints - 1) / std::max(1, maxPoints));
    store->read(0, RunMetric::Loss, 0, steps, column);
    for (long begin = 0; begin < steps; begin += curves.bucketSteps) {
      const long end = std::min(steps, begin + curves.bucketSteps);
      double sum = 0.0;
      for (long s = begin; s < end; ++s) sum += column[static_cast<std::size_t>(s)];
      // A bucket holding a NaN or inf (divergence) is non-finite and drops out of the band.
      loss[end - 1].push_back(sum / static_cast<double>(end - begin));
    }
    for (const EvalPoint& p : store->evaluations(0)) accuracy[p.step].push_back(p.accuracy);
  }
  curves.trainLoss = foldSeeds(loss);
  curves.testAccuracy = foldSeeds(accuracy);
  return curves;
}

}  // namespace larslab::engine
