// Live tuning as a user drives it: a slider drag sets one round value when the mouse is
// released (and the engine logs one event for it), keys and the wheel step from stop to stop,
// an edit to the current value is no edit, and numbers show at most 4 significant digits
// while a typed value stays exact.

#include <gtest/gtest.h>

#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>
#include <cmath>
#include <memory>
#include <string>

#include "engine/metrics_store.h"
#include "engine/session.h"
#include "hyperparameter_control.h"
#include "main_window.h"
#include "optim/optimizer.h"
#include "text/format.h"
#include "tuning_panel.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;

const optim::HyperparameterSpec& spec(const std::string& optimizer, const std::string& name) {
  return *optim::findOptimizer(optimizer)->findHyperparameter(name);
}

// Significant digits of the shortest text that reads back as `value` ("0.0012" has 2).
int significantDigits(double value) {
  std::string t = text::formatNumber(value);
  if (const auto e = t.find_first_of("eE"); e != std::string::npos) t.resize(e);
  std::string digits;
  for (const char c : t)
    if (c >= '0' && c <= '9') digits += c;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  digits = digits.substr(first);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return static_cast<int>(digits.size());
}

// Significant digits printed in a shown text ("1.235e-8" has 4, "0.0012" has 2).
int shownDigits(const QString& text) {
  QString mantissa = text.section(QLatin1Char('e'), 0, 0);
  mantissa.remove(QLatin1Char('-')).remove(QLatin1Char('.'));
  while (mantissa.startsWith(QLatin1Char('0'))) mantissa.remove(0, 1);
  while (mantissa.endsWith(QLatin1Char('0'))) mantissa.chop(1);
  return static_cast<int>(mantissa.size());
}

QPoint handleCentre(QSlider* slider) {
  QStyleOptionSlider opt;
  opt.initFrom(slider);
  opt.orientation = slider->orientation();
  opt.minimum = slider->minimum();
  opt.maximum = slider->maximum();
  opt.sliderPosition = slider->sliderPosition();
  opt.sliderValue = slider->value();
  opt.singleStep = slider->singleStep();
  opt.pageStep = slider->pageStep();
  opt.upsideDown = slider->invertedAppearance();
  opt.subControls = QStyle::SC_All;
  return slider->style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, slider).center();
}

// Presses the handle, moves the mouse in `moves` steps of `dx` pixels, releases it.
void drag(QSlider* slider, int dx, int moves, const std::function<void()>& midway = {}) {
  QPoint at = handleCentre(slider);
  QTest::mousePress(slider, Qt::LeftButton, Qt::NoModifier, at);
  for (int i = 0; i < moves; ++i) {
    at.rx() += dx;
    QTest::mouseMove(slider, at);
  }
  if (midway) midway();
  QTest::mouseRelease(slider, Qt::LeftButton, Qt::NoModifier, at);
}

void type(HyperparameterControl& control, const QString& text) {
  control.spinBox()->setFocus();
  control.spinBox()->findChild<QLineEdit*>()->selectAll();
  QTest::keyClicks(control.spinBox(), text);
  QTest::keyClick(control.spinBox(), Qt::Key_Return);
}

// ---- The stops -------------------------------------------------------------------------------

TEST(SliderScale, EveryStopOfEveryRegisteredHyperparameterIsRoundAndInsideItsRange) {
  for (const optim::OptimizerInfo& info : optim::optimizerRegistry()) {
    for (const optim::HyperparameterSpec& h : info.hyperparameters) {
      SCOPED_TRACE(info.type + "." + h.name);
      const SliderScale scale(h);
      ASSERT_GE(scale.stopCount(), 2);
      EXPECT_EQ(scale.valueAt(0), h.minValue);
      EXPECT_EQ(scale.valueAt(scale.stopCount() - 1), h.maxValue);
      EXPECT_LE(scale.stopCount(), h.logScale ? 120 : 1001) << "a pixel or more per stop";
      for (int p = 0; p < scale.stopCount(); ++p) {
        const double v = scale.valueAt(p);
        EXPECT_GE(v, h.minValue);
        EXPECT_LE(v, h.maxValue);
        EXPECT_TRUE(optim::hyperparameterProblem(h, v).empty()) << v;
        if (p > 0) {
          EXPECT_GT(v, scale.valueAt(p - 1));
        }
        EXPECT_EQ(scale.positionOf(v), p) << v;
        if (p == 0 || p == scale.stopCount() - 1) continue;
        EXPECT_LE(significantDigits(v), h.logScale ? 2 : 3) << text::formatNumber(v);
      }
    }
  }
}

