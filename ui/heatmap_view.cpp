#include "heatmap_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "charts/value_format.h"
#include "run_colors.h"

namespace larslab::ui {

namespace {

// 256 samples of the colour map: recolouring a frame is then a table look-up per cell.
const std::array<QRgb, 256>& viridisTable() {
  static const std::array<QRgb, 256> table = [] {
    std::array<QRgb, 256> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = viridis(static_cast<double>(i) / 255.0).rgb();
    return t;
  }();
  return table;
}

QString valueText(double v) { return std::isfinite(v) ? formatValue(v) : QString::number(v); }

// 1, 2 or 5 times a power of ten, at least `raw`.
long niceStep(double raw) {
  long p = 1;
  while (static_cast<double>(p) * 10 <= raw) p *= 10;
  for (const long m : {1L, 2L, 5L, 10L})
    if (static_cast<double>(p * m) >= raw) return p * m;
  return p * 10;
}

}  // namespace

// The plot: row labels (left), cells, step axis (below), colour legend (right).
class HeatmapView::Canvas : public QWidget {
 public:
  // The view's translation context (a Canvas has no Q_OBJECT of its own).
  static QString tr(const char* text) { return HeatmapView::tr(text); }
  explicit Canvas(HeatmapView* view) : QWidget(view), view_(view) {
    setMouseTracking(true);
    setMinimumHeight(160);
  }
  [[nodiscard]] QRect plotRect() const {
    const QFontMetrics fm(font());
    int left = 0;
    for (const Row& r : view_->rows_) left = std::max(left, fm.horizontalAdvance(r.label));
    const int legend = 14 + 6 +
                       std::max({fm.horizontalAdvance(QStringLiteral("0.0001")),
                                 fm.horizontalAdvance(tr("0, inf, NaN")), fm.horizontalAdvance(tr("no data"))}) +
                       12;
    return QRect(left + 10, 6, std::max(1, width() - left - 10 - legend - 10),
                 std::max(1, height() - 6 - 2 * fm.height() - 10));
  }

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override { view_->extend(); }
  bool event(QEvent* e) override {
    if (e->type() == QEvent::ToolTip) {
      const auto* he = static_cast<QHelpEvent*>(e);
      const auto cell = view_->cellAt(mapTo(view_, he->pos()));
      if (!cell) {
        QToolTip::hideText();
        return true;
      }
      const auto [row, column] = *cell;
      const long step = view_->cellStep(row, column);
      QString s = view_->rowLabel(row) + QLatin1Char('\n') + tr("step %1").arg(step) + QLatin1Char('\n') +
                  viewMetricSymbol(view_->metric()) + QStringLiteral(" = ") + valueText(view_->cellValue(row, column));
      if (view_->bucket_ > 1)
        s += QLatin1Char('\n') + tr("(the last step of steps %1–%2)")
                                     .arg(static_cast<long>(column) * view_->bucket_)
                                     .arg(static_cast<long>(column + 1) * view_->bucket_ - 1);
      QToolTip::showText(he->globalPos(), s, this);
      return true;
    }
    return QWidget::event(e);
  }

 private:
  HeatmapView* view_;
};

void HeatmapView::Canvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QFontMetrics fm(font());
  const QColor text = palette().color(QPalette::Text);
  if (view_->rows_.empty() || view_->columns_ == 0) {
    p.setPen(text);
    p.drawText(rect(), Qt::AlignCenter, tr("No recorded step yet: press Play or Step."));
    return;
  }
  const QRect plot = plotRect();
  p.drawImage(plot, view_->image_);
  const int nr = static_cast<int>(view_->rows_.size());
  const double rowH = static_cast<double>(plot.height()) / nr;
  const double colW = static_cast<double>(plot.width()) / view_->columns_;

