// MainWindow: saving the running experiment (with its tuned values) and exporting metrics and
// charts. What the document is and when it counts as modified: main_window_document.cpp.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QStatusBar>
#include <exception>

#include "engine/csv_export.h"
#include "experiment_panel.h"
#include "main_window.h"
#include "ui/charts/png_export_dialog.h"

namespace larslab::ui {

bool MainWindow::save() {
  if (isReadOnly()) return saveAs();
  if (currentFile_.isEmpty()) return saveAs();
  if (fileChangedOnDisk() &&
      !confirm(tr("File changed on disk"),
               tr("%1 was changed on disk (by another program?) since it was opened or saved here. Overwrite it "
                  "with this experiment? (No keeps the file; Save As… writes elsewhere.)")
                   .arg(QDir::toNativeSeparators(currentFile_))))
    return false;
  return saveExperimentTo(currentFile_);
}

bool MainWindow::saveAs() {
  const std::optional<engine::ExperimentSpec> running = runningExperiment();
  if (!running) return false;
  QString suggestion = currentFile_;
  if (suggestion.isEmpty())
    suggestion = QDir::home().filePath(QString::fromStdString(running->name).replace(QLatin1Char(' '), QLatin1Char('_')) +
                                       QStringLiteral(".json"));
  QString path;
  if (saveAsPrompt_) {
    path = saveAsPrompt_(suggestion);
  } else if (interactive_) {
    path = QFileDialog::getSaveFileName(this, tr("Save experiment"), suggestion, tr("LARS Lab experiments (*.json)"));
  } else {
    // A window without dialogs (--screenshot, tests) must never block on a modal one.
    reportError(tr("Cannot save experiment"), tr("Save As needs a file name, and this window shows no dialogs."));
    return false;
  }
  if (path.isEmpty()) return false;
  return saveExperimentTo(path);
}

bool MainWindow::saveExperimentTo(const QString& path) {
  // Exactly what runs, as the store records it: tuned values, added runs, applied edits, name
  // and description. Never the panel's draft, which may be an experiment that is not running.
  const std::optional<engine::ExperimentSpec> spec = runningExperiment();
  if (!spec) {
    reportError(tr("Nothing to save"), tr("No experiment is running."));
    return false;
  }
  try {
    engine::saveExperiment(*spec, QDir::toNativeSeparators(path).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot save experiment"), tr("%1: %2").arg(path, QString::fromUtf8(e.what())));
    return false;
  }
  currentFile_ = QFileInfo(path).absoluteFilePath();
  sourceLabel_ = QFileInfo(path).fileName();
  savedJson_ = engine::experimentToJson(*spec);
  savedSpec_ = *spec;
  rememberFileStamp();
  addRecentFile(currentFile_);
  documentChanged();
  QString note = tr("Saved %1 (with the tuned hyperparameters).").arg(QDir::toNativeSeparators(path));
  if (panel_->isDirty()) note += tr(" Edits not applied yet in the Experiment panel are not in the file.");
  statusBar()->showMessage(note, 8000);
  return true;
}

void MainWindow::exportMetrics() {
  const auto store = currentStore();
  if (!store) return;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export metrics into directory"), QDir::homePath());
  if (dir.isEmpty()) return;
  exportMetricsTo(dir);
}

bool MainWindow::exportMetricsTo(const QString& directory) {
  const auto store = currentStore();
  if (!store) {
    reportError(tr("Nothing to export"), tr("No metrics recorded yet."));
    return false;
  }
  try {
    engine::exportMetricsCsv(*store, QDir::toNativeSeparators(directory).toStdString());
  } catch (const std::exception& e) {
    reportError(tr("Cannot export metrics"), QString::fromUtf8(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Exported run_metrics.csv, tensor_metrics.csv, evaluations.csv and events.csv to %1.")
                               .arg(QDir::toNativeSeparators(directory)),
                           8000);
  return true;
}

bool MainWindow::exportChartTo(Dashboard::ChartId id, const QString& path) {
  MetricChart* chart = dashboard_->chart(id);
  QString error;
  bool ok = false;
  if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
    ok = chart->exportSvg(path, QSize(), &error);
  } else {
    const PngExportChoice size = rememberedPngExport();
    ok = chart->exportPng(path, size.pixels, size.dpi, &error);
  }
  if (!ok) {
    reportError(tr("Cannot export chart"), tr("%1: %2").arg(path, error));
    return false;
  }
  statusBar()->showMessage(tr("Saved %1.").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

void MainWindow::exportChartInteractive(Dashboard::ChartId id) {
  const QString suggestion = QDir::home().filePath(Dashboard::chartFileStem(id) + QStringLiteral(".png"));
  const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), suggestion,
                                                    tr("PNG image (*.png);;SVG vector image (*.svg)"));
  if (path.isEmpty()) return;
  // A PNG at a size and resolution asked for (and remembered); an SVG has neither.
  if (!path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) && !askPngExport(this)) return;
  exportChartTo(id, path);
}

}  // namespace larslab::ui
