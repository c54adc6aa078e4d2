#include "decision_boundary_view.h"

#include <QPaintEvent>
#include <QPainter>
#include <algorithm>
#include <array>
#include <cmath>

namespace larslab::ui {

namespace {

// Class colours (the tab10 palette): the background is a light tint, the points full colour.
constexpr std::array<QRgb, 10> kClassColors = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                               0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

QColor classColor(int c) { return QColor(kClassColors[static_cast<std::size_t>(std::max(0, c)) % kClassColors.size()]); }

QColor tint(const QColor& c, double towardsWhite) {
  const auto mix = [towardsWhite](int v) { return static_cast<int>(std::lround(v + (255 - v) * towardsWhite)); };
  return QColor(mix(c.red()), mix(c.green()), mix(c.blue()));
}

constexpr int kMaxPointsDrawn = 3000;  // per split: a large CSV would bury the boundary

}  // namespace

QString DecisionBoundaryView::noSessionMessage() {
  return tr("The decision boundary is drawn from a running session's weights; a metric log has none.");
}

DecisionBoundaryView::DecisionBoundaryView(QWidget* parent) : TeachingView(parent), message_(noSessionMessage()) {
  setMinimumSize(240, 200);
}

void DecisionBoundaryView::showContext(const ViewContext& context) {
  if (context.session != session_) {
    session_ = context.session;
    panels_.clear();
    drawnSnapshots_.clear();
    message_.clear();
    if (session_) {
      const data::DatasetSplit& data = session_->data();
      if (data.train.features.cols() == 2) {
        grid_ = engine::planeAround(data, kCells, kCells);
        classify_ = data.train.isClassification();
        classes_ = data.train.numClasses;
        regressionScale_ = std::max(1e-9, static_cast<double>(data.train.targets.cwiseAbs().maxCoeff()));
      } else {
        message_ = tr("The decision boundary needs a dataset with two input features, such as the built-in "
                      "spirals, circles, xor, gaussians or moons; this one has %1.")
                       .arg(data.train.features.cols());
      }
    } else {
      message_ = noSessionMessage();
    }
  }
  step_ = context.step;
  if (!session_ || !message_.isEmpty() || !context.store) {
    update();
    return;
  }
  const engine::MetricsStore& store = *context.store;
  std::vector<Panel> panels;
  std::vector<const void*> drawn;
  bool changed = false;
  for (int r = 0; r < store.runCount(); ++r) {
    if (store.status(r).removed) continue;
    Panel panel;
    panel.run = QString::fromStdString(store.runName(r));
    const auto snapshot = session_->weightsAt(r, step_);
    const std::size_t i = panels.size();
    if (i < panels_.size() && i < drawnSnapshots_.size() && drawnSnapshots_[i] == snapshot.get() &&
        panels_[i].run == panel.run) {
      panel = panels_[i];  // the same weights: nothing to recompute
    } else if (snapshot) {
      panel.step = snapshot->step;
      panel.cells = engine::predictPlane(session_->network(), snapshot->params, grid_, classify_);
      panel.image = imageOf(panel.cells, classify_);
      changed = true;
    } else {
      changed = true;
    }
    drawn.push_back(snapshot.get());
    panels.push_back(std::move(panel));
  }
  changed = changed || panels.size() != panels_.size();
  panels_ = std::move(panels);
  drawnSnapshots_ = std::move(drawn);
  if (changed) update();
}

QImage DecisionBoundaryView::imageOf(const std::vector<float>& cells, bool classify) const {
  // Row 0 of the plane is its bottom (y0): the image's first line is the plane's top row.
  QImage image(grid_.columns, grid_.rows, QImage::Format_RGB32);
  for (int r = 0; r < grid_.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(grid_.rows - 1 - r));
    for (int c = 0; c < grid_.columns; ++c) {
      const float v = cells[static_cast<std::size_t>(r * grid_.columns + c)];
      QColor color;
      if (classify) {
        color = tint(classColor(static_cast<int>(v)), 0.62);
      } else {
        // Blue for negative, white at 0, red for positive outputs, saturating at the targets' range.
        const double t = std::isfinite(v) ? std::clamp(static_cast<double>(v) / regressionScale_, -1.0, 1.0) : 0.0;
        color = t < 0 ? tint(QColor(0x3b4cc0), 1.0 + t) : tint(QColor(0xb40426), 1.0 - t);
      }
      line[c] = color.rgb();
    }
  }
  return image;
}