  // Row labels (every k-th when rows are thinner than the text) and layer boundaries.
  const int every = std::max(1, static_cast<int>(std::ceil(fm.height() / std::max(1.0, rowH))));
  p.setPen(text);
  for (int r = 0; r < nr; r += every)
    p.drawText(QRectF(0, plot.top() + r * rowH, plot.left() - 6, rowH), Qt::AlignRight | Qt::AlignVCenter,
               view_->rows_[static_cast<std::size_t>(r)].label);
  if (view_->mode_->currentIndex() == static_cast<int>(Mode::TensorsOfRun)) {
    p.setPen(QPen(palette().color(QPalette::Base), 1.0));
    for (int r = 1; r < nr; ++r)
      if (layerOf(view_->rows_[static_cast<std::size_t>(r)].label) != layerOf(view_->rows_[static_cast<std::size_t>(r - 1)].label)) {
        const double y = plot.top() + r * rowH;
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right() + 1, y));
      }
  }

  // Step axis: ticks at round steps, placed on the column that holds them.
  const long span = static_cast<long>(view_->columns_) * view_->bucket_;
  const int maxTicks = std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("0000000")) + 10));
  const long tick = niceStep(static_cast<double>(span) / maxTicks);
  p.setPen(text);
  for (long s = 0; s < span; s += tick) {
    const double x = plot.left() + (static_cast<double>(s / view_->bucket_) + 0.5) * colW;
    p.drawLine(QPointF(x, plot.bottom() + 1), QPointF(x, plot.bottom() + 4));
    p.drawText(QRectF(x - 60, plot.bottom() + 4, 120, fm.height()), Qt::AlignHCenter | Qt::AlignTop, formatX(static_cast<double>(s)));
  }
  p.drawText(QRectF(plot.left(), plot.bottom() + 4 + fm.height(), plot.width(), fm.height()), Qt::AlignHCenter,
             view_->bucket_ > 1 ? tr("step (one column = %1 steps, showing the last)").arg(view_->bucket_) : tr("step"));

  // The step cursor.
  if (const int cursor = view_->cursorColumn(); cursor >= 0) {
    const double x = plot.left() + (cursor + 0.5) * colW;
    p.setPen(QPen(Qt::white, 3.0));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    p.setPen(QPen(Qt::black, 1.0));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
  }

  // Legend: the colour bar labelled in decades, then the colours that are not on it.
  const int bx = plot.right() + 12;
  const int swatches = 2 * (fm.height() + 4);
  const QRect bar(bx, plot.top(), 14, std::max(20, plot.height() - swatches - 8));
  for (int y = 0; y < bar.height(); ++y) {
    p.setPen(viridis(1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1)));
    p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
  }
  p.setPen(text);
  p.setBrush(Qt::NoBrush);
  p.drawRect(bar.adjusted(0, 0, -1, -1));
  const DecadeRange& range = view_->range_;
  for (const int e : decadeTicks(range, std::max(2, bar.height() / (fm.height() * 2)))) {
    const double y = bar.bottom() - logPosition(std::pow(10.0, e), range) * bar.height();
    p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
    p.drawText(QRectF(bar.right() + 5, y - fm.height() / 2.0, 200, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, decadeLabel(e));
  }
  int sy = bar.bottom() + 8;
  const std::array<std::pair<QColor, QString>, 2> others{{{nonFiniteColor(), tr("0, inf, NaN")},
                                                          {palette().color(QPalette::Window), tr("no data")}}};
  for (const auto& [color, label] : others) {
    p.fillRect(QRect(bx, sy, 14, fm.height()), color);
    p.drawRect(QRect(bx, sy, 13, fm.height() - 1));
    p.drawText(QRect(bx + 19, sy, 200, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, label);
    sy += fm.height() + 4;
  }
}

HeatmapView::HeatmapView(QWidget* parent) : TeachingView(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* label = new QLabel(tr("Quantity:"), this);
  metric_ = makeViewMetricCombo(this);
  metric_->setObjectName(QStringLiteral("heatmapMetric"));
  label->setBuddy(metric_);
  mode_ = new QComboBox(this);
  mode_->setObjectName(QStringLiteral("heatmapMode"));
  mode_->addItem(tr("Selected run: every tensor"));
  mode_->addItem(tr("Selected tensor: every run"));
  mode_->setToolTip(tr("One row per tensor of the selected run, or one row per run for the selected tensor."));
  bar->addWidget(label);
  bar->addWidget(metric_);
  bar->addSpacing(12);
  bar->addWidget(mode_);
  bar->addSpacing(12);
  title_ = new QLabel(this);
  title_->setObjectName(QStringLiteral("heatmapTitle"));
  bar->addWidget(title_, 1);
  layout->addLayout(bar);
  canvas_ = new Canvas(this);
  layout->addWidget(canvas_, 1);
  connect(metric_, &QComboBox::currentIndexChanged, this, [this] {
    built_ = false;
    extend();
  });
  connect(mode_, &QComboBox::currentIndexChanged, this, [this] {
    built_ = false;
    extend();
  });
}

QColor HeatmapView::nonFiniteColor() { return QColor(220, 20, 60); }

const ViewMetric& HeatmapView::metric() const {
  const int i = std::clamp(metric_->currentData().toInt(), 0, static_cast<int>(viewMetrics().size()) - 1);
  return viewMetrics()[static_cast<std::size_t>(i)];
}

void HeatmapView::showContext(const ViewContext& context) {
  const bool runsMode = mode_->currentIndex() == static_cast<int>(Mode::RunsOfTensor);
  // A different store, or a different run (tensor) whose rows are shown, starts over.
  if (context.store != context_.store || (!runsMode && context.run != context_.run) ||
      (runsMode && context.tensor != context_.tensor) ||
      (runsMode && context.store && context.store->runCount() != rowCount()))
    built_ = false;
  const bool moved = context.step != context_.step;
  context_ = context;
  extend();
  if (moved) canvas_->update();
}

void HeatmapView::reset() {
  rows_.clear();
  bucket_ = 1;
  columns_ = 0;
  built_ = true;
  const auto& store = context_.store;
  const QString symbol = viewMetricSymbol(metric());
  if (!store || store->runCount() == 0 || store->tensorCount() == 0) {
    title_->clear();
  } else if (mode_->currentIndex() == static_cast<int>(Mode::TensorsOfRun)) {
    int run = store->runIndex(context_.run.toStdString());
    if (run < 0) run = 0;
    for (int t = 0; t < store->tensorCount(); ++t)
      rows_.push_back({run, t, QString::fromStdString(store->tensors()[static_cast<std::size_t>(t)].name), {}, 0});
    title_->setText(tr("%1 of every tensor of %2").arg(symbol, QString::fromStdString(store->runName(run))));
  } else {
    int tensor = 0;
    for (int t = 0; t < store->tensorCount(); ++t)
      if (context_.tensor.toStdString() == store->tensors()[static_cast<std::size_t>(t)].name) tensor = t;
    for (int r = 0; r < store->runCount(); ++r) rows_.push_back({r, tensor, QString::fromStdString(store->runName(r)), {}, 0});
    title_->setText(tr("%1 of %2 in every run (select another tensor in the charts or the inspector)")
                        .arg(symbol, QString::fromStdString(store->tensors()[static_cast<std::size_t>(tensor)].name)));
  }
  builtWidth_ = canvas_->plotRect().width();
}

void HeatmapView::extend() {
  cellsRead_ = 0;
  if (!built_ || canvas_->plotRect().width() != builtWidth_) reset();
  const auto& store = context_.store;
  if (!store || rows_.empty()) {
    image_ = QImage();
    canvas_->update();
    return;
  }
  long steps = 0;
  for (const Row& r : rows_) steps = std::max(steps, store->stepCount(r.run));
  // Double the bucket until the columns fit the pixels; keep every second column.
  const long width = std::max(1, builtWidth_);
  bool changed = false;
  bool merged = false;               // columns were merged: every pixel moves
  auto firstChanged = std::numeric_limits<std::size_t>::max();  // else: the first column that changed
  while ((steps + bucket_ - 1) / bucket_ > width) {
    bucket_ *= 2;
    for (Row& r : rows_) {
      std::vector<double> kept((r.cells.size() + 1) / 2);
      for (std::size_t c = 0; c < kept.size(); ++c) kept[c] = r.cells[std::min(2 * c + 1, r.cells.size() - 1)];
      r.cells = std::move(kept);
      r.complete /= 2;
    }
    changed = true;
    merged = true;
  }
  const ViewMetric& m = metric();
  for (Row& r : rows_) {
    const long n = store->stepCount(r.run);
    const auto cols = static_cast<std::size_t>((n + bucket_ - 1) / bucket_);
    if (cols != r.cells.size()) {
      changed = true;
      firstChanged = std::min(firstChanged, std::min(r.cells.size(), cols));
    }
    r.cells.resize(cols, std::nan(""));
    for (auto c = static_cast<std::size_t>(r.complete); c < cols; ++c) {
      const long s = std::min(static_cast<long>(c + 1) * bucket_ - 1, n - 1);
      const double v = viewMetricValue(*store, r.run, r.tensor, m, s);
      ++cellsRead_;
      if (!(v == r.cells[c] || (std::isnan(v) && std::isnan(r.cells[c])))) {
        changed = true;
        firstChanged = std::min(firstChanged, c);
      }
      r.cells[c] = v;
    }
    r.complete = n / bucket_;
  }
  const int columns = static_cast<int>((steps + bucket_ - 1) / bucket_);
  if (columns != columns_) changed = true;
  columns_ = columns;
  if (changed || image_.isNull()) recolor(merged || image_.isNull() ? 0 : firstChanged);
}

void HeatmapView::recolor(std::size_t fromColumn) {
  std::vector<double> all;
  for (const Row& r : rows_) all.insert(all.end(), r.cells.begin(), r.cells.end());
  const DecadeRange range = decadeRangeOf(all);
  const QSize size(std::max(1, columns_), std::max(1, rowCount()));
  // While training only the last columns change: the others keep their pixels, unless the colour
  // scale moved (or the image was rebuilt), which recolours every cell.
  if (range != range_ || image_.height() != size.height() || fromColumn > static_cast<std::size_t>(image_.width()))
    fromColumn = 0;
  range_ = range;
  if (fromColumn == 0) {
    image_ = QImage(size, QImage::Format_RGB32);
    image_.fill(palette().color(QPalette::Window));
  } else if (image_.size() != size) {
    image_ = image_.copy(QRect(QPoint(0, 0), size));
  }
  const QRgb background = palette().color(QPalette::Window).rgb();
  for (int row = 0; row < rowCount(); ++row) {
    auto* line = reinterpret_cast<QRgb*>(image_.scanLine(row));
    const auto& cells = rows_[static_cast<std::size_t>(row)].cells;
    for (auto c = fromColumn; c < static_cast<std::size_t>(columns_); ++c)
      line[c] = c < cells.size() ? colorOf(cells[c]).rgb() : background;
  }
  canvas_->update();
}

QColor HeatmapView::colorOf(double v) const {
  if (!loggable(v)) return nonFiniteColor();
  const double t = std::clamp(logPosition(v, range_), 0.0, 1.0);
  return QColor(viridisTable()[static_cast<std::size_t>(std::lround(t * 255.0))]);
}

int HeatmapView::cursorColumn() const {
  if (context_.step < 0 || context_.step / bucket_ >= columns_) return -1;
  return static_cast<int>(context_.step / bucket_);
}

QString HeatmapView::rowLabel(int row) const {
  return row >= 0 && row < rowCount() ? rows_[static_cast<std::size_t>(row)].label : QString();
}

long HeatmapView::cellStep(int row, int column) const {
  if (row < 0 || row >= rowCount() || column < 0) return -1;
  const Row& r = rows_[static_cast<std::size_t>(row)];
  if (column >= static_cast<int>(r.cells.size())) return -1;
  return std::min(static_cast<long>(column + 1) * bucket_ - 1, context_.store->stepCount(r.run) - 1);
}

double HeatmapView::cellValue(int row, int column) const {
  if (cellStep(row, column) < 0) return std::nan("");
  return rows_[static_cast<std::size_t>(row)].cells[static_cast<std::size_t>(column)];
}

std::optional<std::pair<int, int>> HeatmapView::cellAt(QPoint pos) const {
  const QRect plot = canvas_->plotRect().translated(canvas_->pos());
  if (rows_.empty() || columns_ == 0 || !plot.contains(pos)) return std::nullopt;
  const int row = std::min(rowCount() - 1, (pos.y() - plot.top()) * rowCount() / plot.height());
  const int column = std::min(columns_ - 1, static_cast<int>(static_cast<long>(pos.x() - plot.left()) * columns_ / plot.width()));
  if (cellStep(row, column) < 0) return std::nullopt;
  return std::make_pair(row, column);
}

}  // namespace larslab::ui