TEST(SliderScale, ALogScaleStopsAtTenRoundNumbersPerDecade) {
  const SliderScale eta(spec("lars", "eta"));  // [1e-6, 1]
  std::vector<double> decade;
  for (int p = eta.positionOf(1e-3); eta.valueAt(p) < 1e-2; ++p) decade.push_back(eta.valueAt(p));
  EXPECT_EQ(decade, (std::vector<double>{0.001, 0.0012, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.008}));
  EXPECT_EQ(eta.pageSteps(), 10);
  // From a typed value between stops, a step goes to the neighbour in that direction.
  EXPECT_EQ(eta.step(0.0013, 1), 0.0015);
  EXPECT_EQ(eta.step(0.0013, -1), 0.0012);
  EXPECT_EQ(eta.step(0.0012, 1), 0.0015);
  EXPECT_EQ(eta.step(0.0012, -2), 0.0008);
  EXPECT_EQ(eta.step(0.002, 10), 0.02);
  EXPECT_EQ(eta.step(1.0, 1), 1.0) << "clamped to the maximum";
  EXPECT_EQ(eta.step(1e-6, -1), 1e-6) << "clamped to the minimum";
  EXPECT_EQ(eta.positionOf(0.00134), eta.positionOf(0.0012)) << "nearest on the log axis";
  EXPECT_EQ(eta.positionOf(0.00135), eta.positionOf(0.0015));

  // A minimum of 0 ("off") is its own stop; only 0 is shown there.
  const SliderScale decay(spec("lars", "weight_decay"));  // [0, 0.1]
  EXPECT_EQ(decay.valueAt(0), 0.0);
  EXPECT_GT(decay.valueAt(1), 0.0);
  EXPECT_EQ(decay.positionOf(1e-12), 1);
  EXPECT_EQ(decay.step(0.0, 1), decay.valueAt(1));
}

TEST(SliderScale, ALinearScaleStopsAtMultiplesOfARoundStep) {
  const SliderScale momentum(spec("lars", "momentum"));  // [0, 0.999]
  EXPECT_EQ(momentum.valueAt(momentum.positionOf(0.9)), 0.9);
  EXPECT_EQ(momentum.step(0.9, 1), 0.901);
  EXPECT_EQ(momentum.step(0.9004, -1), 0.9);
  EXPECT_EQ(momentum.positionOf(0.9004), momentum.positionOf(0.9));
  EXPECT_EQ(momentum.pageSteps(), 99);
}

// ---- What is shown ---------------------------------------------------------------------------

TEST(HyperparameterDisplay, AtMostFourSignificantDigits) {
  EXPECT_EQ(formatHyperparameter(0.0), QStringLiteral("0"));
  EXPECT_EQ(formatHyperparameter(0.5), QStringLiteral("0.5"));
  EXPECT_EQ(formatHyperparameter(1.0), QStringLiteral("1"));
  EXPECT_EQ(formatHyperparameter(0.0012), QStringLiteral("0.0012"));
  EXPECT_EQ(formatHyperparameter(0.00123456), QStringLiteral("0.001235"));
  EXPECT_EQ(formatHyperparameter(1e-8), QStringLiteral("1e-8"));
  EXPECT_EQ(formatHyperparameter(2.5e-4), QStringLiteral("2.5e-4"));
  EXPECT_EQ(formatHyperparameter(1.23456789e-9), QStringLiteral("1.235e-9"));
  EXPECT_EQ(formatHyperparameter(123.456), QStringLiteral("123.5"));
  EXPECT_EQ(formatHyperparameter(9999.7), QStringLiteral("1e4"));
  EXPECT_EQ(formatHyperparameter(0.99999), QStringLiteral("1"));
  for (double v = 1.234567e-12; v < 1e6; v *= 3.7) {
    const QString shown = formatHyperparameter(v);
    EXPECT_LE(shownDigits(shown), 4) << shown.toStdString();
    EXPECT_NEAR(shown.toDouble(), v, 5e-4 * v) << shown.toStdString();
  }
}

TEST(HyperparameterControl, ATypedValueIsKeptExactWhileShownWithFourDigits) {
  app();
  HyperparameterControl control(spec("lars", "eps"));  // [0, 1e-2]
  control.show();
  QSignalSpy edited(&control, &HyperparameterControl::valueEdited);
  type(control, QStringLiteral("1.23456789e-9"));
  ASSERT_EQ(edited.count(), 1);
  EXPECT_EQ(edited.at(0).at(0).toDouble(), 1.23456789e-9);
  EXPECT_EQ(control.value(), 1.23456789e-9);
  EXPECT_EQ(control.spinBox()->text(), QStringLiteral("1.235e-9"));
  EXPECT_TRUE(control.spinBox()->toolTip().contains(QStringLiteral("1.23456789e-09"))) << "the exact value on demand";

  // Enter on the shown (rounded) text, and leaving the box, change nothing.
  QTest::keyClick(control.spinBox(), Qt::Key_Return);
  control.spinBox()->clearFocus();
  EXPECT_EQ(control.value(), 1.23456789e-9);
  EXPECT_EQ(edited.count(), 1);

  // The engine sends the value back: still exact, still no edit.
  control.setValue(1.23456789e-9);
  EXPECT_EQ(control.value(), 1.23456789e-9);
  EXPECT_EQ(edited.count(), 1);
}

