// MainWindow in a lecture hall: one chart maximised to the whole window and back, the
// presentation text scale (View > Larger text, Ctrl++), and the view choices remembered across
// starts. Full screen and the dock layout are main_window_layout.cpp's.
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QStatusBar>

#include "main_window.h"
#include "status_panel.h"
#include "tensor_inspector.h"
#include "tuning_panel.h"
#include "ui/charts/font_scale.h"
#include "view_settings.h"

namespace larslab::ui {

void MainWindow::maximizeChart(Dashboard::ChartId id) {
  showView(QString());  // the chart is on the Charts tab
  if (!dashboard_->maximizedChart()) hideDocksForChart();
  dashboard_->setMaximizedChart(id);
  updateEscapeAction();
  statusBar()->showMessage(
      tr("%1 fills the window: Esc, its corner button or a double-click on its title returns.")
          .arg(Dashboard::chartName(id)),
      6000);
}

void MainWindow::restoreChart() {
  if (!dashboard_->maximizedChart()) return;
  dashboard_->setMaximizedChart(std::nullopt);
  restoreDocksAfterChart();
  updateEscapeAction();
}

void MainWindow::toggleChartMaximized(Dashboard::ChartId id) {
  const std::optional<Dashboard::ChartId> shown = dashboard_->maximizedChart();
  if (shown && shown->index == id.index)
    restoreChart();
  else
    maximizeChart(id);
}

void MainWindow::escape() {
  if (dashboard_->maximizedChart())
    restoreChart();
  else if (isFullScreen())
    toggleFullScreen();
}

void MainWindow::updateEscapeAction() {
  // Enabled only when Esc undoes something, so it never takes Esc from a dialog or an editor.
  escapeAction_->setEnabled(dashboard_->maximizedChart().has_value() || isFullScreen());
}

void MainWindow::setTextScale(int percent) {
  if (!isTextScale(percent)) percent = kNormalTextScale;
  textScale_ = percent;
  const double scale = percent / 100.0;
  dashboard_->setFontScale(scale);
  // The tables and the tuning panel follow the widget font (their rows and columns size to it).
  const QFont font = presentationFont(QApplication::font(), scale);
  for (QWidget* w : std::initializer_list<QWidget*>{status_, inspector_, tuning_}) {
    if (percent == kNormalTextScale)
      w->setFont(QFont());  // back to following the application font
    else
      w->setFont(font);
  }
  textScaleLabel_->setText(tr("Text %1%").arg(percent));
  textScaleLabel_->setVisible(percent != kNormalTextScale);
}

void MainWindow::largerText() {
  setTextScale(steppedTextScale(textScale_, +1));
  statusBar()->showMessage(tr("Text size %1% (Ctrl+- smaller, Ctrl+Alt+0 normal).").arg(textScale_), 3000);
}

void MainWindow::smallerText() {
  setTextScale(steppedTextScale(textScale_, -1));
  statusBar()->showMessage(tr("Text size %1% (Ctrl++ larger, Ctrl+Alt+0 normal).").arg(textScale_), 3000);
}

void MainWindow::normalText() {
  setTextScale(kNormalTextScale);
  statusBar()->showMessage(tr("Text size back to normal."), 3000);
}

void MainWindow::saveViewChoices() const { ui::saveViewChoices({dashboard_->view(), textScale_}); }

void MainWindow::restoreViewChoices() {
  const ViewChoices c = loadViewChoices();
  dashboard_->setView(c.charts);
  setTextScale(c.textScale);
}

}  // namespace larslab::ui
