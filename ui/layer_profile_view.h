#pragma once
// The layer profile: at one step, one chosen per-tensor quantity (‖w‖/‖g‖, the trust ratio,
// ‖Δw‖/‖w‖, ...) for every tensor in network order on a log axis, every run side by side. It is
// the LARS paper's argument as a picture: ‖w‖/‖g‖ differs by orders of magnitude from layer to
// layer, so one global learning rate cannot suit them all; under LARS the update ratios line up.

#include <QString>
#include <QVector>
#include <memory>
#include <vector>

#include "teaching_view.h"
#include "view_metrics.h"

class QCheckBox;
class QComboBox;
class QLabel;

namespace larslab::ui {

class RunColorMap;

class LayerProfileView : public TeachingView {
  Q_OBJECT
 public:
  // `colors` (may be null: palette order) gives each run the colour it has in the charts.
  explicit LayerProfileView(RunColorMap* colors, QWidget* parent = nullptr);
  void showContext(const ViewContext& context) override;

  // What is plotted (for tests and the tooltip): the value of (store run, tensor) at the run's
  // plotted step, and at step 0 (the ghost dots); NaN where the run has no such step.
  [[nodiscard]] double plottedValue(int run, int tensor) const;
  [[nodiscard]] double ghostValue(int run, int tensor) const;
  // The step plotted for `run` (the context's step, or the run's latest); -1 when it has none.
  [[nodiscard]] long plottedStep(int run) const;
  // "‖w‖/‖g‖ spans 13.3x across weight tensors at step 0; 210x at step 400 (LARS)."
  [[nodiscard]] QString spreadText() const;
  [[nodiscard]] QComboBox* metricCombo() const { return metric_; }
  [[nodiscard]] QCheckBox* ghostCheck() const { return ghost_; }
  // The max/min ratio of the loggable values of `run`'s weight tensors at `step`; NaN when fewer
  // than two are loggable.
  [[nodiscard]] double weightSpread(int run, long step) const;

 private:
  class Canvas;
  friend class Canvas;
  struct Plotted {
    QString name;
    QColor color;
    long step = -1;
    std::vector<double> values;  // per tensor
    std::vector<double> ghosts;  // per tensor, at step 0
  };
  void rebuild();
  [[nodiscard]] const ViewMetric& metric() const;

  RunColorMap* colors_;
  QComboBox* metric_;
  QCheckBox* ghost_;
  QLabel* spread_;
  Canvas* canvas_;
  ViewContext context_;
  std::vector<Plotted> runs_;  // by store run index
  int selected_ = -1;          // store index of context_.run
};

}  // namespace larslab::ui
