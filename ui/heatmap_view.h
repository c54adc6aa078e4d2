#pragma once
// The heatmap: rows = tensors in network order (or, in the other mode, the runs for one
// tensor), columns = steps, colour = a chosen per-tensor quantity on a log colour scale. The
// compact view for many layers: where a line chart of 30 tensors is a tangle, a row per tensor
// shows which layers' ratios drift apart and when.
//
// Columns: the recorded steps are cut into buckets of `bucketSteps()` consecutive steps (a power
// of two, the smallest that fits the plot's pixel width); a column shows the value at the LAST
// step of its bucket (the latest step for the bucket still filling), so every cell is a stored
// value exactly. When the steps outgrow the width the bucket doubles and every second column is
// kept (the last step of a doubled bucket is the last step of its second half), so a tick only
// reads the new columns.

#include <QImage>
#include <QString>
#include <optional>
#include <vector>

#include "log_scale.h"
#include "teaching_view.h"
#include "view_metrics.h"

class QComboBox;
class QLabel;

namespace larslab::ui {

class HeatmapView : public TeachingView {
  Q_OBJECT
 public:
  enum class Mode { TensorsOfRun, RunsOfTensor };
  explicit HeatmapView(QWidget* parent = nullptr);
  void showContext(const ViewContext& context) override;

  // For tests and the tooltip. Rows in drawing order (top first), columns left to right.
  [[nodiscard]] int rowCount() const { return static_cast<int>(rows_.size()); }
  [[nodiscard]] int columnCount() const { return columns_; }
  [[nodiscard]] long bucketSteps() const { return bucket_; }
  [[nodiscard]] QString rowLabel(int row) const;
  // The step cell (row, column) shows, or -1 when the row has no data there.
  [[nodiscard]] long cellStep(int row, int column) const;
  // The value cell (row, column) shows (NaN when it has none).
  [[nodiscard]] double cellValue(int row, int column) const;
  // The cell under a point of the plot (in this view's coordinates), or nullopt.
  [[nodiscard]] std::optional<std::pair<int, int>> cellAt(QPoint pos) const;
  // The column the vertical step line is drawn on: the one holding the context's step; -1 when
  // the context follows the latest step (or the step is not recorded yet).
  [[nodiscard]] int cursorColumn() const;
  // The colour of a value in the current scale (the non-finite colour for 0, inf and NaN).
  [[nodiscard]] QColor colorOf(double v) const;
  [[nodiscard]] const DecadeRange& colorRange() const { return range_; }
  // One pixel per cell (columns x rows), drawn scaled into the plot.
  [[nodiscard]] const QImage& image() const { return image_; }
  // How many cells the last showContext() read from the store (0 when nothing changed).
  [[nodiscard]] long cellsReadLastTime() const { return cellsRead_; }
  [[nodiscard]] QComboBox* metricCombo() const { return metric_; }
  [[nodiscard]] QComboBox* modeCombo() const { return mode_; }
  // Zero, infinite and NaN cells.
  static QColor nonFiniteColor();

 private:
  class Canvas;
  friend class Canvas;
  struct Row {
    int run = 0;
    int tensor = 0;
    QString label;
    std::vector<double> cells;
    long complete = 0;  // leading columns whose bucket is full (they never change)
  };
  void reset();
  // Reads what is new since the last call (everything after a reset) and repaints if it changed.
  void extend();
  // Colours the cells from `fromColumn` on (all of them when the colour scale changed).
  void recolor(std::size_t fromColumn = 0);
  [[nodiscard]] const ViewMetric& metric() const;

  QComboBox* metric_;
  QComboBox* mode_;
  QLabel* title_;
  Canvas* canvas_;
  ViewContext context_;
  std::vector<Row> rows_;
  long bucket_ = 1;
  int columns_ = 0;
  int builtWidth_ = 0;
  bool built_ = false;
  long cellsRead_ = 0;
  DecadeRange range_;
  QImage image_;  // columns_ x rows, one pixel per cell
};

}  // namespace larslab::ui
