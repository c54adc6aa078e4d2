// MetricChart as an image: rendering at a chosen size (laid out for that size, without hover
// decorations), PNG and SVG files written atomically.

#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

#include "ui/charts/metric_chart_impl.h"

namespace larslab::ui {

namespace {
constexpr double kMetersPerInch = 0.0254;
}  // namespace

void MetricChart::Impl::renderTo(QPainter* painter, const QRectF& target,
                                 const QSizeF& logicalSize) {
  hideHover();
  const QSizeF old = chart->size();
  const bool resize = old != logicalSize;
  if (resize) {
    chart->resize(logicalSize);
    for (auto& e : entries) applyLegendStyle(*e);
    layoutLegend();
    axes->retick();
  }
  chart->scene()->render(painter, target, QRectF(chart->scenePos(), logicalSize),
                         Qt::IgnoreAspectRatio);
  if (resize) {
    chart->resize(old);
    for (auto& e : entries) applyLegendStyle(*e);
    layoutLegend();
    axes->retick();
  }
}

QImage MetricChart::renderImage(const QSize& pixelSize, double scale) {
  if (pixelSize.isEmpty()) return QImage();
  if (!(scale > 0.0)) scale = std::max<qreal>(1.0, devicePixelRatioF());
  QImage image(pixelSize, QImage::Format_ARGB32_Premultiplied);
  image.fill(palette().color(QPalette::Base));
  QPainter painter(&image);
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  d_->renderTo(&painter, QRectF(QPointF(0, 0), QSizeF(pixelSize)), QSizeF(pixelSize) / scale);
  return image;
}

bool MetricChart::exportPng(const QString& path, const QSize& pixelSize, int dpi, QString* error) {
  const auto fail = [&](const QString& why) {
    if (error != nullptr) *error = tr("Cannot export the chart to %1: %2").arg(path, why);
    return false;
  };
  if (pixelSize.isEmpty() || pixelSize.width() > 20000 || pixelSize.height() > 20000) {
    return fail(tr("image size %1x%2 is not between 1 and 20000 pixels")
                    .arg(pixelSize.width())
                    .arg(pixelSize.height()));
  }
  if (dpi < 0 || dpi > 2400) return fail(tr("resolution %1 DPI is not between 1 and 2400").arg(dpi));
  // Laid out at 96 DPI (the size a screen shows it at), drawn at `dpi`: more pixels, same look.
  QImage image = renderImage(pixelSize, dpi > 0 ? dpi / kScreenDpi : 0.0);
  if (dpi > 0) {
    const int dotsPerMeter = static_cast<int>(std::lround(dpi / kMetersPerInch));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  if (!image.save(&file, "PNG")) {
    file.cancelWriting();
    return fail(tr("PNG encoding failed"));
  }
  if (!file.commit()) return fail(file.errorString());
  return true;
}

bool MetricChart::exportSvg(const QString& path, const QSize& size, QString* error) {
  const auto fail = [&](const QString& why) {
    if (error != nullptr) *error = tr("Cannot export the chart to %1: %2").arg(path, why);
    return false;
  };
  QSizeF logical = size.isValid() && !size.isEmpty() ? QSizeF(size) : d_->chart->size();
  if (logical.isEmpty()) logical = sizeHint();
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  QSvgGenerator generator;
  generator.setOutputDevice(&file);
  generator.setSize(logical.toSize());
  generator.setViewBox(QRectF(QPointF(0, 0), logical));
  generator.setTitle(title().isEmpty() ? QStringLiteral("LARS Lab chart") : title());
  generator.setDescription(QStringLiteral("Exported from LARS Lab"));
  QPainter painter;
  if (!painter.begin(&generator)) {
    file.cancelWriting();
    return fail(tr("cannot start the SVG writer"));
  }
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  d_->renderTo(&painter, QRectF(QPointF(0, 0), logical), logical);
  painter.end();
  if (!file.commit()) return fail(file.errorString());
  return true;
}

}  // namespace larslab::ui
