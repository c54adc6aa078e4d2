#pragma once
// The per-run inspector: every tensor of the selected run at the step cursor (the latest
// recorded step when live), as a sortable table that updates live. A diverged run's tensor that
// went non-finite first is marked: a red row whose tooltip names the step.

#include <QAbstractTableModel>
#include <QWidget>
#include <array>
#include <memory>
#include <vector>

#include "engine/metrics_store.h"

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace larslab::ui {

class TensorTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  // Name, kind and shape, then one column per per-tensor metric in optim::kTensorMetrics order.
  enum Column { Name, Kind, Shape, FirstMetric, ColumnCount = FirstMetric + engine::kTensorMetricCount };
  static constexpr int columnOf(engine::TensorMetric m) { return FirstMetric + static_cast<int>(m); }
  static constexpr int kValueRole = Qt::UserRole + 1;  // the raw double, for sorting and tests

  using QAbstractTableModel::QAbstractTableModel;

  // Reads step `step` of `run` (store index, -1 for none); step -1 (live) or past the run's
  // last step: its latest. Emits dataChanged only for values that changed, so sorting and
  // selection survive the 30 Hz refresh.
  void refresh(const engine::MetricsStore* store, int run, long step = -1);
  [[nodiscard]] long step() const { return step_; }
  // The tensor of a diverged run that went non-finite first (row = store tensor index) and the
  // step; -1 when the run has not diverged or no tensor is known to be first.
  [[nodiscard]] int firstNonFiniteRow() const { return firstNonFinite_; }
  [[nodiscard]] long firstNonFiniteStep() const { return firstNonFiniteStep_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  struct Row {
    engine::TensorColumnInfo info;
    std::array<double, engine::kTensorMetricCount> values{};
  };
  // Finds the first non-finite tensor of a diverged run, once per divergence.
  void findFirstNonFinite(const engine::MetricsStore& store, int run);

  std::vector<Row> rows_;
  const engine::MetricsStore* store_ = nullptr;
  long scannedDivergence_ = -1;  // divergedAtStep of the divergence scanned (-1: none)
  int firstNonFinite_ = -1;
  long firstNonFiniteStep_ = -1;
  long step_ = -1;
  int run_ = -1;
};

class TensorInspector : public QWidget {
  Q_OBJECT
 public:
  explicit TensorInspector(QWidget* parent = nullptr);
  // `step`: the window's step cursor (-1: live, the latest step).
  void refresh(const std::shared_ptr<const engine::MetricsStore>& store, const QString& runName, long step = -1);
  [[nodiscard]] TensorTableModel* model() const { return model_; }
  [[nodiscard]] QTableView* view() const { return view_; }

 protected:
  void changeEvent(QEvent* event) override;  // rows as tall as the (presentation) font needs
  void resizeEvent(QResizeEvent* event) override;

 private:
  // Columns share the width when their contents fit, else take what they need and scroll
  // (large presentation text): a number is never cut to "0.…".
  void fitColumns();
  int fittedRows_ = -1;
  TensorTableModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QTableView* view_ = nullptr;
  QLabel* heading_ = nullptr;
  QString headingText_;  // what heading_ shows (setText only on a change)
  std::shared_ptr<const engine::MetricsStore> store_;  // keeps the rows' store alive
};

}  // namespace larslab::ui
