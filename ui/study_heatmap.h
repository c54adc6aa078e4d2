#pragma once
// One run of a grid study as a heatmap: a cell per (x value, y value), coloured by the mean over
// seeds of the chosen result (viridis, on a scale shared by every run of the study so that two
// heatmaps compare at a glance) and labelled with its value; a cell whose configurations all
// diverged or blew up says so in red, a skipped one names why in its tooltip. Clicking a cell
// asks for its training curves.

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

namespace larslab::ui {

struct HeatmapCell {
  double value = 0.0;  // mean over the seeds with a finite value; NaN when none has one
  int seeds = 0;       // configurations at this cell
  int failed = 0;      // diverged, blew up or cancelled
  int skipped = 0;     // refused by the session (e.g. a scaled lr out of range)
  QString detail;      // tooltip: statuses of the failed and skipped configurations
};

class StudyHeatmap : public QWidget {
  Q_OBJECT

 public:
  explicit StudyHeatmap(QWidget* parent = nullptr);
  // cells[y * xValues.size() + x]; `low`..`high` is the colour scale; `higherIsBetter` picks the
  // bright end (accuracy) or the dark end (loss) as best.
  void setGrid(const QString& title, const QString& xName, const std::vector<double>& xValues,
               const QString& yName, const std::vector<double>& yValues, std::vector<HeatmapCell> cells,
               double low, double high, bool higherIsBetter);
  [[nodiscard]] const HeatmapCell& cell(int x, int y) const;
  [[nodiscard]] QString cellText(int x, int y) const;  // what the cell shows
  // The cell under a point of this widget, as (x index, y index).
  [[nodiscard]] std::optional<std::pair<int, int>> cellAt(QPoint pos) const;
  [[nodiscard]] QRect cellRect(int x, int y) const;
  [[nodiscard]] QSize minimumSizeHint() const override;
  void setSelected(std::optional<std::pair<int, int>> cell);

 Q_SIGNALS:
  void cellClicked(int x, int y);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  bool event(QEvent* event) override;  // tooltips

 private:
  [[nodiscard]] QRect plotRect() const;
  [[nodiscard]] QColor colorOf(double v) const;

  QString title_, xName_, yName_;
  std::vector<double> xValues_, yValues_;
  std::vector<HeatmapCell> cells_;
  double low_ = 0.0, high_ = 1.0;
  bool higherIsBetter_ = true;
  std::optional<std::pair<int, int>> selected_;
};

// How a grid value is written on an axis: "0.001", "2.5", "1e-05".
QString gridValueLabel(double v);

}  // namespace larslab::ui
