#include "hyperparameter_control.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include "text/format.h"

namespace larslab::ui {

namespace {

// mantissa x 10^exponent as the double nearest to that decimal, so that a stop prints (and is
// logged by the engine) as "0.0012", not "0.0012000000000000001".
double decimal(long long mantissa, int exponent) {
  const std::string text = std::to_string(mantissa) + "e" + std::to_string(exponent);
  double value = 0.0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// The mantissas of a decade's stops, times ten (a Renard-like series of round numbers).
constexpr std::array<int, 10> kDecadeStops = {10, 12, 15, 20, 25, 30, 40, 50, 60, 80};

// A slider that knows when a mouse gesture ends: a drag of the handle and a press-and-hold on
// the groove (which pages repeatedly) each give one edit, when the button is released.
class GestureSlider : public QSlider {
 public:
  GestureSlider(std::function<void()> ended, QWidget* parent)
      : QSlider(Qt::Horizontal, parent), ended_(std::move(ended)) {}
  [[nodiscard]] bool inGesture() const { return inGesture_; }

 protected:
  void mousePressEvent(QMouseEvent* event) override {
    inGesture_ = true;
    QSlider::mousePressEvent(event);
  }
  void mouseReleaseEvent(QMouseEvent* event) override {
    QSlider::mouseReleaseEvent(event);
    if (inGesture_ && event->buttons() == Qt::NoButton) {
      inGesture_ = false;
      ended_();
    }
  }

 private:
  std::function<void()> ended_;
  bool inGesture_ = false;
};

bool dragging(const QSlider* slider) {
  if (slider == nullptr) return false;
  const auto* gesture = static_cast<const GestureSlider*>(slider);
  return slider->isSliderDown() || gesture->inGesture();
}

}  // namespace

QString formatHyperparameter(double value) { return QString::fromStdString(text::formatShort(value)); }

// ---- SliderScale ------------------------------------------------------------------------------

SliderScale::SliderScale(const optim::HyperparameterSpec& spec) : log_(spec.logScale) {
  const double lo = spec.minValue;
  const double hi = spec.maxValue;
  stops_.push_back(lo);
  if (hi > lo && log_ && hi > 0) {
    // A log axis cannot reach 0: when the minimum is 0 ("off"), the first stop after it lies six
    // decades below the maximum, or two below the default if that is lower.
    double lowest = lo;
    if (lo <= 0) {
      lowest = hi * 1e-6;
      if (spec.defaultValue > 0) lowest = std::min(lowest, spec.defaultValue / 100.0);
      lowest *= 1.0 - 1e-9;  // 1e-8 / 100 is a hair above 1e-10: keep that stop
    }
    for (int decade = static_cast<int>(std::floor(std::log10(lowest))) - 1;; ++decade) {
      bool past = false;
      for (const int m : kDecadeStops) {
        const double v = decimal(m, decade - 1);
        if (v > hi) {
          past = true;
          break;
        }
        if (v >= lowest && v > stops_.back()) stops_.push_back(v);
      }
      if (past) break;
    }
    pageSteps_ = static_cast<int>(kDecadeStops.size());
  } else if (hi > lo) {
    const int exponent = static_cast<int>(std::floor(std::log10(hi - lo))) - 2;
    for (auto k = static_cast<long long>(std::ceil(lo / std::pow(10.0, exponent)));; ++k) {
      const double v = decimal(k, exponent);
      if (v > hi) break;
      if (v > stops_.back()) stops_.push_back(v);
    }
    pageSteps_ = std::max(1, (stopCount() - 1) / 10);
  }
  if (stops_.back() < hi) stops_.push_back(hi);
}

double SliderScale::valueAt(int position) const {
  return stops_[static_cast<std::size_t>(std::clamp(position, 0, stopCount() - 1))];
}

int SliderScale::positionOf(double value) const {
  if (!(value > stops_.front())) return 0;
  if (value >= stops_.back()) return stopCount() - 1;
  const auto i = static_cast<int>(std::upper_bound(stops_.begin(), stops_.end(), value) - stops_.begin());
  const double below = stops_[static_cast<std::size_t>(i - 1)];
  const double above = stops_[static_cast<std::size_t>(i)];
  // On a log axis the midpoint is the geometric mean; nothing but 0 itself is near a stop 0.
  const bool nearerAbove = log_ ? (below <= 0 || value * value > below * above) : (value - below > above - value);
  return nearerAbove ? i : i - 1;
}

double SliderScale::step(double value, int steps) const {
  if (steps == 0 || std::isnan(value)) return value;
  const int last = stopCount() - 1;
  if (steps > 0) {
    const auto above = static_cast<int>(std::upper_bound(stops_.begin(), stops_.end(), value) - stops_.begin());
    return valueAt(std::min(above + steps - 1, last));
  }
  const auto below = static_cast<int>(std::lower_bound(stops_.begin(), stops_.end(), value) - stops_.begin()) - 1;
  return valueAt(std::max(below + steps + 1, 0));
}

// ---- ScientificSpinBox ------------------------------------------------------------------------

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  // QDoubleSpinBox rounds every value to `decimals` places; its largest setting keeps a typed
  // 1.2345e-9 exact. The text shown comes from textFromValue, not from decimals.
  setDecimals(323);
  setKeyboardTracking(false);
  setAccelerated(true);
  setButtonSymbols(QAbstractSpinBox::UpDownArrows);
}

QString ScientificSpinBox::textFromValue(double value) const { return formatHyperparameter(value); }

double ScientificSpinBox::valueFromText(const QString& text) const {
  // The shown text of the exact value is rounded: reading it back (Enter, focus out) must not
  // replace 0.0012345 by 0.001235.
  const QString t = text.trimmed();
  if (t == textFromValue(value())) return value();
  bool ok = false;
  const double v = t.toDouble(&ok);
  return ok ? v : value();
}

QValidator::State ScientificSpinBox::validate(QString& input, int& /*pos*/) const {
  const QString t = input.trimmed();
  if (t.isEmpty()) return QValidator::Intermediate;
  if (t == textFromValue(value())) return QValidator::Acceptable;  // 0.99999 shows as "1"
  bool ok = false;
  const double v = t.toDouble(&ok);
  if (ok) {
    const bool acceptable = rule_ ? rule_(v).empty() : (v >= minimum() && v <= maximum());
    return acceptable ? QValidator::Acceptable : QValidator::Intermediate;
  }
  static const QRegularExpression partial(QStringLiteral("^[+-]?\\d*\\.?\\d*([eE][+-]?\\d*)?$"));
  return partial.match(t).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

void ScientificSpinBox::stepBy(int steps) {
  if (!stepper_) {
    QDoubleSpinBox::stepBy(steps);
    return;
  }
  setValue(std::clamp(stepper_(value(), steps), minimum(), maximum()));
  Q_EMIT editingFinished();
}

// ---- HyperparameterControl --------------------------------------------------------------------

HyperparameterControl::HyperparameterControl(const optim::HyperparameterSpec& spec, bool showSlider,
                                             QWidget* parent)
    : QWidget(parent), spec_(spec), scale_(spec) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(2);
  auto* layout = new QHBoxLayout;
  layout->setContentsMargins(0, 0, 0, 0);
  outer->addLayout(layout);
  const QString tip = QString::fromStdString(spec_.help);
  if (showSlider) {
    slider_ = new GestureSlider([this] { onSliderReleased(); }, this);
    slider_->setRange(0, scale_.stopCount() - 1);
    slider_->setSingleStep(1);
    slider_->setPageStep(scale_.pageSteps());
    slider_->setToolTip(tip + (spec_.logScale ? tr(" (log scale)") : QString()));
    slider_->setObjectName(QString::fromStdString("slider_" + spec_.name));
    slider_->setMinimumWidth(90);
    layout->addWidget(slider_, 1);
    connect(slider_, &QSlider::actionTriggered, this, &HyperparameterControl::onSliderAction);
    connect(slider_, &QSlider::valueChanged, this, &HyperparameterControl::onSliderMoved);
    // Released without a mouse (setSliderDown, accessibility); a mouse release is the gesture's.
    connect(slider_, &QSlider::sliderReleased, this, [this] {
      if (!dragging(slider_)) onSliderReleased();
    });
  }
  spin_ = new ScientificSpinBox(this);
  spin_->setRange(spec_.minValue, spec_.maxValue);
  spin_->setStepper([scale = scale_](double v, int steps) { return scale.step(v, steps); });
  // The engine's rule, so the control accepts exactly what the session will.
  spin_->setRule([spec = spec_](double v) { return optim::hyperparameterProblem(spec, v); });
  spin_->setToolTip(tip);
  spin_->setObjectName(QString::fromStdString("spin_" + spec_.name));
  spin_->setMinimumWidth(84);
  layout->addWidget(spin_, showSlider ? 0 : 1);
  connect(spin_, &QDoubleSpinBox::valueChanged, this, &HyperparameterControl::onSpinChanged);
  connect(spin_->findChild<QLineEdit*>(), &QLineEdit::textEdited, this, &HyperparameterControl::checkTyped);
  problem_ = new QLabel(this);
  problem_->setObjectName(QString::fromStdString("problem_" + spec_.name));
  problem_->setWordWrap(true);
  problem_->setTextFormat(Qt::PlainText);
  QPalette warn = problem_->palette();
  warn.setColor(QPalette::WindowText, QColor(0xd6, 0x27, 0x28));
  problem_->setPalette(warn);
  problem_->setVisible(false);
  outer->addWidget(problem_);
  setToolTip(tip);
  current_ = spec_.defaultValue;
  showValue(current_);
}

double HyperparameterControl::value() const { return spin_->value(); }

void HyperparameterControl::setValue(double value) {
  if (dragging(slider_)) return;
  // The tuning panel re-sends the applied value: that keeps a shown problem.
  if (value != current_) showProblem({});
  current_ = value;
  showValue(value);
}

void HyperparameterControl::showValue(double value) {
  updating_ = true;
  spin_->setValue(value);
  if (slider_) slider_->setValue(positionOf(value));
  updating_ = false;
  // The box shows 4 digits; a typed value keeps all of its own, and says so.
  const QString tip = QString::fromStdString(spec_.help);
  const double shown = formatHyperparameter(spin_->value()).toDouble();
  spin_->setToolTip(shown == spin_->value() ? tip
                                            : tip + QLatin1Char('\n') +
                                                  tr("Exact value: %1").arg(QString::fromStdString(text::formatNumber(spin_->value()))));
}

// Keys, the wheel and groove clicks step from the exact value to its neighbouring stop, so a
// typed 0.0013 goes to 0.0015 or 0.0012, never to the stop it was shown near and back.
void HyperparameterControl::onSliderAction(int action) {
  int steps = 0;
  switch (action) {
    case QAbstractSlider::SliderSingleStepAdd: steps = 1; break;
    case QAbstractSlider::SliderSingleStepSub: steps = -1; break;
    case QAbstractSlider::SliderPageStepAdd: steps = scale_.pageSteps(); break;
    case QAbstractSlider::SliderPageStepSub: steps = -scale_.pageSteps(); break;
    case QAbstractSlider::SliderMove:
      if (slider_->isSliderDown()) return;  // the handle follows the mouse
      steps = slider_->sliderPosition() - slider_->value();  // the wheel
      break;
    default: return;  // to the minimum or maximum: the position is already right
  }
  // Holding the mouse on the groove pages on from the value shown, not from the one before.
  const double from = dragging(slider_) ? valueAt(slider_->value()) : current_;
  if (steps != 0) slider_->setSliderPosition(positionOf(scale_.step(from, steps)));
}

void HyperparameterControl::onSliderMoved(int position) {
  if (updating_) return;
  if (dragging(slider_)) {
    // Show what releasing here would set; the edit itself waits for the release.
    updating_ = true;
    spin_->setValue(valueAt(position));
    updating_ = false;
    return;
  }
  commit(valueAt(position));  // a key, the wheel, or programmatic from a test
}

void HyperparameterControl::onSliderReleased() {
  // Back on the stop the current value is shown at (or never moved): a typed 0.0012345 stays.
  if (slider_->value() == positionOf(current_)) {
    showValue(current_);
    return;
  }
  commit(valueAt(slider_->value()));
}

void HyperparameterControl::onSpinChanged(double value) {
  if (updating_) return;
  commit(value);
}

void HyperparameterControl::commit(double value) {
  const bool changed = value != current_;
  current_ = value;
  showValue(value);
  if (!changed) return;
  showProblem({});
  Q_EMIT valueEdited(value);
}

// A typed number the rule rejects would otherwise snap back to the last value without a word
// when editing ends: say why while typing, and keep saying it after the snap-back.
void HyperparameterControl::checkTyped(const QString& text) {
  bool ok = false;
  const double v = text.trimmed().toDouble(&ok);
  const std::string problem = ok ? optim::hyperparameterProblem(spec_, v) : std::string();
  if (problem.empty()) {
    showProblem({});
    return;
  }
  showProblem(tr("%1 %2; it stays %3.")
                  .arg(QString::fromStdString(spec_.label), QString::fromStdString(problem),
                       formatHyperparameter(current_)));
}

void HyperparameterControl::showProblem(const QString& text) {
  if (problem_ == nullptr) return;
  problem_->setText(text);
  problem_->setVisible(!text.isEmpty());
}

}  // namespace larslab::ui
