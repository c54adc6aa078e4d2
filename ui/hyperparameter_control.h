#pragma once
// One hyperparameter as a slider plus a spin box, built from the registry's HyperparameterSpec
// (range, log scale, help). Used by the live tuning panel and the run editor.

#include <QDoubleSpinBox>
#include <QWidget>
#include <functional>
#include <string>

#include "optim/optimizer.h"

class QLabel;
class QSlider;
class QTimer;

namespace larslab::ui {

// A spin box that shows and accepts scientific notation (1e-3), steps multiplicatively on a
// log scale, and never rounds small values away.
class ScientificSpinBox : public QDoubleSpinBox {
  Q_OBJECT
 public:
  explicit ScientificSpinBox(QWidget* parent = nullptr);
  void setLogScale(bool on) { logScale_ = on; }
  // What makes a typed value unacceptable ("must be in [0, 1], got 5"), empty when it is fine;
  // without one, the spin box's own range decides.
  void setRule(std::function<std::string(double)> rule) { rule_ = std::move(rule); }
  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& input, int& pos) const override;
  void stepBy(int steps) override;

 private:
  bool logScale_ = false;
  std::function<std::string(double)> rule_;
};

class HyperparameterControl : public QWidget {
  Q_OBJECT
 public:
  explicit HyperparameterControl(const optim::HyperparameterSpec& spec, bool showSlider = true,
                                 QWidget* parent = nullptr);

  [[nodiscard]] const optim::HyperparameterSpec& spec() const { return spec_; }
  [[nodiscard]] double value() const;
  // Programmatic update: no valueEdited signal. Ignored while the user is dragging the slider.
  void setValue(double value);
  [[nodiscard]] QSlider* slider() const { return slider_; }
  [[nodiscard]] ScientificSpinBox* spinBox() const { return spin_; }
  // Under the control: why a typed value was not taken (its range), hidden otherwise.
  [[nodiscard]] QLabel* problemLabel() const { return problem_; }

  // Slider position (0..kSliderSteps) <-> value, log or linear as the spec says.
  [[nodiscard]] double valueAt(int position) const;
  [[nodiscard]] int positionOf(double value) const;
  static constexpr int kSliderSteps = 1000;

 Q_SIGNALS:
  // The user changed the value (slider released or moved by keyboard, spin box edited). While
  // the slider is dragged this fires at most a few times per second.
  void valueEdited(double value);

 private:
  void onSliderMoved(int position);
  void onSliderReleased();
  void onSpinChanged(double value);
  void emitEdited(double value);
  void checkTyped(const QString& text);
  void showProblem(const QString& text);

  optim::HyperparameterSpec spec_;
  double logLow_ = 0.0;  // lowest positive value reachable on a log slider
  QSlider* slider_ = nullptr;
  ScientificSpinBox* spin_ = nullptr;
  QLabel* problem_ = nullptr;
  QTimer* dragThrottle_ = nullptr;
  double pendingDragValue_ = 0.0;
  bool updating_ = false;
};

}  // namespace larslab::ui
