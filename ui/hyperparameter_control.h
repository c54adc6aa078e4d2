#pragma once
// One hyperparameter as a slider plus a spin box, built from the registry's HyperparameterSpec
// (range, log scale, help). Used by the live tuning panel and the run editor.

#include <QDoubleSpinBox>
#include <QWidget>
#include <functional>
#include <string>
#include <vector>

#include "optim/optimizer.h"

class QLabel;
class QSlider;

namespace larslab::ui {

// A hyperparameter as people write it: at most 4 significant digits, plain between 0.001 and
// 9999, otherwise compact scientific ("1e-8", "2.5e-4"). Display only: values stay exact.
QString formatHyperparameter(double value);

// The values a slider stops at, so that a drag or a key press sets a number one would type.
// Log scale: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 in every decade (steps of 20-33%, evenly spaced
// on the log axis); linear: multiples of a round step of about a thousandth of the range. The
// spec's minimum and maximum are always stops, so every stop is inside [min, max].
class SliderScale {
 public:
  explicit SliderScale(const optim::HyperparameterSpec& spec);

  [[nodiscard]] int stopCount() const { return static_cast<int>(stops_.size()); }
  [[nodiscard]] double valueAt(int position) const;
  // The nearest stop (nearest on the log axis for a log scale; only 0 itself maps to a stop 0).
  [[nodiscard]] int positionOf(double value) const;
  // The stop `steps` stops away from `value`; from a value between two stops (typed), one step
  // goes to the neighbouring stop in that direction. Clamped to the first and last stop.
  [[nodiscard]] double step(double value, int steps) const;
  // Page Up/Down: a decade on a log scale, a tenth of the range on a linear one.
  [[nodiscard]] int pageSteps() const { return pageSteps_; }

 private:
  std::vector<double> stops_;  // ascending, first = spec min, last = spec max
  bool log_ = false;
  int pageSteps_ = 1;
};

// A spin box that shows and accepts scientific notation (1e-3), shows at most 4 significant
// digits but keeps the exact value, and steps from stop to stop of its SliderScale.
class ScientificSpinBox : public QDoubleSpinBox {
  Q_OBJECT
 public:
  explicit ScientificSpinBox(QWidget* parent = nullptr);
  // Where the arrows, the wheel and Up/Down go from a value; without one, by 1% of the range.
  void setStepper(std::function<double(double value, int steps)> stepper) { stepper_ = std::move(stepper); }
  // What makes a typed value unacceptable ("must be in [0, 1], got 5"), empty when it is fine;
  // without one, the spin box's own range decides.
  void setRule(std::function<std::string(double)> rule) { rule_ = std::move(rule); }
  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& input, int& pos) const override;
  void stepBy(int steps) override;

 private:
  std::function<double(double, int)> stepper_;
  std::function<std::string(double)> rule_;
};

class HyperparameterControl : public QWidget {
  Q_OBJECT
 public:
  explicit HyperparameterControl(const optim::HyperparameterSpec& spec, bool showSlider = true,
                                 QWidget* parent = nullptr);

  [[nodiscard]] const optim::HyperparameterSpec& spec() const { return spec_; }
  [[nodiscard]] const SliderScale& scale() const { return scale_; }
  // The exact value (what the spin box shows while the slider is dragged).
  [[nodiscard]] double value() const;
  // Programmatic update: no valueEdited signal. Ignored while the user is dragging the slider.
  void setValue(double value);
  [[nodiscard]] QSlider* slider() const { return slider_; }
  [[nodiscard]] ScientificSpinBox* spinBox() const { return spin_; }
  // Under the control: why a typed value was not taken (its range), hidden otherwise.
  [[nodiscard]] QLabel* problemLabel() const { return problem_; }

  // Slider position (0 .. scale().stopCount() - 1) <-> value.
  [[nodiscard]] double valueAt(int position) const { return scale_.valueAt(position); }
  [[nodiscard]] int positionOf(double value) const { return scale_.positionOf(value); }

 Q_SIGNALS:
  // The user changed the value: once when a slider drag ends, once per key, wheel or arrow
  // step, once per accepted typed value; never for a value equal to the current one.
  void valueEdited(double value);

 private:
  void onSliderAction(int action);
  void onSliderMoved(int position);
  void onSliderReleased();
  void onSpinChanged(double value);
  void commit(double value);
  void showValue(double value);
  void checkTyped(const QString& text);
  void showProblem(const QString& text);

  optim::HyperparameterSpec spec_;
  SliderScale scale_;
  QSlider* slider_ = nullptr;
  ScientificSpinBox* spin_ = nullptr;
  QLabel* problem_ = nullptr;
  double current_ = 0.0;  // the value last set or emitted: an edit to it is not an edit
  bool updating_ = false;
};

}  // namespace larslab::ui
