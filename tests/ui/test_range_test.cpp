// Training > Range test…: the dialog tests the experiment as it stands in a thread of its own
// (the window's session does not move), shows the engine's result, and its suggestion applies to
// the running session like a tuning-panel edit.

#include <gtest/gtest.h>

#include <QComboBox>
#include <array>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

#include "engine/range_test.h"
#include "engine/session.h"
#include "hyperparameter_control.h"
#include "main_window.h"
#include "range_test_dialog.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

using test::waitFor;

class RangeTestDialogTest : public test::WindowTest {
 protected:
  RangeTestDialog* openDialog() {
    open(test::smallExperimentJson());
    RangeTestDialog* dialog = window_->openRangeTest();
    EXPECT_NE(dialog, nullptr);
    return dialog;
  }
  static std::array<QLineEdit*, 2> boundEdits(RangeTestDialog& d) {
    return {d.findChild<QLineEdit*>(QStringLiteral("rangeFrom")), d.findChild<QLineEdit*>(QStringLiteral("rangeTo"))};
  }
  static QPushButton* button(RangeTestDialog& d, const QString& prefix) {
    for (QPushButton* b : d.findChildren<QPushButton*>())
      if (b->text().startsWith(prefix)) return b;
    return nullptr;
  }
};

TEST_F(RangeTestDialogTest, TestsEtaOfTheSelectedLarsRunAndItsSuggestionAppliesToTheSession) {
  RangeTestDialog* dialog = openDialog();
  ASSERT_NE(dialog, nullptr);
  const auto boxes = dialog->findChildren<QComboBox*>();
  ASSERT_EQ(boxes.size(), 2);
  EXPECT_EQ(boxes[0]->currentText(), QStringLiteral("LARS"));
  EXPECT_EQ(boxes[1]->currentData().toString(), QStringLiteral("eta"));  // offered first
  // Three decades either side of the run's eta (0.01), inside eta's range [1e-6, 1].
  const auto edits = boundEdits(*dialog);
  EXPECT_EQ(edits[0]->text(), QStringLiteral("1e-5"));
  EXPECT_EQ(edits[1]->text(), QStringLiteral("1"));

  const long stepBefore = window_->session()->currentStep();
  ASSERT_TRUE(dialog->start());
  EXPECT_TRUE(dialog->running());
  ASSERT_TRUE(waitFor([&] { return dialog->result().has_value(); }, 60000));
  EXPECT_FALSE(dialog->running());
  EXPECT_EQ(window_->session()->currentStep(), stepBefore);  // a copy trained, not the session

  // The dialog shows exactly what the engine computes for the same test.
  const engine::ExperimentSpec spec = *window_->session()->metrics()->experiment();
  const engine::RangeTestResult expected = engine::runRangeTest(spec, {"LARS", "eta", 1e-5, 1.0, 200}, 1);
  const engine::RangeTestResult& shown = *dialog->result();
  EXPECT_EQ(shown.losses, expected.losses);
  EXPECT_EQ(shown.suggestion.value, expected.suggestion.value);
  ASSERT_GE(shown.suggestion.step, 0) << shown.suggestion.reason;
  EXPECT_TRUE(dialog->message().contains(QStringLiteral("Suggested: ")));

  // The button applies the value it shows, four significant digits.
  const double shownValue = formatHyperparameter(shown.suggestion.value).toDouble();
  EXPECT_NEAR(shownValue / shown.suggestion.value, 1.0, 1e-3);
  QPushButton* apply = button(*dialog, QStringLiteral("Apply ") + formatHyperparameter(shown.suggestion.value));
  ASSERT_NE(apply, nullptr);
  EXPECT_TRUE(apply->isVisible());
  QTest::mouseClick(apply, Qt::LeftButton);
  window_->controller()->post(SessionController::Step{1});
  ASSERT_TRUE(waitFor([&] {
    return window_->session()->metrics()->appliedHyperparameter("LARS", "eta") == shownValue;
  }));
}

TEST_F(RangeTestDialogTest, BadBoundsAreRefusedNamingTheField) {
  RangeTestDialog* dialog = openDialog();
  ASSERT_NE(dialog, nullptr);
  const auto edits = boundEdits(*dialog);
  edits[0]->setText(QStringLiteral("0.5"));
  edits[1]->setText(QStringLiteral("0.1"));
  EXPECT_FALSE(dialog->start());
  EXPECT_FALSE(dialog->running());
  EXPECT_TRUE(dialog->message().startsWith(QStringLiteral("to: must be > from (0.5), got 0.1"))) << dialog->message().toStdString();
  edits[1]->setText(QStringLiteral("2"));
  EXPECT_FALSE(dialog->start());
  EXPECT_TRUE(dialog->message().startsWith(QStringLiteral("to: eta: must be in [1e-06, 1], got 2")))
      << dialog->message().toStdString();
}

TEST_F(RangeTestDialogTest, AnOptimizerWithoutEtaOffersItsLearningRate) {
  RangeTestDialog* dialog = openDialog();
  ASSERT_NE(dialog, nullptr);
  ASSERT_FALSE(dialog->choose(QStringLiteral("Adam"), QStringLiteral("eta")));
  ASSERT_TRUE(dialog->choose(QStringLiteral("Adam"), QStringLiteral("lr")));
  EXPECT_EQ(boundEdits(*dialog)[0]->text(), QStringLiteral("3e-6"));
}

TEST_F(RangeTestDialogTest, ClosingWhileATestRunsCancelsIt) {
  RangeTestDialog* dialog = openDialog();
  ASSERT_NE(dialog, nullptr);
  dialog->findChildren<QSpinBox*>().front()->setValue(100000);
  ASSERT_TRUE(dialog->start());
  delete dialog;  // joins the cancelled worker; nothing left to post to a deleted dialog
  QCoreApplication::processEvents();
  SUCCEED();
}

TEST_F(RangeTestDialogTest, CancelEndsTheTestAndSaysSo) {
  RangeTestDialog* dialog = openDialog();
  ASSERT_NE(dialog, nullptr);
  dialog->findChildren<QSpinBox*>().front()->setValue(100000);
  ASSERT_TRUE(dialog->start());
  QPushButton* cancel = button(*dialog, QStringLiteral("Cancel test"));
  ASSERT_NE(cancel, nullptr);
  QTest::mouseClick(cancel, Qt::LeftButton);
  ASSERT_TRUE(waitFor([&] { return dialog->result().has_value(); }, 60000));
  EXPECT_EQ(dialog->result()->status, "cancelled");
  EXPECT_LT(dialog->result()->values.size(), 100000u);
  EXPECT_TRUE(dialog->message().contains(QStringLiteral("cancelled")));
}

}  // namespace
}  // namespace larslab::ui
