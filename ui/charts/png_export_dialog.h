#pragma once
// The size and resolution of a PNG export, asked once per export (the chart's "Export PNG..."
// and File > Export chart) and remembered across starts (QSettings "export/png...").

#include <QDialog>
#include <QSize>
#include <array>
#include <optional>

class QComboBox;
class QLabel;
class QSpinBox;

namespace larslab::ui {

struct PngExportChoice {
  QSize pixels{1600, 1000};
  int dpi = 200;  // text and lines scaled by dpi / 96; written into the PNG
  bool operator==(const PngExportChoice&) const = default;
};

// The resolutions offered: screen, and three print/slide resolutions.
inline constexpr std::array<int, 4> kPngExportDpis{96, 150, 200, 300};
inline constexpr int kMaxPngExportPixels = 20000;  // per side, as MetricChart::exportPng accepts

// The last choice made (the default when none was saved or the saved one is not valid).
PngExportChoice rememberedPngExport();
void rememberPngExport(const PngExportChoice& choice);

class PngExportDialog : public QDialog {
  Q_OBJECT

 public:
  explicit PngExportDialog(const PngExportChoice& initial, QWidget* parent = nullptr);
  [[nodiscard]] PngExportChoice choice() const;

 private:
  void updateNote();

  QSpinBox* width_ = nullptr;
  QSpinBox* height_ = nullptr;
  QComboBox* dpi_ = nullptr;
  QLabel* note_ = nullptr;
};

// Asks with the remembered choice; remembers and returns the new one (nullopt: cancelled).
std::optional<PngExportChoice> askPngExport(QWidget* parent);

}  // namespace larslab::ui