void DecisionBoundaryView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().color(QPalette::Base));
  p.setPen(palette().color(QPalette::Text));
  const QFontMetrics fm(font());
  if (!message_.isEmpty() || panels_.empty()) {
    p.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
               message_.isEmpty() ? tr("Waiting for the first step.") : message_);
    return;
  }
  const QString caption =
      classify_ ? tr("Background: the class each run predicts over the input plane. Filled dots: training points; "
                     "hollow: test points. Weights kept every %1 steps; each panel names the step it shows.")
                : tr("Background: each run's output (blue negative, white 0, red positive). Filled dots: training "
                     "points; hollow: test points. Weights kept every %1 steps.");
  const long interval = engine::WeightHistory::intervalFor(session_->totalSteps());
  const QRect captionRect(8, height() - 3 * fm.lineSpacing() - 6, width() - 16, 3 * fm.lineSpacing() + 2);
  p.drawText(captionRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, caption.arg(interval));

  const int n = static_cast<int>(panels_.size());
  const int area = captionRect.top() - 8;
  // Columns that make the panels largest.
  int bestColumns = 1;
  int bestSide = 0;
  for (int cols = 1; cols <= n; ++cols) {
    const int rows = (n + cols - 1) / cols;
    const int side = std::min((width() - 16) / cols - 12, area / rows - fm.lineSpacing() - 12);
    if (side > bestSide) {
      bestSide = side;
      bestColumns = cols;
    }
  }
  const int side = std::max(40, bestSide);
  const data::DatasetSplit& data = session_->data();
  const auto toPanel = [this](const QRect& r, float x, float y) {
    return QPointF(r.left() + (x - grid_.x0) / (grid_.x1 - grid_.x0) * r.width(),
                   r.bottom() - (y - grid_.y0) / (grid_.y1 - grid_.y0) * r.height());
  };
  p.setRenderHint(QPainter::Antialiasing);
  for (int i = 0; i < n; ++i) {
    const Panel& panel = panels_[static_cast<std::size_t>(i)];
    const int col = i % bestColumns;
    const int row = i / bestColumns;
    const int cellW = (width() - 16) / bestColumns;
    const int left = 8 + col * cellW + (cellW - side) / 2;
    const int top = 8 + row * (side + fm.lineSpacing() + 12);
    const QString title = panel.step < 0 ? panel.run : tr("%1 · step %2").arg(panel.run).arg(panel.step);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(left, top, side, fm.lineSpacing()), Qt::AlignHCenter | Qt::AlignVCenter, title);
    const QRect plot(left, top + fm.lineSpacing() + 4, side, side);
    if (!panel.image.isNull()) {
      p.setRenderHint(QPainter::SmoothPixmapTransform);
      p.drawImage(plot, panel.image);
    }
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot);
    p.save();
    p.setClipRect(plot);
    for (const auto* split : {&data.train, &data.test}) {
      const bool test = split == &data.test;
      const Eigen::Index count = std::min<Eigen::Index>(split->features.rows(), kMaxPointsDrawn);
      for (Eigen::Index k = 0; k < count; ++k) {
        QColor c = classify_ ? classColor(static_cast<int>(split->targets(k, 0)))
                             : tint(split->targets(k, 0) < 0 ? QColor(0x3b4cc0) : QColor(0xb40426),
                                    1.0 - std::min(1.0, std::abs(split->targets(k, 0)) / regressionScale_));
        const QPointF at = toPanel(plot, split->features(k, 0), split->features(k, 1));
        if (test) {
          p.setPen(QPen(c.darker(120), 1.2));
          p.setBrush(Qt::NoBrush);
        } else {
          p.setPen(QPen(c.darker(160), 0.6));
          p.setBrush(c);
        }
        p.drawEllipse(at, 2.4, 2.4);
      }
    }
    p.restore();
  }
}

}  // namespace larslab::ui
