// The CSV part of the Data tab: header, label combo, ignored columns, policy and class counts
// come from the file as the engine reads it; the choices flow into the panel's draft; a broken
// file is reported in the tab.

#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QPushButton>
#include <QTest>
#include <QLabel>
#include <QListWidget>
#include <QTableWidget>
#include <QTemporaryDir>

#include "csv_preview.h"
#include "engine/experiment.h"
#include "experiment_panel.h"
#include "main_window.h"
#include "session_controller.h"
#include "run_colors.h"
#include "ui_test_support.h"

namespace larslab::ui {
namespace {

constexpr const char* kFlowers =
    "name,petal,sepal,species\n"
    "a,1.4,5.1,setosa\nb,1.3,4.9,setosa\nc,4.7,7.0,versicolor\nd,4.5,6.4,versicolor\n"
    "e,6.0,6.3,virginica\nf,5.1,5.8,virginica\ng,1.5,5.0,setosa\nh,4.9,6.9,versicolor\n"
    "i,5.9,7.1,virginica\nj,1.2,4.8,setosa\n";

std::string experimentJson(const std::string& datasetExtra) {
  return R"({"version": 1, "name": "flowers", "dataset": {"kind": "csv", "path": "data/flowers.csv")" + datasetExtra +
         R"(}, "model": {"layers": [{"type": "dense", "units": 3}], "loss": "cross_entropy"},
         "batch_size": 2, "steps": 10, "runs": [{"name": "SGD", "optimizer": {"type": "sgd"}}]})";
}

QStringList comboTexts(const QComboBox* box) {
  QStringList texts;
  for (int i = 0; i < box->count(); ++i) texts << box->itemText(i);
  return texts;
}

