#include "study_heatmap.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "log_scale.h"

namespace larslab::ui {

namespace {
constexpr int kMinCellWidth = 52;
constexpr int kMinCellHeight = 26;
const QColor kFailedColor(214, 39, 40);
}  // namespace

QString gridValueLabel(double v) { return QString::number(v, 'g', 4); }

StudyHeatmap::StudyHeatmap(QWidget* parent) : QWidget(parent) {
  setMouseTracking(false);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void StudyHeatmap::setGrid(const QString& title, const QString& xName, const std::vector<double>& xValues,
                           const QString& yName, const std::vector<double>& yValues,
                           std::vector<HeatmapCell> cells, double low, double high, bool higherIsBetter) {
  title_ = title;
  xName_ = xName;
  yName_ = yName;
  xValues_ = xValues;
  yValues_ = yValues;
  cells_ = std::move(cells);
  cells_.resize(xValues_.size() * yValues_.size());
  low_ = low;
  high_ = high;
  higherIsBetter_ = higherIsBetter;
  selected_.reset();
  updateGeometry();
  update();
}

const HeatmapCell& StudyHeatmap::cell(int x, int y) const {
  return cells_.at(static_cast<std::size_t>(y) * xValues_.size() + static_cast<std::size_t>(x));
}

QString StudyHeatmap::cellText(int x, int y) const {
  const HeatmapCell& c = cell(x, y);
  if (c.seeds == 0) return {};
  if (c.skipped == c.seeds) return tr("skipped");
  if (!std::isfinite(c.value)) return tr("diverged");
  return QString::number(c.value, 'f', 3);
}

QSize StudyHeatmap::minimumSizeHint() const {
  const QFontMetrics fm(font());
  const int left = fm.horizontalAdvance(QStringLiteral("0.0001")) + fm.height() + 14;
  const int bottom = 2 * fm.height() + 12;
  const int top = fm.height() + 8;
  return {left + kMinCellWidth * std::max<int>(1, static_cast<int>(xValues_.size())) + 8,
          top + bottom + kMinCellHeight * std::max<int>(1, static_cast<int>(yValues_.size()))};
}

QRect StudyHeatmap::plotRect() const {
  const QFontMetrics fm(font());
  int labelWidth = fm.horizontalAdvance(QStringLiteral("0.0"));
  for (const double y : yValues_) labelWidth = std::max(labelWidth, fm.horizontalAdvance(gridValueLabel(y)));
  const int left = labelWidth + fm.height() + 14;  // the rotated axis name, then the labels
  const int top = fm.height() + 8;                 // the run's name
  const int bottom = 2 * fm.height() + 12;         // value labels, then the axis name
  return QRect(left, top, std::max(1, width() - left - 8), std::max(1, height() - top - bottom));
}

QRect StudyHeatmap::cellRect(int x, int y) const {
  const QRect plot = plotRect();
  const int nx = std::max<int>(1, static_cast<int>(xValues_.size()));
  const int ny = std::max<int>(1, static_cast<int>(yValues_.size()));
  // Row 0 (the first y value) at the bottom, as on a chart's y axis.
  const int x0 = plot.left() + plot.width() * x / nx;
  const int x1 = plot.left() + plot.width() * (x + 1) / nx;
  const int y1 = plot.bottom() + 1 - plot.height() * y / ny;
  const int y0 = plot.bottom() + 1 - plot.height() * (y + 1) / ny;
  return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

std::optional<std::pair<int, int>> StudyHeatmap::cellAt(QPoint pos) const {
  for (int y = 0; y < static_cast<int>(yValues_.size()); ++y)
    for (int x = 0; x < static_cast<int>(xValues_.size()); ++x)
      if (cellRect(x, y).contains(pos)) return std::pair{x, y};
  return std::nullopt;
}

void StudyHeatmap::setSelected(std::optional<std::pair<int, int>> cell) {
  selected_ = cell;
  update();
}

QColor StudyHeatmap::colorOf(double v) const {
  double t = high_ > low_ ? (v - low_) / (high_ - low_) : 1.0;
  if (!higherIsBetter_) t = 1.0 - t;
  return viridis(t);
}

void StudyHeatmap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, false);
  const QFontMetrics fm(font());
  const QRect plot = plotRect();
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.drawText(QRect(0, 0, width(), fm.height() + 6), Qt::AlignHCenter | Qt::AlignVCenter, title_);
  p.setFont(font());
  for (int y = 0; y < static_cast<int>(yValues_.size()); ++y)
    for (int x = 0; x < static_cast<int>(xValues_.size()); ++x) {
      const QRect r = cellRect(x, y);
      const HeatmapCell& c = cell(x, y);
      const bool finite = std::isfinite(c.value);
      const QColor fill = c.seeds == 0 ? palette().color(QPalette::Window)
                          : finite     ? colorOf(c.value)
                                       : QColor(60, 60, 60);
      p.fillRect(r, fill);
      const QString text = cellText(x, y);
      QColor ink = qGray(fill.rgb()) > 140 ? Qt::black : Qt::white;
      if (!finite && c.skipped < c.seeds) ink = QColor(255, 120, 120);
      p.setPen(ink);
      p.drawText(r, Qt::AlignCenter, fm.elidedText(text, Qt::ElideRight, r.width() - 2));
      // Some seeds failed while others trained: a red corner says the mean hides a failure.
      if (finite && c.failed > 0) {
        const QPoint corner = r.topRight();
        const QPolygon triangle({corner, corner + QPoint(-14, 0), corner + QPoint(0, 14)});
        p.setBrush(kFailedColor);
        p.setPen(Qt::NoPen);
        p.drawPolygon(triangle);
        p.setBrush(Qt::NoBrush);
      }
    }
  if (selected_) {
    p.setPen(QPen(palette().color(QPalette::Highlight), 3));
    p.drawRect(cellRect(selected_->first, selected_->second).adjusted(1, 1, -1, -1));
  }
  p.setPen(palette().color(QPalette::WindowText));
  for (int x = 0; x < static_cast<int>(xValues_.size()); ++x) {
    const QRect r = cellRect(x, 0);
    p.drawText(QRect(r.left(), plot.bottom() + 4, r.width(), fm.height()), Qt::AlignHCenter | Qt::AlignTop,
               gridValueLabel(xValues_[static_cast<std::size_t>(x)]));
  }
  p.drawText(QRect(plot.left(), plot.bottom() + 6 + fm.height(), plot.width(), fm.height() + 4),
             Qt::AlignHCenter | Qt::AlignTop, xName_);
  for (int y = 0; y < static_cast<int>(yValues_.size()); ++y) {
    const QRect r = cellRect(0, y);
    p.drawText(QRect(0, r.top(), plot.left() - 6, r.height()), Qt::AlignRight | Qt::AlignVCenter,
               gridValueLabel(yValues_[static_cast<std::size_t>(y)]));
  }
  p.save();
  p.translate(2, plot.center().y());
  p.rotate(-90);
  p.drawText(QRect(-plot.height() / 2, 0, plot.height(), fm.height() + 2), Qt::AlignCenter, yName_);
  p.restore();
}

void StudyHeatmap::mousePressEvent(QMouseEvent* event) {
  if (const auto c = cellAt(event->position().toPoint())) {
    setSelected(c);
    Q_EMIT cellClicked(c->first, c->second);
  }
  QWidget::mousePressEvent(event);
}

bool StudyHeatmap::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    if (const auto c = cellAt(help->pos())) {
      const HeatmapCell& cell = this->cell(c->first, c->second);
      QString text = QStringLiteral("%1 = %2, %3 = %4: %5 (%6 seed%7)")
                         .arg(xName_, gridValueLabel(xValues_[static_cast<std::size_t>(c->first)]), yName_,
                              gridValueLabel(yValues_[static_cast<std::size_t>(c->second)]),
                              cellText(c->first, c->second))
                         .arg(cell.seeds)
                         .arg(cell.seeds == 1 ? QString() : QStringLiteral("s"));
      if (!cell.detail.isEmpty()) text += QStringLiteral("\n") + cell.detail;
      QToolTip::showText(help->globalPos(), text + tr("\nClick for its training curves."), this);
    } else {
      QToolTip::hideText();
    }
    return true;
  }
  return QWidget::event(event);
}

}  // namespace larslab::ui
