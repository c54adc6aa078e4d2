#include "view_settings.h"

#include <QSettings>
#include <algorithm>

#include "optim/tensor_metrics.h"

namespace larslab::ui {

namespace {
const QString kGroup = QStringLiteral("view");
const QString kSmoothing = QStringLiteral("smoothing");
const QString kLogScale = QStringLiteral("logScale");
const QString kXInEpochs = QStringLiteral("xInEpochs");
const QString kTensorMode = QStringLiteral("tensorMode");
const QString kTensorFilter = QStringLiteral("tensorFilter");
const QString kTextScale = QStringLiteral("textScale");
const QString kAlternativeCharts = QStringLiteral("alternativeCharts");

// Names in the settings file, so that it reads (and survives a reordering of the enums).
constexpr std::array<std::pair<Dashboard::TensorMode, const char*>, 2> kModeNames{{
    {Dashboard::TensorMode::TensorsOfRun, "tensorsOfRun"},
    {Dashboard::TensorMode::RunsOfTensor, "runsOfTensor"},
}};
constexpr std::array<std::pair<Dashboard::TensorFilter, const char*>, 3> kFilterNames{{
    {Dashboard::TensorFilter::All, "all"},
    {Dashboard::TensorFilter::Weights, "weights"},
    {Dashboard::TensorFilter::OneDimensional, "oneDimensional"},
}};

template <typename Enum, std::size_t N>
QString nameOf(const std::array<std::pair<Enum, const char*>, N>& names, Enum value) {
  for (const auto& [v, name] : names)
    if (v == value) return QString::fromLatin1(name);
  return {};
}

template <typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, const char*>, N>& names, const QString& name) {
  for (const auto& [v, n] : names)
    if (name == QLatin1String(n)) return v;
  return std::nullopt;
}
}  // namespace

bool isTextScale(int percent) { return std::find(kTextScales.begin(), kTextScales.end(), percent) != kTextScales.end(); }

int steppedTextScale(int percent, int steps) {
  const int last = static_cast<int>(kTextScales.size()) - 1;
  const auto at = [](int i) { return kTextScales[static_cast<std::size_t>(i)]; };
  if (steps == 0) return isTextScale(percent) ? percent : kNormalTextScale;
  int i = 0;
  if (steps > 0) {  // the first step above `percent` is one step up
    while (i < last && at(i) <= percent) ++i;
    i += steps - 1;
  } else {  // the first step below it is one step down
    i = last;
    while (i > 0 && at(i) >= percent) --i;
    i += steps + 1;
  }
  return at(std::clamp(i, 0, last));
}

ViewChoices loadViewChoices() {
  QSettings settings;
  settings.beginGroup(kGroup);
  ViewChoices c;
  bool ok = false;
  const double smoothing = settings.value(kSmoothing).toDouble(&ok);
  if (ok && smoothing >= 0.0 && smoothing <= 0.99) c.charts.smoothing = smoothing;
  if (settings.contains(kLogScale)) c.charts.logScale = settings.value(kLogScale).toBool();
  if (settings.contains(kXInEpochs)) c.charts.xInEpochs = settings.value(kXInEpochs).toBool();
  if (auto mode = valueOf(kModeNames, settings.value(kTensorMode).toString())) c.charts.tensorMode = *mode;
  c.charts.tensorFilter = valueOf(kFilterNames, settings.value(kTensorFilter).toString());
  // By the metrics' CSV keys ("update_to_data"); a key that names no alternative is ignored.
  for (const QString& key : settings.value(kAlternativeCharts).toStringList())
    for (const optim::TensorMetricInfo& info : optim::kTensorMetrics)
      if (info.alternativeOf != engine::TensorMetric::Count && key == QLatin1String(info.key))
        c.charts.alternativeCharts.push_back(info.id);
  const int scale = settings.value(kTextScale).toInt(&ok);
  if (ok && isTextScale(scale)) c.textScale = scale;
  return c;
}

void saveViewChoices(const ViewChoices& c) {
  QSettings settings;
  settings.beginGroup(kGroup);
  settings.setValue(kSmoothing, c.charts.smoothing);
  settings.setValue(kLogScale, c.charts.logScale);
  settings.setValue(kXInEpochs, c.charts.xInEpochs);
  settings.setValue(kTensorMode, nameOf(kModeNames, c.charts.tensorMode));
  if (c.charts.tensorFilter)
    settings.setValue(kTensorFilter, nameOf(kFilterNames, *c.charts.tensorFilter));
  else
    settings.remove(kTensorFilter);
  QStringList alternatives;
  for (const engine::TensorMetric m : c.charts.alternativeCharts)
    alternatives.append(QLatin1String(optim::tensorMetricInfo(m).key));
  settings.setValue(kAlternativeCharts, alternatives);
  settings.setValue(kTextScale, c.textScale);
}

void clearViewChoices() { QSettings().remove(kGroup); }

}  // namespace larslab::ui
