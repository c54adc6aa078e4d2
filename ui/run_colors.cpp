#include "run_colors.h"

#include "charts/chart_palette.h"

namespace larslab::ui {

int RunColorMap::index(const QString& runName) {
  auto it = indices_.find(runName);
  if (it == indices_.end()) it = indices_.insert(runName, static_cast<int>(indices_.size()));
  return it.value();
}

QColor RunColorMap::color(const QString& runName) { return runColor(index(runName)); }

QString layerOf(const QString& tensorName) {
  const qsizetype dot = tensorName.lastIndexOf(QLatin1Char('.'));
  return dot > 0 ? tensorName.left(dot) : tensorName;
}

QColor tensorColorOf(const std::vector<engine::TensorColumnInfo>& tensors, int index) {
  if (index < 0 || index >= static_cast<int>(tensors.size())) return runColor(0);
  int layerIndex = 0;
  QString previous;
  for (int i = 0; i <= index; ++i) {
    const QString l = layerOf(QString::fromStdString(tensors[static_cast<std::size_t>(i)].name));
    if (i > 0 && l != previous) ++layerIndex;
    previous = l;
  }
  const auto& info = tensors[static_cast<std::size_t>(index)];
  TensorRole role = TensorRole::Other;
  if (info.kind == nn::TensorKind::Weight) role = TensorRole::Weight;
  else if (info.kind == nn::TensorKind::Bias) role = TensorRole::Bias;
  else if (info.name.ends_with(".gamma")) role = TensorRole::Weight;
  else if (info.name.ends_with(".beta")) role = TensorRole::Bias;
  return tensorColor(layerIndex, role);
}

}  // namespace larslab::ui