TEST(HyperparameterControl, AValueNearTheMaximumShownRoundedIsKeptOnEnter) {
  app();
  HyperparameterControl control(spec("adam", "beta2"));  // [0, 0.99999]
  control.show();
  control.setValue(0.99999);
  EXPECT_EQ(control.spinBox()->text(), QStringLiteral("1"));
  QSignalSpy edited(&control, &HyperparameterControl::valueEdited);
  control.spinBox()->setFocus();
  QTest::keyClick(control.spinBox(), Qt::Key_Return);
  EXPECT_EQ(control.value(), 0.99999);
  EXPECT_EQ(edited.count(), 0);
  EXPECT_FALSE(control.problemLabel()->isVisibleTo(&control));
}

// ---- Edits: one per gesture, none for the current value ---------------------------------------

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app();
    control_ = std::make_unique<HyperparameterControl>(spec("lars", "eta"));
    control_->resize(400, control_->sizeHint().height());
    control_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(control_.get()));
    control_->setValue(0.01);
    edited_ = std::make_unique<QSignalSpy>(control_.get(), &HyperparameterControl::valueEdited);
  }
  [[nodiscard]] QSlider* slider() const { return control_->slider(); }
  [[nodiscard]] double lastEdit() const { return edited_->last().at(0).toDouble(); }

  std::unique_ptr<HyperparameterControl> control_;
  std::unique_ptr<QSignalSpy> edited_;
};

TEST_F(ControlTest, AMouseDragEmitsOneRoundValueWhenReleased) {
  const int start = slider()->value();
  double shownMidway = 0.0;
  int editsMidway = -1;
  drag(slider(), 7, 6, [&] {
    shownMidway = control_->value();
    editsMidway = static_cast<int>(edited_->count());
  });
  ASSERT_GT(slider()->value(), start) << "the drag moved the handle";
  EXPECT_EQ(editsMidway, 0) << "nothing is sent while the button is held";
  ASSERT_EQ(edited_->count(), 1);
  const double v = lastEdit();
  EXPECT_GT(v, 0.01);
  EXPECT_LE(significantDigits(v), 2) << v;
  EXPECT_EQ(v, shownMidway) << "the box showed what the release set";
  EXPECT_EQ(control_->value(), v);
  EXPECT_EQ(control_->spinBox()->text(), formatHyperparameter(v));
}

TEST_F(ControlTest, ADragBackToWhereItStartedEmitsNothing) {
  QPoint at = handleCentre(slider());
  const QPoint start = at;
  QTest::mousePress(slider(), Qt::LeftButton, Qt::NoModifier, at);
  for (int i = 0; i < 5; ++i) QTest::mouseMove(slider(), at += QPoint(8, 0));
  EXPECT_NE(control_->value(), 0.01) << "the box previews the drag";
  for (int i = 0; i < 5; ++i) QTest::mouseMove(slider(), at -= QPoint(8, 0));
  QTest::mouseRelease(slider(), Qt::LeftButton, Qt::NoModifier, start);
  EXPECT_EQ(edited_->count(), 0);
  EXPECT_EQ(control_->value(), 0.01);

  // A click on the handle that does not move it keeps even a typed value between stops.
  type(*control_, QStringLiteral("0.0123"));
  ASSERT_EQ(edited_->count(), 1);
  QTest::mouseClick(slider(), Qt::LeftButton, Qt::NoModifier, handleCentre(slider()));
  EXPECT_EQ(edited_->count(), 1);
  EXPECT_EQ(control_->value(), 0.0123);
}

TEST_F(ControlTest, ADragWithoutAMouseEmitsOneEditOnRelease) {
  slider()->setSliderDown(true);
  for (const double v : {0.012, 0.02, 0.05}) slider()->setValue(control_->positionOf(v));
  EXPECT_EQ(edited_->count(), 0);
  EXPECT_EQ(control_->value(), 0.05);
  control_->setValue(0.01);  // the panel re-sending the applied value does not fight the drag
  EXPECT_EQ(control_->value(), 0.05);
  slider()->setSliderDown(false);
  ASSERT_EQ(edited_->count(), 1);
  EXPECT_EQ(lastEdit(), 0.05);
}

