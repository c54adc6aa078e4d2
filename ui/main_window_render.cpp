// MainWindow: rendering the window to an image without a user (--screenshot, tests).
#include <QCoreApplication>
#include <QImage>

#include "main_window.h"

namespace larslab::ui {

QImage MainWindow::renderAfterTraining(const engine::ExperimentSpec& spec, long steps, const QSize& size,
                                       const std::function<void()>& beforeRender) {
  interactive_ = false;
  refreshTimer_.stop();
  fitLayoutTo(size.width());
  resize(size);
  show();
  startSession(spec, /*autoplay=*/false, DocumentSource{currentFile_, sourceLabel_.isEmpty() ? tr("built-in example") : sourceLabel_},
               /*wait=*/true);
  controller_->post(SessionController::TrainNow{steps}, SessionController::Delivery::Wait);
  QCoreApplication::processEvents();
  refreshNow();
  if (beforeRender) beforeRender();
  return renderCurrent(size);
}

QImage MainWindow::renderCurrent(const QSize& size) {
  interactive_ = false;
  refreshTimer_.stop();
  fitLayoutTo(size.width());  // before resizing: the layout decides how small the window can be
  resize(size);
  show();
  // Lay out, then refresh again: the reduction depends on the charts' final widths.
  for (int i = 0; i < 3; ++i) {
    QCoreApplication::processEvents();
    refreshNow();
  }
  QCoreApplication::processEvents();
  QImage image = grab().toImage();
  if (image.size() != size) image = image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  return image;
}

}  // namespace larslab::ui
