// Dashboard: the pinned runs (ui/pinned_runs.h), drawn in every chart next to the live runs in the
// run's colour, dimmed, from their own stores and never past the length they had when pinned.
// Run charts draw every pin; per-tensor charts draw, across runs, every pin's tensor of the
// selected name (a pin without it draws nothing), and for one run, the pins of that run's name
// tensor by tensor. The x axis in epochs uses each pin store's own steps per epoch.
#include <algorithm>

#include "dashboard.h"
#include "run_colors.h"

namespace larslab::ui {

namespace {

using engine::RunMetric;

// Dimmed, not dashed: dashes already mean "test split"; 1 px lines cannot get thinner.
constexpr int kPinAlpha = 110;

QColor dimmed(QColor c) {
  c.setAlpha(kPinAlpha);
  return c;
}

// Series keys: a pin's run-level line shares its key between the run charts and the per-tensor
// charts across runs (like a live run's), so a legend click hides it everywhere.
QString pinKey(int id) { return QStringLiteral("pin:") + QString::number(id); }
QString pinTestKey(int id) { return QStringLiteral("pintest:") + QString::number(id); }
QString pinTensorKey(int id, const QString& tensor) {
  return QStringLiteral("pintensor:") + QString::number(id) + QLatin1Char(':') + tensor;
}

}  // namespace

double Dashboard::pinXScale(const PinnedRun& pin) const {
  if (!view_.xInEpochs) return 1.0;
  const double perEpoch = pin.store->stepsPerEpoch();
  return perEpoch > 0 ? 1.0 / perEpoch : 0.0;
}

void Dashboard::syncPins() {
  if (pins_.revision() == pinsRevision_) return;
  pinsRevision_ = pins_.revision();
  const auto gone = [this](int id) { return pins_.find(id) == nullptr; };
  std::erase_if(pinCaches_, [&](const auto& kv) { return gone(std::get<0>(kv.first)); });
  std::erase_if(pinEvalSeen_, [&](const auto& kv) { return gone(kv.first.first); });
  std::erase_if(pinUnitTrust_, [&](const auto& kv) { return gone(kv.first.first); });
  refitAll_ = true;  // a pin longer or higher than the live runs, or one that went
}

SeriesCache& Dashboard::pinCache(const PinnedRun& pin, int tensor, int metric, int targetBuckets) {
  const CacheKey key{pin.id, tensor, metric};
  auto it = pinCaches_.find(key);
  if (it == pinCaches_.end()) {
    it = pinCaches_.emplace(key, SeriesCache({pin.run, tensor, metric}, targetBuckets, view_.smoothing)).first;
    it->second.setStepLimit(pin.steps);
  }
  it->second.setTargetBuckets(targetBuckets);
  return it->second;
}

bool Dashboard::pinTrustRatioNotApplicable(const PinnedRun& pin, int tensor) {
  // A pin never grows: decided once.
  const auto [it, isNew] = pinUnitTrust_.try_emplace({pin.id, tensor}, true);
  if (isNew) {
    bool allOne = pin.steps > 0;
    for (long k = 0; allOne && k < pin.steps; ++k)
      allOne = pin.store->value(pin.run, tensor, engine::TensorMetric::TrustRatio, k) == 1.0f;
    it->second = allOne;
  }
  return it->second;
}

void Dashboard::drawPinsInRunCharts(QSet<QString>& loss, QSet<QString>& accuracy, QSet<QString>& lr) {
  for (const PinnedRun& p : pins_.list()) {
    const double xScale = pinXScale(p);
    if (xScale <= 0) continue;
    const QColor color = dimmed(colors_->color(p.runName));
    const QString label = p.label();
    const QString key = pinKey(p.id);
    const engine::MetricsStore& store = *p.store;
    const struct {
      RunChart chart;
      RunMetric metric;
      QSet<QString>* present;
    } lines[] = {{RunChart::Loss, RunMetric::Loss, &loss},
                 {RunChart::Accuracy, RunMetric::Accuracy, &accuracy},
                 {RunChart::LearningRate, RunMetric::LearningRate, &lr}};
    for (const auto& line : lines) {
      MetricChart* c = chart(line.chart);
      drawColumn(c, key, label, color, pinCache(p, -1, static_cast<int>(line.metric), bucketsFor(c)), store, xScale,
                 *line.present);
    }
    // Test evaluations, dashed like the live runs', up to the count when pinned.
    if (p.evaluations == 0) continue;
    const std::vector<engine::EvalPoint> evals = store.evaluations(p.run);
    for (const bool acc : {false, true}) {
      MetricChart* c = chart(acc ? RunChart::Accuracy : RunChart::Loss);
      const QString testKey = pinTestKey(p.id);
      (acc ? accuracy : loss).insert(testKey);
      auto seen = pinEvalSeen_.find({p.id, acc});
      if (c->hasSeries(testKey) && seen != pinEvalSeen_.end() && seen->second == xScale) continue;
      pinEvalSeen_[{p.id, acc}] = xScale;
      drawEvaluations(c, testKey, p.runName + tr(" (test, %1)").arg(p.tag), color, evals, p.evaluations, acc, xScale);
    }
  }
}

void Dashboard::drawPinsInTensorChart(MetricChart* c, int metric, QStringList& notApplicable, QSet<QString>& present,
                                      double& coverage) {
  const bool trustChart = static_cast<engine::TensorMetric>(metric) == engine::TensorMetric::TrustRatio;
  const int buckets = bucketsFor(c);
  for (const PinnedRun& p : pins_.list()) {
    const double xScale = pinXScale(p);
    if (xScale <= 0 || p.steps == 0) continue;
    const engine::MetricsStore& store = *p.store;
    const auto& tensors = store.tensors();
    bool drawn = false;
    if (view_.tensorMode == TensorMode::RunsOfTensor) {
      int t = -1;
      for (int i = 0; i < store.tensorCount(); ++i)
        if (QString::fromStdString(tensors[static_cast<std::size_t>(i)].name) == selectedTensor_) t = i;
      if (t < 0) continue;
      if (trustChart && pinTrustRatioNotApplicable(p, t)) {
        // Named once: a pin of a live run that has none adds nothing to the sentence.
        if (!notApplicable.contains(p.runName)) notApplicable.append(p.label());
        continue;
      }
      drawColumn(c, pinKey(p.id), p.label(), dimmed(colors_->color(p.runName)), pinCache(p, t, metric, buckets), store,
                 xScale, present);
      drawn = true;
    } else {
      if (p.runName != selectedRun_) continue;
      for (int t = 0; t < store.tensorCount(); ++t) {
        const auto& info = tensors[static_cast<std::size_t>(t)];
        const bool weight = info.kind == nn::TensorKind::Weight;
        if ((tensorFilter_ == TensorFilter::Weights && !weight) ||
            (tensorFilter_ == TensorFilter::OneDimensional && weight))
          continue;
        if (trustChart && pinTrustRatioNotApplicable(p, t)) continue;  // the live run's message says why
        const QString name = QString::fromStdString(info.name);
        drawColumn(c, pinTensorKey(p.id, name), name + QStringLiteral(" (") + p.tag + QLatin1Char(')'),
                   dimmed(tensorColorOf(tensors, t)), pinCache(p, t, metric, buckets), store, xScale, present);
        drawn = true;
      }
    }
    if (drawn) coverage = std::max(coverage, static_cast<double>(p.steps - 1) * xScale);
  }
}

}  // namespace larslab::ui
