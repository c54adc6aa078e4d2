#include "tensor_inspector.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>

#include "tensor_metric_text.h"

namespace larslab::ui {

namespace {

QString formatValue(double v) {
  if (std::isnan(v)) return QStringLiteral("NaN");
  if (std::isinf(v)) return v > 0 ? QStringLiteral("+inf") : QStringLiteral("-inf");
  if (v == 0.0) return QStringLiteral("0");
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e4) return QString::number(v, 'g', 4);
  return QString::number(v, 'e', 3);
}

QString shapeText(const std::vector<int>& shape) {
  QStringList parts;
  for (int d : shape) parts.append(QString::number(d));
  return parts.join(QStringLiteral(" × "));
}

}  // namespace

int TensorTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TensorTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

void TensorTableModel::findFirstNonFinite(const engine::MetricsStore& store, int run) {
  const engine::RunStatusInfo st = store.status(run);
  const long divergence = st.diverged ? std::max(0L, st.divergedAtStep) : -1;
  if (divergence == scannedDivergence_) return;
  scannedDivergence_ = divergence;
  const int before = firstNonFinite_;
  firstNonFinite_ = -1;
  firstNonFiniteStep_ = -1;
  if (divergence >= 0) {
    // The measured quantities of a tensor itself: its weights, gradient and update. The ratios
    // are left out: a zero-initialised bias has ‖Δw‖/‖w‖ = inf at step 0 without anything
    // having gone wrong.
    constexpr std::array kMeasured{engine::TensorMetric::WeightNorm, engine::TensorMetric::GradNorm,
                                   engine::TensorMetric::UpdateNorm};
    const long end = store.stepCount(run);
    std::vector<long> first(rows_.size(), -1);
    std::vector<float> column;
    for (std::size_t t = 0; t < rows_.size(); ++t) {
      for (const engine::TensorMetric m : kMeasured) {
        const long stop = first[t] >= 0 ? first[t] : end;
        store.read(run, static_cast<int>(t), m, 0, stop, column);
        const auto bad = std::find_if(column.begin(), column.end(), [](float v) { return !std::isfinite(v); });
        if (bad != column.end()) first[t] = static_cast<long>(bad - column.begin());
      }
    }
    // The session names the tensor it found non-finite ("parameter dense2.weight is inf"): that
    // one is first. Otherwise (the loss went NaN) the earliest in the columns, ties in network
    // order.
    const std::string prefix = "parameter ";
    if (st.reason.rfind(prefix, 0) == 0) {
      const std::string name = st.reason.substr(prefix.size(), st.reason.find(' ', prefix.size()) - prefix.size());
      for (std::size_t t = 0; t < rows_.size(); ++t)
        if (rows_[t].info.name == name) {
          firstNonFinite_ = static_cast<int>(t);
          firstNonFiniteStep_ = first[t] >= 0 ? first[t] : divergence;
        }
    }
    if (firstNonFinite_ < 0)
      for (std::size_t t = 0; t < rows_.size(); ++t)
        if (first[t] >= 0 && (firstNonFiniteStep_ < 0 || first[t] < firstNonFiniteStep_)) {
          firstNonFinite_ = static_cast<int>(t);
          firstNonFiniteStep_ = first[t];
        }
  }
  for (const int row : {before, firstNonFinite_})
    if (row >= 0) Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), {Qt::BackgroundRole, Qt::ToolTipRole});
}

void TensorTableModel::refresh(const engine::MetricsStore* store, int run, long step) {
  const bool layoutChanged = store != store_ || run != run_ ||
                             (store && static_cast<int>(rows_.size()) != store->tensorCount());
  if (layoutChanged) {
    beginResetModel();
    store_ = store;
    run_ = run;
    rows_.clear();
    step_ = -1;
    scannedDivergence_ = -1;
    firstNonFinite_ = -1;
    firstNonFiniteStep_ = -1;
    if (store) {
      for (const auto& t : store->tensors()) {
        Row r;
        r.info = t;
        r.values.fill(std::nan(""));
        rows_.push_back(r);
      }
    }
    endResetModel();
  }
  if (!store || run < 0 || run >= store->runCount()) return;
  const long count = store->stepCount(run);
  if (count == 0) return;
  findFirstNonFinite(*store, run);
  const long shown = step < 0 ? count - 1 : std::min(step, count - 1);
  if (shown == step_) return;
  step_ = shown;
  int firstChanged = -1;
  int lastChanged = -1;
  for (int t = 0; t < static_cast<int>(rows_.size()); ++t) {
    Row& r = rows_[static_cast<std::size_t>(t)];
    bool changed = false;
    for (int m = 0; m < engine::kTensorMetricCount; ++m) {
      const double v = store->value(run, t, static_cast<engine::TensorMetric>(m), step_);
      const double old = r.values[static_cast<std::size_t>(m)];
      if (!(v == old || (std::isnan(v) && std::isnan(old)))) {
        r.values[static_cast<std::size_t>(m)] = v;
        changed = true;
      }
    }
    if (changed) {
      if (firstChanged < 0) firstChanged = t;
      lastChanged = t;
    }
  }
  if (firstChanged >= 0)
    Q_EMIT dataChanged(index(firstChanged, FirstMetric), index(lastChanged, ColumnCount - 1),
                       {Qt::DisplayRole, kValueRole, Qt::ForegroundRole});
}

