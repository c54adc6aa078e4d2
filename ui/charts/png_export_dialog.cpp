#include "ui/charts/png_export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/charts/metric_chart.h"

namespace larslab::ui {

namespace {
const QString kWidthKey = QStringLiteral("export/pngWidth");
const QString kHeightKey = QStringLiteral("export/pngHeight");
const QString kDpiKey = QStringLiteral("export/pngDpi");

bool offered(int dpi) { return std::find(kPngExportDpis.begin(), kPngExportDpis.end(), dpi) != kPngExportDpis.end(); }
bool validSide(int px) { return px >= 1 && px <= kMaxPngExportPixels; }
}  // namespace

PngExportChoice rememberedPngExport() {
  const QSettings settings;
  PngExportChoice c;
  const int w = settings.value(kWidthKey, c.pixels.width()).toInt();
  const int h = settings.value(kHeightKey, c.pixels.height()).toInt();
  const int dpi = settings.value(kDpiKey, c.dpi).toInt();
  // A hand-edited or stale value falls back to the default rather than failing the export.
  if (validSide(w) && validSide(h)) c.pixels = QSize(w, h);
  if (offered(dpi)) c.dpi = dpi;
  return c;
}

void rememberPngExport(const PngExportChoice& choice) {
  QSettings settings;
  settings.setValue(kWidthKey, choice.pixels.width());
  settings.setValue(kHeightKey, choice.pixels.height());
  settings.setValue(kDpiKey, choice.dpi);
}

PngExportDialog::PngExportDialog(const PngExportChoice& initial, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Export PNG"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  width_ = new QSpinBox(this);
  width_->setObjectName(QStringLiteral("pngWidth"));
  height_ = new QSpinBox(this);
  height_->setObjectName(QStringLiteral("pngHeight"));
  for (QSpinBox* s : {width_, height_}) {
    s->setRange(16, kMaxPngExportPixels);
    s->setSuffix(tr(" px"));
    s->setSingleStep(100);
  }
  width_->setValue(initial.pixels.width());
  height_->setValue(initial.pixels.height());
  dpi_ = new QComboBox(this);
  dpi_->setObjectName(QStringLiteral("pngDpi"));
  for (int dpi : kPngExportDpis) dpi_->addItem(tr("%1 DPI").arg(dpi), dpi);
  dpi_->setCurrentIndex(std::max(0, dpi_->findData(initial.dpi)));
  dpi_->setToolTip(tr("Text and lines are drawn DPI/96 times larger, and the resolution is stored in the PNG: "
                      "the image prints (or fills a slide) at the size the note below gives."));
  form->addRow(tr("Width"), width_);
  form->addRow(tr("Height"), height_);
  form->addRow(tr("Resolution"), dpi_);
  layout->addLayout(form);
  note_ = new QLabel(this);
  note_->setObjectName(QStringLiteral("pngNote"));
  note_->setWordWrap(true);
  layout->addWidget(note_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  connect(width_, &QSpinBox::valueChanged, this, &PngExportDialog::updateNote);
  connect(height_, &QSpinBox::valueChanged, this, &PngExportDialog::updateNote);
  connect(dpi_, &QComboBox::currentIndexChanged, this, &PngExportDialog::updateNote);
  updateNote();
}

PngExportChoice PngExportDialog::choice() const {
  return {QSize(width_->value(), height_->value()), dpi_->currentData().toInt()};
}

void PngExportDialog::updateNote() {
  const PngExportChoice c = choice();
  const double inches = 1.0 / c.dpi;
  note_->setText(tr("%1 × %2 pixels: a %3 × %4 cm picture (laid out like a %5 × %6 px chart on screen).")
                     .arg(c.pixels.width())
                     .arg(c.pixels.height())
                     .arg(c.pixels.width() * inches * 2.54, 0, 'f', 1)
                     .arg(c.pixels.height() * inches * 2.54, 0, 'f', 1)
                     .arg(std::lround(c.pixels.width() * MetricChart::kScreenDpi / c.dpi))
                     .arg(std::lround(c.pixels.height() * MetricChart::kScreenDpi / c.dpi)));
}

std::optional<PngExportChoice> askPngExport(QWidget* parent) {
  PngExportDialog dialog(rememberedPngExport(), parent);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  const PngExportChoice c = dialog.choice();
  rememberPngExport(c);
  return c;
}

}  // namespace larslab::ui
