#pragma once
// The decision boundary (TensorFlow Playground's teaching device) for datasets with two input
// features: for every run side by side, the class the model predicts over the input plane, with
// the training points (filled) and test points (hollow) on top; a regression model's output as a
// blue-white-red colour scale. While training it is redrawn a few times a second from the latest
// kept weights; at a scrubbed step from the copy kept at or before it (engine/weight_history.h),
// whose step each panel names.

#include <QImage>
#include <QString>
#include <memory>
#include <vector>

#include "engine/decision_plane.h"
#include "teaching_view.h"

namespace larslab::ui {

class DecisionBoundaryView : public TeachingView {
  Q_OBJECT
 public:
  explicit DecisionBoundaryView(QWidget* parent = nullptr);
  void showContext(const ViewContext& context) override;

  // One panel per run, in store order (for tests and the caption).
  struct Panel {
    QString run;
    long step = -1;        // the step of the weights drawn; -1: none kept
    std::vector<float> cells;  // engine::predictPlane, row-major from the plane's y0
    QImage image;
  };
  [[nodiscard]] const std::vector<Panel>& panels() const { return panels_; }
  [[nodiscard]] const engine::PlaneGrid& grid() const { return grid_; }
  [[nodiscard]] QString message() const { return message_; }  // why nothing is drawn, or empty

  static constexpr int kCells = 72;        // cells per side

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  static QString noSessionMessage();
  QImage imageOf(const std::vector<float>& cells, bool classify) const;

  std::shared_ptr<const engine::Session> session_;
  engine::PlaneGrid grid_;
  std::vector<Panel> panels_;
  std::vector<const void*> drawnSnapshots_;  // what each panel was computed from
  long step_ = -1;
  bool classify_ = true;
  int classes_ = 0;
  double regressionScale_ = 1.0;  // |value| that maps to full blue or red
  QString message_;
};

}  // namespace larslab::ui