QVariant TensorTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  const int col = index.column();
  if (index.row() == firstNonFinite_) {
    if (role == Qt::BackgroundRole) return QColor(0xf6, 0xc6, 0xc6);
    if (role == Qt::ForegroundRole) return QColor(0x80, 0x10, 0x10);  // readable on the red, light or dark theme
    if (role == Qt::ToolTipRole) return tr("first non-finite: step %1").arg(firstNonFiniteStep_);
  }
  if (col >= FirstMetric) {
    const double v = r.values[static_cast<std::size_t>(col - FirstMetric)];
    if (role == Qt::DisplayRole) return formatValue(v);
    if (role == kValueRole) return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
    if (role == Qt::TextAlignmentRole) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && !std::isfinite(v)) return QColor(0xd6, 0x27, 0x28);
    return {};
  }
  if (role == Qt::DisplayRole || role == kValueRole) {
    switch (col) {
      case Name: return QString::fromStdString(r.info.name);
      case Kind: return QString::fromUtf8(nn::tensorKindName(r.info.kind));
      case Shape: return shapeText(r.info.shape);
      default: break;
    }
  }
  if (role == Qt::ToolTipRole && col == Kind)
    return r.info.kind == nn::TensorKind::Weight
               ? tr("A weight matrix or kernel: LARS adapts its learning rate with the trust ratio.")
               : tr("A 1-D tensor (bias or normalisation parameter); some LARS conventions exclude these.");
  return {};
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (section >= FirstMetric) {
    const auto metric = static_cast<engine::TensorMetric>(section - FirstMetric);
    if (role == Qt::DisplayRole) return metricSymbol(metric);
    if (role == Qt::ToolTipRole) return metricTip(metric);
    return {};
  }
  if (role == Qt::DisplayRole) {
    switch (section) {
      case Name: return tr("Tensor");
      case Kind: return tr("Kind");
      case Shape: return tr("Shape");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case Name: return tr("Parameter tensor; a dense layer has a weight and a bias tensor.");
      case Kind: return tr("Weight, bias or normalisation parameter.");
      case Shape: return tr("Dimensions in PyTorch order (out, in).");
      default: return {};
    }
  }
  return {};
}

TensorInspector::TensorInspector(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  heading_ = new QLabel(tr("No run selected"), this);
  heading_->setObjectName(QStringLiteral("inspectorHeading"));
  // The heading names the step, so its text changes at every refresh while training. Wrapped, its
  // minimum width no longer follows the text, so a new step number does not re-lay out (and
  // repaint) the whole window around it: measured, that repaint was a quarter of the GUI
  // thread's time while training.
  heading_->setWordWrap(true);
  layout->addWidget(heading_);
  model_ = new TensorTableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(TensorTableModel::kValueRole);
  proxy_->setDynamicSortFilter(true);
  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("inspectorTable"));
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(-1, Qt::AscendingOrder);  // model order (network order) until the user sorts
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setAlternatingRowColors(true);
  view_->verticalHeader()->setVisible(false);
  view_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
  view_->setToolTip(tr("Every tensor of the selected run at the step cursor (the latest step when live); click a "
                      "column header to sort."));
  layout->addWidget(view_);
}

void TensorInspector::refresh(const std::shared_ptr<const engine::MetricsStore>& store, const QString& runName,
                              long step) {
  store_ = store;
  const int run = store ? store->runIndex(runName.toStdString()) : -1;
  model_->refresh(store.get(), run, step);
  if (model_->rowCount() != fittedRows_) fitColumns();  // another model: other widths
  QString text;
  if (run < 0)
    text = tr("No run selected");
  else if (model_->step() < 0)
    text = tr("Tensors of <b>%1</b>: no step recorded yet").arg(runName.toHtmlEscaped());
  else if (step >= 0)
    text = tr("Tensors of <b>%1</b> at step %2 (scrubbed, L returns to live)").arg(runName.toHtmlEscaped()).arg(model_->step());
  else
    text = tr("Tensors of <b>%1</b> at step %2 (click a header to sort)").arg(runName.toHtmlEscaped()).arg(model_->step());
  const int first = model_->firstNonFiniteRow();
  if (first >= 0 && first < model_->rowCount())
    text += tr(" · <b style='color:#d62728'>%1 went non-finite first, at step %2</b>")
                .arg(model_->index(first, TensorTableModel::Name).data().toString().toHtmlEscaped())
                .arg(model_->firstNonFiniteStep());
  if (text != headingText_) {
    headingText_ = text;
    heading_->setText(text);
  }
}

void TensorInspector::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::FontChange) {
    view_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    fitColumns();
  }
}

void TensorInspector::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitColumns();
}

void TensorInspector::fitColumns() {
  fittedRows_ = model_->rowCount();
  QHeaderView* header = view_->horizontalHeader();
  const QAbstractItemView* cells = view_;  // QTableView hides the public sizeHintForColumn()
  int needed = 0;
  for (int c = 0; c < model_->columnCount(); ++c) needed += std::max(header->sectionSizeHint(c), cells->sizeHintForColumn(c));
  const bool fits = needed <= view_->viewport()->width();
  header->setSectionResizeMode(fits ? QHeaderView::Stretch : QHeaderView::ResizeToContents);
  header->setSectionResizeMode(TensorTableModel::Name, QHeaderView::ResizeToContents);
}

}  // namespace larslab::ui