TEST(CsvPreview, ShowsHeaderLabelChoicesAndClassCounts) {
  test::app();
  QTemporaryDir dir;
  QDir(dir.path()).mkpath(QStringLiteral("data"));
  test::writeFile(dir, QStringLiteral("data/flowers.csv"), kFlowers);
  const QString file = test::writeFile(dir, QStringLiteral("exp.json"), experimentJson(R"(, "ignore_columns": ["name"])"));
  const engine::ExperimentSpec spec = engine::loadExperiment(file.toStdString());  // relative path
  RunColorMap colors;
  ExperimentPanel panel(&colors);
  panel.resize(420, 900);
  panel.setSpec(spec);
  CsvPreview* preview = panel.csvPreview();
  ASSERT_NE(preview, nullptr);

  QTableWidget* table = preview->table();
  ASSERT_EQ(table->columnCount(), 4);
  EXPECT_EQ(table->horizontalHeaderItem(0)->text(), QStringLiteral("name"));
  EXPECT_EQ(table->horizontalHeaderItem(3)->text(), QStringLiteral("species"));
  EXPECT_EQ(table->rowCount(), CsvPreview::kPreviewRows);  // 10 rows in the file, 8 shown
  EXPECT_EQ(table->item(2, 3)->text(), QStringLiteral("versicolor"));
  EXPECT_TRUE(table->item(0, 3)->font().bold());  // the label column

  EXPECT_EQ(comboTexts(preview->labelBox()),
            (QStringList{QStringLiteral("(last column)"), QStringLiteral("name"), QStringLiteral("petal"),
                         QStringLiteral("sepal"), QStringLiteral("species")}));
  ASSERT_EQ(preview->ignoreList()->count(), 4);
  EXPECT_EQ(preview->ignoreList()->item(0)->checkState(), Qt::Checked);  // name, from the file
  EXPECT_EQ(preview->ignoreList()->item(1)->checkState(), Qt::Unchecked);
  EXPECT_FALSE(preview->ignoreList()->item(3)->flags() & Qt::ItemIsEnabled);  // the label
  const QString summary = preview->summaryLabel()->text();
  EXPECT_TRUE(summary.contains(QStringLiteral("10 data rows"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("2 features"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("3 classes"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("setosa: 4 · versicolor: 3 · virginica: 3"))) << summary.toStdString();
  EXPECT_TRUE(preview->problemsLabel()->isHidden());
  EXPECT_FALSE(panel.isDirty());

  // Choosing another label column and policy edits the draft.
  preview->missingBox()->setCurrentIndex(preview->missingBox()->findText(QStringLiteral("drop_rows")));
  ASSERT_TRUE(test::waitFor([&] { return panel.draft().dataset.missing == data::MissingPolicy::DropRows; }, 2000));
  EXPECT_TRUE(panel.isDirty());
  // Un-ignoring the text column "name" is an error shown in the tab, with line and column.
  preview->ignoreList()->item(0)->setCheckState(Qt::Unchecked);
  ASSERT_TRUE(test::waitFor([&] { return panel.draft().dataset.ignoreColumns.empty(); }, 2000));
  EXPECT_FALSE(preview->problemsLabel()->isHidden());
  const QString problems = preview->problemsLabel()->text();
  EXPECT_TRUE(problems.contains(QStringLiteral("flowers.csv:2: column 1 'name': expected a finite number, got 'a'")))
      << problems.toStdString();
  EXPECT_TRUE(problems.contains(QStringLiteral("ignore_columns"))) << problems.toStdString();
}

TEST(CsvPreview, RegressionShowsTheTargetRangeAndABrokenFileIsReported) {
  test::app();
  QTemporaryDir dir;
  QDir(dir.path()).mkpath(QStringLiteral("data"));
  test::writeFile(dir, QStringLiteral("data/flowers.csv"), kFlowers);
  engine::ExperimentSpec spec = engine::loadExperiment(
      test::writeFile(dir, QStringLiteral("exp.json"), experimentJson(R"(, "ignore_columns": ["name", "species"])"))
          .toStdString());
  spec.dataset.regression = true;
  spec.dataset.labelColumn = "sepal";
  CsvPreview preview;
  preview.setDataset(spec.dataset, spec.seed);
  EXPECT_EQ(preview.labelBox()->currentText(), QStringLiteral("sepal"));
  const QString summary = preview.summaryLabel()->text();
  EXPECT_TRUE(summary.contains(QStringLiteral("Target in [4.8, 7.1]"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("1 feature"))) << summary.toStdString();

  spec.dataset.path = "data/none.csv";
  preview.setDataset(spec.dataset, spec.seed);
  EXPECT_TRUE(preview.problemsLabel()->text().contains(QStringLiteral("cannot open")))
      << preview.problemsLabel()->text().toStdString();
  EXPECT_TRUE(preview.table()->isHidden());
  // The label stays what the experiment says, marked, not replaced by the first column.
  EXPECT_EQ(preview.labelBox()->currentData().toString(), QStringLiteral("sepal"));
  engine::DatasetSpec read = spec.dataset;
  read.labelColumn.clear();
  read.ignoreColumns.clear();
  preview.readInto(read);
  EXPECT_EQ(read.labelColumn, "sepal");
  EXPECT_EQ(read.ignoreColumns, (std::vector<std::string>{"name", "species"}));
}

// The window trains a CSV experiment through its relative path, and Apply refuses an edit
// that breaks the data, listing every problem at once (as larslab-cli validate) while the
// running session goes on.
TEST(CsvPreview, ApplyListsEveryDataProblemAtOnce) {
  test::app();
  QTemporaryDir dir;
  QDir(dir.path()).mkpath(QStringLiteral("data"));
  std::string flowers = kFlowers;
  flowers.replace(flowers.find("b,1.3"), 5, "b,NA");
  test::writeFile(dir, QStringLiteral("data/flowers.csv"), flowers);
  const QString file = test::writeFile(
      dir, QStringLiteral("exp.json"), experimentJson(R"(, "ignore_columns": ["name"], "missing": "drop_rows")"));
  MainWindow window(2);
  window.setInteractive(false);
  window.resize(1366, 768);
  window.show();
  ASSERT_TRUE(window.openExperiment(file, /*autoplay=*/false)) << window.lastError().toStdString();
  ASSERT_TRUE(test::waitFor([&] {
    return window.session() && window.controller()->state() == SessionController::State::Paused;
  })) << window.lastError().toStdString();
  const auto running = window.session();
  ExperimentPanel* panel = window.experimentPanel();
  CsvPreview* preview = panel->csvPreview();
  EXPECT_TRUE(preview->summaryLabel()->text().contains(QStringLiteral("1 dropped")))
      << preview->summaryLabel()->text().toStdString();

  preview->ignoreList()->item(0)->setCheckState(Qt::Unchecked);  // the text column "name"
  preview->missingBox()->setCurrentIndex(preview->missingBox()->findText(QStringLiteral("error")));
  ASSERT_TRUE(test::waitFor([&] {
    return panel->draft().dataset.ignoreColumns.empty() && panel->draft().dataset.missing == data::MissingPolicy::Error;
  }, 2000));
  QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
  const QString error = window.lastError();
  EXPECT_TRUE(error.contains(QStringLiteral("flowers.csv:2: column 1 'name': expected a finite number, got 'a'")))
      << error.toStdString();
  EXPECT_TRUE(error.contains(QStringLiteral("flowers.csv:3: column 2 'petal': missing value ('NA')"))) << error.toStdString();
  EXPECT_TRUE(error.contains(QStringLiteral("flowers.csv: column 1 'name': 7 more rows"))) << error.toStdString();
  QCoreApplication::processEvents();
  EXPECT_EQ(window.session(), running);  // nothing restarted
  EXPECT_TRUE(panel->isDirty());         // the edit is still there to fix
}

}  // namespace
}  // namespace larslab::ui
