// The formula view: its text holds the store's numbers for the selected tensor at the selected
// step, follows the tensor combo and the live step, and appears in the window with --view formula.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QSpinBox>
#include <QToolButton>
#include <QTest>
#include <QTemporaryDir>
#include <memory>

#include "engine/session.h"
#include "engine/update_formula.h"
#include "formula_view.h"
#include "main_window.h"
#include "session_controller.h"
#include "text/format.h"
#include "transport_bar.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::app;
using test::waitFor;

ViewContext contextOf(std::shared_ptr<const engine::MetricsStore> store, const char* run, const char* tensor, long step) {
  ViewContext c;
  c.store = std::move(store);
  c.run = QString::fromUtf8(run);
  c.tensor = QString::fromUtf8(tensor);
  c.step = step;
  return c;
}

QString fs(double x) { return QString::fromStdString(text::formatShort(x)); }

class FormulaViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app();
    session_ = std::make_unique<engine::Session>(
        engine::parseExperiment(test::smallExperimentJson(), "small.json"), engine::SessionOptions{1, 64});
    for (int i = 0; i < 30; ++i) session_->step();
    store_ = session_->metrics();
  }
  [[nodiscard]] int tensor(const std::string& name) const {
    for (int t = 0; t < store_->tensorCount(); ++t)
      if (store_->tensors()[static_cast<std::size_t>(t)].name == name) return t;
    return -1;
  }
  // Every stored per-tensor metric of (run, tensor, step) appears in `text`, printed as shown.
  void expectStoredNumbers(const QString& text, const std::string& run, const std::string& name, long step) {
    const int r = store_->runIndex(run), t = tensor(name);
    ASSERT_GE(r, 0);
    ASSERT_GE(t, 0);
    for (const auto& m : optim::kTensorMetrics) {
      if (m.id == optim::TensorMetric::TrustRatio && run != "LARS") continue;  // 1: not written for plain SGD
      const QString shown = fs(store_->value(r, t, m.id, step));
      EXPECT_TRUE(text.contains(shown)) << m.key << " = " << shown.toStdString() << " missing from\n" << text.toStdString();
    }
    // And the lines are the engine's, word for word.
    for (const auto& line : engine::updateFormulaAt(*store_, r, t, step).lines)
      EXPECT_TRUE(text.contains(QString::fromStdString(line.math))) << line.math;
  }

  std::unique_ptr<engine::Session> session_;
  std::shared_ptr<const engine::MetricsStore> store_;
};

TEST_F(FormulaViewTest, ShowsTheStoredNumbersOfTheSelectedTensorAndStep) {
  FormulaView view;
  view.resize(1000, 600);
  view.showContext(contextOf(store_, "LARS", "dense2.weight", 12));
  EXPECT_EQ(view.headingText(), QStringLiteral("LARS (paper conventions) · dense2.weight · step 12"));
  expectStoredNumbers(view.formulaText(), "LARS", "dense2.weight", 12);
  const QString lambda = fs(store_->value(store_->runIndex("LARS"), tensor("dense2.weight"), optim::TensorMetric::TrustRatio, 12));
  EXPECT_TRUE(view.formulaText().contains(QStringLiteral("λ = η‖w‖/(‖g‖ + β‖w‖) = ")));
  EXPECT_TRUE(view.formulaText().contains(QStringLiteral(") = ") + lambda + QLatin1Char('\n')));

  // The combo picks another tensor; the same context keeps that choice.
  auto* box = view.findChild<QComboBox*>(QStringLiteral("formulaTensor"));
  ASSERT_NE(box, nullptr);
  EXPECT_EQ(box->currentText(), QStringLiteral("dense2.weight"));
  box->setCurrentIndex(box->findText(QStringLiteral("dense1.weight")));
  EXPECT_TRUE(view.headingText().contains(QStringLiteral("dense1.weight")));
  expectStoredNumbers(view.formulaText(), "LARS", "dense1.weight", 12);
  view.showContext(contextOf(store_, "LARS", "dense2.weight", 12));
  EXPECT_EQ(box->currentText(), QStringLiteral("dense1.weight"));

  // Live (-1): the latest step; another run: its own rule.
  view.showContext(contextOf(store_, "LARS", "dense2.weight", -1));
  EXPECT_TRUE(view.headingText().endsWith(QStringLiteral("step 29")));
  view.showContext(contextOf(store_, "SGD momentum", "dense2.bias", 5));
  EXPECT_EQ(view.headingText(), QStringLiteral("SGD + momentum · dense2.bias · step 5"));
  expectStoredNumbers(view.formulaText(), "SGD momentum", "dense2.bias", 5);

  view.showContext(contextOf(nullptr, "", "", -1));
  EXPECT_EQ(view.headingText(), QStringLiteral("No session"));
}

TEST_F(FormulaViewTest, TheWindowShowsItForItsSessionAtTheLatestStep) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  auto window = test::shownWindow(QSize(1366, 768));
  const QString path = test::writeFile(dir, QStringLiteral("small.json"), test::smallExperimentJson());
  ASSERT_TRUE(window->openExperiment(path, /*autoplay=*/false));
  ASSERT_TRUE(waitFor([&] { return window->session() && window->controller()->state() == SessionController::State::Paused; }));
  ASSERT_TRUE(window->showView(QStringLiteral("formula")));
  window->transportBar()->stepCount()->setValue(7);
  QTest::mouseClick(window->transportBar()->stepNButton(), Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return window->session()->currentStep() == 7; }));
  window->syncWithWorker();
  window->refreshNow();
  auto* view = qobject_cast<FormulaView*>(window->teachingView(QStringLiteral("formula")));
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->headingText().endsWith(QStringLiteral("step 6"))) << view->headingText().toStdString();
  store_ = window->session()->metrics();
  const std::string tensorName = view->headingText().section(QStringLiteral(" · "), 1, 1).toStdString();
  const std::string run = store_->runName(0);
  expectStoredNumbers(view->formulaText(), run, tensorName, 6);
}

}  // namespace
}  // namespace larslab::ui
