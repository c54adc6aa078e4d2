#include "hyperparameter_control.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace larslab::ui {

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  setDecimals(15);  // the displayed text comes from textFromValue, not from decimals
  setKeyboardTracking(false);
  setAccelerated(true);
  setButtonSymbols(QAbstractSpinBox::UpDownArrows);
}

QString ScientificSpinBox::textFromValue(double value) const {
  if (value == 0.0) return QStringLiteral("0");
  const double a = std::fabs(value);
  if (a >= 1e-3 && a < 1e5) return QString::number(value, 'g', 4);
  return QString::number(value, 'e', 2);
}

double ScientificSpinBox::valueFromText(const QString& text) const {
  bool ok = false;
  const double v = text.trimmed().toDouble(&ok);
  return ok ? v : value();
}

QValidator::State ScientificSpinBox::validate(QString& input, int& /*pos*/) const {
  const QString t = input.trimmed();
  if (t.isEmpty()) return QValidator::Intermediate;
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
  const double v = value();
  if (logScale_ && v > 0) {
    // Ten clicks per decade.
    setValue(std::clamp(v * std::pow(10.0, 0.1 * steps), minimum(), maximum()));
  } else if (logScale_) {
    setValue(std::clamp(steps > 0 ? std::max(minimum(), maximum() * 1e-6) : 0.0, minimum(), maximum()));
  } else {
    const double span = maximum() - minimum();
    const double step = span > 0 ? std::pow(10.0, std::floor(std::log10(span)) - 2) : 0.01;
    setValue(std::clamp(v + step * steps, minimum(), maximum()));
  }
  Q_EMIT editingFinished();
}

HyperparameterControl::HyperparameterControl(const optim::HyperparameterSpec& spec, bool showSlider,
                                             QWidget* parent)
    : QWidget(parent), spec_(spec) {
  if (spec_.logScale) {
    // A log slider cannot reach 0; position 0 means "exactly the minimum" (often 0: "off").
    logLow_ = spec_.minValue > 0 ? spec_.minValue : spec_.maxValue * 1e-6;
    if (spec_.defaultValue > 0) logLow_ = std::min(logLow_, spec_.defaultValue / 100.0);
  }
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(2);
  auto* layout = new QHBoxLayout;
  layout->setContentsMargins(0, 0, 0, 0);
  outer->addLayout(layout);
  const QString tip = QString::fromStdString(spec_.help);
  if (showSlider) {
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(0, kSliderSteps);
    slider_->setToolTip(tip + (spec_.logScale ? tr(" (log scale)") : QString()));
    slider_->setObjectName(QString::fromStdString("slider_" + spec_.name));
    slider_->setMinimumWidth(90);
    layout->addWidget(slider_, 1);
    dragThrottle_ = new QTimer(this);
    dragThrottle_->setSingleShot(true);
    dragThrottle_->setInterval(200);
    connect(dragThrottle_, &QTimer::timeout, this, [this] { emitEdited(pendingDragValue_); });
    connect(slider_, &QSlider::valueChanged, this, &HyperparameterControl::onSliderMoved);
    connect(slider_, &QSlider::sliderReleased, this, &HyperparameterControl::onSliderReleased);
  }
  spin_ = new ScientificSpinBox(this);
  spin_->setRange(spec_.minValue, spec_.maxValue);
  spin_->setLogScale(spec_.logScale);
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
  setValue(spec_.defaultValue);
}

double HyperparameterControl::value() const { return spin_->value(); }

double HyperparameterControl::valueAt(int position) const {
  const double t = std::clamp(position, 0, kSliderSteps) / static_cast<double>(kSliderSteps);
  if (spec_.logScale) {
    if (position <= 0) return spec_.minValue;
    const double hi = spec_.maxValue;
    return std::clamp(logLow_ * std::pow(hi / logLow_, t), spec_.minValue, spec_.maxValue);
  }
  return spec_.minValue + t * (spec_.maxValue - spec_.minValue);
}

int HyperparameterControl::positionOf(double value) const {
  double t = 0.0;
  if (spec_.logScale) {
    if (value <= spec_.minValue || value <= 0) return 0;
    t = std::log(std::max(value, logLow_) / logLow_) / std::log(spec_.maxValue / logLow_);
    // Keep nonzero values off position 0, which means "minimum".
    return std::clamp(static_cast<int>(std::lround(t * kSliderSteps)), 1, kSliderSteps);
  }
  const double span = spec_.maxValue - spec_.minValue;
  t = span > 0 ? (value - spec_.minValue) / span : 0.0;
  return std::clamp(static_cast<int>(std::lround(t * kSliderSteps)), 0, kSliderSteps);
}

void HyperparameterControl::setValue(double value) {
  if (slider_ && slider_->isSliderDown()) return;
  // The tuning panel re-sends the applied value every tick: that keeps a shown problem.
  if (value != spin_->value()) showProblem({});
  updating_ = true;
  spin_->setValue(value);
  if (slider_) slider_->setValue(positionOf(value));
  updating_ = false;
}

void HyperparameterControl::onSliderMoved(int position) {
  if (updating_) return;
  const double v = valueAt(position);
  updating_ = true;
  spin_->setValue(v);
  updating_ = false;
  if (slider_->isSliderDown()) {
    pendingDragValue_ = v;
    if (!dragThrottle_->isActive()) dragThrottle_->start();
  } else {
    emitEdited(v);  // keyboard, wheel, click on the groove, or programmatic from a test
  }
}

void HyperparameterControl::onSliderReleased() {
  dragThrottle_->stop();
  emitEdited(valueAt(slider_->value()));
}

void HyperparameterControl::onSpinChanged(double value) {
  if (updating_) return;
  if (slider_) {
    updating_ = true;
    slider_->setValue(positionOf(value));
    updating_ = false;
  }
  emitEdited(value);
}

void HyperparameterControl::emitEdited(double value) {
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
                       spin_->textFromValue(spin_->value())));
}

void HyperparameterControl::showProblem(const QString& text) {
  if (problem_ == nullptr) return;
  problem_->setText(text);
  problem_->setVisible(!text.isEmpty());
}

}  // namespace larslab::ui
