// The UI applies the engine's rules, not copies of them: a hyperparameter's range (and a value
// typed outside it says why instead of snapping back silently), and how a run's preset and
// defaults combine with its explicit values.

#include <gtest/gtest.h>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include "engine/experiment.h"
#include "hyperparameter_control.h"
#include "optim/optimizer.h"
#include "run_editor.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

const optim::HyperparameterSpec& sgdLr() { return *optim::findOptimizer("sgd")->findHyperparameter("lr"); }

void type(HyperparameterControl& control, const QString& text) {
  QLineEdit* edit = control.spinBox()->findChild<QLineEdit*>();
  edit->selectAll();
  QTest::keyClicks(control.spinBox(), text);
  QTest::keyClick(control.spinBox(), Qt::Key_Return);
}

TEST(HyperparameterControl, AValueTypedOutsideItsRangeSaysSoAndKeepsTheValue) {
  test::app();
  HyperparameterControl control(sgdLr());
  control.show();
  control.spinBox()->setFocus();
  control.setValue(0.5);
  QSignalSpy edited(&control, &HyperparameterControl::valueEdited);
  ASSERT_FALSE(control.problemLabel()->isVisibleTo(&control));

  type(control, QStringLiteral("50"));
  EXPECT_DOUBLE_EQ(control.value(), 0.5);
  EXPECT_EQ(edited.count(), 0);
  ASSERT_TRUE(control.problemLabel()->isVisibleTo(&control));
  // The range and the reason, in the engine's words (what the session would reject).
  const std::string engine = optim::hyperparameterProblem(sgdLr(), 50);
  ASSERT_EQ(engine, "must be in [1e-06, 10], got 50");
  EXPECT_EQ(control.problemLabel()->text().toStdString(),
            sgdLr().label + " " + engine + "; it stays 0.5.");
  // The tuning panel re-sends the unchanged value every tick: the message stays.
  control.setValue(0.5);
  EXPECT_TRUE(control.problemLabel()->isVisibleTo(&control));

  type(control, QStringLiteral("0.25"));
  EXPECT_DOUBLE_EQ(control.value(), 0.25);
  ASSERT_EQ(edited.count(), 1);
  EXPECT_FALSE(control.problemLabel()->isVisibleTo(&control));
}

TEST(HyperparameterControl, AcceptsExactlyWhatTheEngineAccepts) {
  test::app();
  HyperparameterControl control(sgdLr());
  for (const double v : {0.0, 1e-7, 1e-6, 0.1, 10.0, 10.5}) {
    QString text = QString::number(v, 'g', 17);
    int pos = 0;
    const bool engineTakes = optim::hyperparameterProblem(sgdLr(), v).empty();
    EXPECT_EQ(control.spinBox()->validate(text, pos) == QValidator::Acceptable, engineTakes) << v;
    EXPECT_EQ(engine::checkHyperparameter("sgd", "lr", v).empty(), engineTakes) << v;
  }
}

// Presets, defaults and explicit values combine in the editor as in the file reader.
TEST(RunEditor, ShowsTheValuesTheFileReaderResolves) {
  test::app();
  const engine::ExperimentSpec spec = engine::parseExperiment(R"({
  "version": 1,
  "dataset": {"kind": "spirals", "samples": 200},
  "model": {"layers": [{"type": "dense", "units": 2}]},
  "batch_size": 16, "steps": 10,
  "runs": [
    {"name": "default preset", "optimizer": {"type": "lars", "lr": 0.5}},
    {"name": "apex", "optimizer": {"type": "lars", "preset": "apex_larc", "eps": 1e-6,
                                   "clipping": "none"}},
    {"name": "timm", "optimizer": {"type": "lars", "preset": "timm"}},
    {"name": "larc type", "optimizer": {"type": "larc"}},
    {"name": "plain", "optimizer": {"type": "adam", "lr": 0.002}}
  ]})", "test");
  RunEditor editor;
  for (const engine::RunSpec& run : spec.runs) {
    SCOPED_TRACE(run.name);
    editor.setRun(run);
    const optim::ResolvedOptimizerConfig resolved = optim::resolveOptimizerConfig(run.optimizer);
    const auto controls = editor.findChildren<HyperparameterControl*>();
    ASSERT_EQ(controls.size(), static_cast<qsizetype>(resolved.hyperparameters.size()));
    for (const HyperparameterControl* c : controls)
      EXPECT_DOUBLE_EQ(c->value(), resolved.hyperparameters.at(c->spec().name)) << c->spec().name;
    for (const optim::OptionSpec& o : resolved.info->options) {
      auto* combo = editor.findChild<QComboBox*>(QString::fromStdString("option_" + o.name));
      ASSERT_NE(combo, nullptr) << o.name;
      EXPECT_EQ(combo->currentData().toString().toStdString(), resolved.options.at(o.name)) << o.name;
    }
  }
}

}  // namespace
}  // namespace larslab::ui