TEST_F(ControlTest, TheCurrentValueIsNoEdit) {
  type(*control_, QStringLiteral("0.01"));
  EXPECT_EQ(edited_->count(), 0);
  slider()->setValue(slider()->value());
  EXPECT_EQ(edited_->count(), 0);
  // At the maximum, one more step up is no edit either.
  slider()->setFocus();
  QTest::keyClick(slider(), Qt::Key_End);
  ASSERT_EQ(edited_->count(), 1);
  EXPECT_EQ(lastEdit(), 1.0);
  QTest::keyClick(slider(), Qt::Key_Right);
  control_->spinBox()->stepBy(1);
  EXPECT_EQ(edited_->count(), 1);
}

TEST_F(ControlTest, KeysWheelAndArrowsStepFromStopToStopOneEditEach) {
  slider()->setFocus();
  QTest::keyClick(slider(), Qt::Key_Right);
  ASSERT_EQ(edited_->count(), 1);
  EXPECT_EQ(lastEdit(), 0.012);
  QTest::keyClick(slider(), Qt::Key_Left);
  QTest::keyClick(slider(), Qt::Key_Left);
  ASSERT_EQ(edited_->count(), 3);
  EXPECT_EQ(lastEdit(), 0.008);
  QTest::keyClick(slider(), Qt::Key_PageUp);
  ASSERT_EQ(edited_->count(), 4);
  EXPECT_EQ(lastEdit(), 0.08) << "a page is a decade";

  // One wheel notch: one edit, to a stop.
  const QPoint at = handleCentre(slider());
  QWheelEvent wheel(at, slider()->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(slider(), &wheel);
  ASSERT_EQ(edited_->count(), 5);
  EXPECT_GT(lastEdit(), 0.08);
  EXPECT_LE(significantDigits(lastEdit()), 2) << lastEdit();

  // The spin box arrows step through the same stops, from a typed value to its neighbour.
  type(*control_, QStringLiteral("0.0013"));
  ASSERT_EQ(edited_->count(), 6);
  control_->spinBox()->stepBy(1);
  ASSERT_EQ(edited_->count(), 7);
  EXPECT_EQ(lastEdit(), 0.0015);
  control_->spinBox()->stepBy(-2);
  ASSERT_EQ(edited_->count(), 8);
  EXPECT_EQ(lastEdit(), 0.001);
}

// ---- The real window: one drag, one event in the engine's log ---------------------------------

TEST(LiveTuningWindow, ADragOfTheEtaSliderLogsOneSetEvent) {
  app();
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  MainWindow window(2);
  window.setInteractive(false);
  window.resize(1400, 900);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  const QString path = test::writeFile(dir, QStringLiteral("experiment.json"), test::smallExperimentJson());
  ASSERT_TRUE(window.openExperiment(path, /*autoplay=*/false)) << window.lastError().toStdString();
  ASSERT_TRUE(waitFor([&] {
    return window.session() && window.controller()->state() == SessionController::State::Paused;
  }));
  window.setSelectedRun(QStringLiteral("LARS"));
  HyperparameterControl* eta = window.tuningPanel()->control(QStringLiteral("eta"));
  ASSERT_NE(eta, nullptr);
  ASSERT_EQ(eta->value(), 0.01);
  // The dock may be narrow: make sure the handle has room to travel.
  ASSERT_GT(eta->slider()->width(), 60);

  drag(eta->slider(), 4, 5);
  window.controller()->post(SessionController::Step{1});
  ASSERT_TRUE(waitFor([&] { return window.session()->currentStep() == 1; }));
  window.syncWithWorker();

  const auto store = window.session()->metrics();
  std::vector<engine::Event> sets;
  for (const engine::Event& e : store->events())
    if (e.kind == engine::EventKind::Set) sets.push_back(e);
  ASSERT_EQ(sets.size(), 1u);
  const double applied = store->appliedHyperparameter("LARS", "eta");
  EXPECT_GT(applied, 0.01);
  EXPECT_LE(significantDigits(applied), 2) << applied;
  EXPECT_EQ(sets.front().run, "LARS");
  EXPECT_EQ(sets.front().detail, "eta 0.01 -> " + text::formatNumber(applied));

  // Pressing the handle again without moving it sends nothing more.
  window.refreshNow();
  QTest::mouseClick(eta->slider(), Qt::LeftButton, Qt::NoModifier, handleCentre(eta->slider()));
  window.controller()->post(SessionController::Step{1});
  ASSERT_TRUE(waitFor([&] { return window.session()->currentStep() == 2; }));
  window.syncWithWorker();
  long count = 0;
  for (const engine::Event& e : store->events()) count += e.kind == engine::EventKind::Set ? 1 : 0;
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace larslab::ui
