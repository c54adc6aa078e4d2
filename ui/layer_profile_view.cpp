#include "layer_profile_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHash>
#include <QPixmap>
#include <QHelpEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "charts/chart_palette.h"
#include "charts/value_format.h"
#include "log_scale.h"
#include "run_colors.h"

namespace larslab::ui {

namespace {

QString kindText(nn::TensorKind k) {
  switch (k) {
    case nn::TensorKind::Weight: return LayerProfileView::tr("weight");
    case nn::TensorKind::Bias: return LayerProfileView::tr("bias");
    case nn::TensorKind::Norm: return LayerProfileView::tr("norm (BatchNorm)");
    case nn::TensorKind::Statistic: return LayerProfileView::tr("statistic");
  }
  return {};
}

// Weight: filled dot; bias: hollow dot; norm (and anything else): filled square.
void drawMarker(QPainter& p, QPointF c, double r, nn::TensorKind kind, const QColor& color) {
  p.setPen(QPen(color, kind == nn::TensorKind::Bias ? 2.0 : 1.0));
  p.setBrush(kind == nn::TensorKind::Bias ? QBrush(Qt::NoBrush) : QBrush(color));
  if (kind == nn::TensorKind::Weight || kind == nn::TensorKind::Bias)
    p.drawEllipse(c, r, r);
  else
    p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r));
}

QString valueText(double v) { return loggable(v) || v == 0.0 ? formatValue(v) : QString::number(v); }

}  // namespace

// The plot: legend (runs, kinds), log y axis with decade ticks, one slot per tensor grouped by
// layer, labelled by layer with each slot's kind marked under the axis.
class LayerProfileView::Canvas : public QWidget {
 public:
  // The view's translation context (a Canvas has no Q_OBJECT of its own).
  static QString tr(const char* text) { return LayerProfileView::tr(text); }
  explicit Canvas(LayerProfileView* view) : QWidget(view), view_(view) {
    setMouseTracking(true);
    setMinimumHeight(200);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
  }

 protected:
  void paintEvent(QPaintEvent*) override;
  bool event(QEvent* e) override {
    if (e->type() == QEvent::ToolTip) {
      const auto* he = static_cast<QHelpEvent*>(e);
      const QString text = tipAt(he->pos());
      if (text.isEmpty()) QToolTip::hideText();
      else QToolTip::showText(he->globalPos(), text, this);
      return true;
    }
    return QWidget::event(e);
  }

 private:
  struct Hit {
    QPointF at;
    int run;
    int tensor;
    bool ghost;
  };
  [[nodiscard]] QString tipAt(QPoint pos) const;
  // Draws a marker from a sprite made once per (kind, colour, radius): stroking hundreds of
  // antialiased ellipses is most of a frame's cost otherwise.
  void drawSprite(QPainter& p, QPointF c, double r, nn::TensorKind kind, const QColor& color);

  LayerProfileView* view_;
  std::vector<Hit> hits_;
  QHash<QString, QPixmap> sprites_;
};

void LayerProfileView::Canvas::drawSprite(QPainter& p, QPointF c, double r, nn::TensorKind kind, const QColor& color) {
  const qreal dpr = devicePixelRatioF();
  const QString key = QStringLiteral("%1/%2/%3/%4").arg(static_cast<int>(kind)).arg(color.rgba()).arg(r).arg(dpr);
  auto it = sprites_.find(key);
  if (it == sprites_.end()) {
    const int side = static_cast<int>(std::ceil(2 * r + 4));
    QPixmap sprite(QSize(side, side) * dpr);
    sprite.setDevicePixelRatio(dpr);
    sprite.fill(Qt::transparent);
    QPainter sp(&sprite);
    sp.setRenderHint(QPainter::Antialiasing);
    drawMarker(sp, QPointF(side / 2.0, side / 2.0), r, kind, color);
    sp.end();
    if (sprites_.size() > 256) sprites_.clear();
    it = sprites_.insert(key, sprite);
  }
  const double half = it->width() / dpr / 2.0;
  p.drawPixmap(QPointF(std::round(c.x() - half), std::round(c.y() - half)), *it);
}

void LayerProfileView::Canvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  hits_.clear();
  const QFontMetrics fm(font());
  const QColor text = palette().color(QPalette::Text);
  QColor grid = text;
  grid.setAlpha(40);
  const auto& store = view_->context_.store;
  if (!store || store->tensorCount() == 0 || view_->runs_.empty()) {
    p.setPen(text);
    p.drawText(rect(), Qt::AlignCenter, tr("No recorded step yet: press Play or Step."));
    return;
  }
  const auto& tensors = store->tensors();
  const int nt = store->tensorCount();
  const bool ghosts = view_->ghost_->isChecked();
  const double reference = viewMetricReference(view_->metric());

  // Legend, wrapped to the width: the runs, then the kinds, then step 0 and the guide line.
  const int lh = fm.height() + 4;
  int lx = 8;
  int ly = 4;
  auto place = [&](int w) {
    if (lx + w > width() - 8 && lx > 8) {
      lx = 8;
      ly += lh;
    }
    const QPoint at(lx, ly);
    lx += w + 16;
    return at;
  };
  for (const Plotted& r : view_->runs_) {
    if (r.step < 0) continue;
    const QPoint at = place(14 + fm.horizontalAdvance(r.name));
    drawMarker(p, QPointF(at.x() + 5, at.y() + lh / 2.0), 4.5, nn::TensorKind::Weight, r.color);
    p.setPen(text);
    p.drawText(at.x() + 14, at.y() + fm.ascent() + 2, r.name);
  }
  std::vector<nn::TensorKind> kinds;
  for (const auto& t : tensors)
    if (std::find(kinds.begin(), kinds.end(), t.kind) == kinds.end()) kinds.push_back(t.kind);
  for (const nn::TensorKind k : kinds) {
    const QString s = kindText(k);
    const QPoint at = place(14 + fm.horizontalAdvance(s));
    drawMarker(p, QPointF(at.x() + 5, at.y() + lh / 2.0), 4.5, k, text);
    p.setPen(text);
    p.drawText(at.x() + 14, at.y() + fm.ascent() + 2, s);
  }
  if (ghosts) {
    const QString s = tr("faint: step 0");
    const QPoint at = place(14 + fm.horizontalAdvance(s));
    QColor g = text;
    g.setAlpha(70);
    drawMarker(p, QPointF(at.x() + 5, at.y() + lh / 2.0), 4.5, nn::TensorKind::Weight, g);
    p.setPen(text);
    p.drawText(at.x() + 14, at.y() + fm.ascent() + 2, s);
  }
  {
    const QString s = tr("× on the axis: 0, inf or NaN");
    const QPoint at = place(fm.horizontalAdvance(s));
    p.setPen(text);
    p.drawText(at.x(), at.y() + fm.ascent() + 2, s);
  }
  if (reference > 0.0) {
    const QString s = tr("%1 rule of thumb").arg(formatValue(reference));
    const QPoint at = place(22 + fm.horizontalAdvance(s));
    p.setPen(QPen(text, 1.0, Qt::DashLine));
    p.drawLine(at.x(), at.y() + lh / 2, at.x() + 16, at.y() + lh / 2);
    p.setPen(text);
    p.drawText(at.x() + 22, at.y() + fm.ascent() + 2, s);
  }
  const int top = ly + lh + 8;

  // The y range: every plotted value (and the ghosts and the guide when shown).
  std::vector<double> all;
  for (const Plotted& r : view_->runs_) {
    all.insert(all.end(), r.values.begin(), r.values.end());
    if (ghosts) all.insert(all.end(), r.ghosts.begin(), r.ghosts.end());
  }
  if (reference > 0.0) all.push_back(reference);
  const DecadeRange range = decadeRangeOf(all);
  const std::vector<int> ticks = decadeTicks(range, std::max(2, (height() - top) / (fm.height() * 2)));
  int left = 0;
  for (const int e : ticks) left = std::max(left, fm.horizontalAdvance(decadeLabel(e)));
  left += 14;
  const int right = width() - 12;

  // Slots: one per tensor, half a slot between layers.
  std::vector<double> slotX(static_cast<std::size_t>(nt));
  std::vector<std::pair<int, int>> groups;  // first, last tensor of each layer
  for (int t = 0; t < nt; ++t) {
    const QString l = layerOf(QString::fromStdString(tensors[static_cast<std::size_t>(t)].name));
    if (t == 0 || l != layerOf(QString::fromStdString(tensors[static_cast<std::size_t>(t - 1)].name)))
      groups.push_back({t, t});
    else
      groups.back().second = t;
  }
  const double units = nt + 0.5 * static_cast<double>(groups.size() - 1) + 0.4;
  const double slotW = std::max(1.0, (right - left) / units);
  {
    double x = left + 0.7 * slotW;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (int t = groups[g].first; t <= groups[g].second; ++t) {
        slotX[static_cast<std::size_t>(t)] = x;
        x += slotW;
      }
      x += 0.5 * slotW;
    }
  }
  // Layer labels: horizontal when every one fits its group, else rotated (never elided).
  bool rotate = false;
  int longest = 0;
  for (const auto& [first, last] : groups) {
    const QString l = layerOf(QString::fromStdString(tensors[static_cast<std::size_t>(first)].name));
    longest = std::max(longest, fm.horizontalAdvance(l));
    if (fm.horizontalAdvance(l) > (last - first + 1) * slotW + 0.4 * slotW) rotate = true;
  }
  const int kindRow = 14;
  const int bottom = height() - 6 - (rotate ? longest : fm.height()) - kindRow - 4;
  if (bottom - top < 40) return;
  const QRect plot(left, top, right - left, bottom - top);
  auto yOf = [&](double v) { return plot.bottom() - logPosition(v, range) * plot.height(); };

  // A light band behind every other layer. Opaque and pixel-aligned, drawn first: a translucent
  // antialiased fill of this size costs milliseconds per frame.
  {
    const QColor base = palette().color(QPalette::Base);
    const QColor band = QColor::fromRgbF(0.95f * base.redF() + 0.05f * text.redF(), 0.95f * base.greenF() + 0.05f * text.greenF(),
                                         0.95f * base.blueF() + 0.05f * text.blueF());
    for (std::size_t g = 0; g < groups.size(); g += 2) {
      const int x0 = static_cast<int>(slotX[static_cast<std::size_t>(groups[g].first)] - slotW / 2);
      const int x1 = static_cast<int>(slotX[static_cast<std::size_t>(groups[g].second)] + slotW / 2);
      p.fillRect(QRect(QPoint(x0, plot.top()), QPoint(x1, plot.bottom())), band);
    }
  }
  // Axis, decade grid and labels.
  p.setPen(QPen(grid, 1.0));
  for (int e = range.lowExp; e <= range.highExp; ++e) {
    const double y = yOf(std::pow(10.0, e));
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
  }
  p.setPen(text);
  for (const int e : ticks) {
    const double y = yOf(std::pow(10.0, e));
    p.drawText(QRectF(0, y - fm.height() / 2.0, left - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
               decadeLabel(e));
  }
  p.drawLine(plot.bottomLeft(), plot.topLeft());
  p.drawLine(plot.bottomLeft(), plot.bottomRight());
  if (reference > 0.0) {
    p.setPen(QPen(text, 1.0, Qt::DashLine));
    p.drawLine(QPointF(plot.left(), yOf(reference)), QPointF(plot.right(), yOf(reference)));
  }
  // The kind of each slot, the layer names.
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto [first, last] = groups[g];
    const double x0 = slotX[static_cast<std::size_t>(first)] - slotW / 2;
    const double x1 = slotX[static_cast<std::size_t>(last)] + slotW / 2;
    QColor mark = text;
    mark.setAlpha(150);
    for (int t = first; t <= last; ++t)
      drawSprite(p, QPointF(slotX[static_cast<std::size_t>(t)], plot.bottom() + 4 + kindRow / 2.0), 3.5,
                 tensors[static_cast<std::size_t>(t)].kind, mark);
    const QString l = layerOf(QString::fromStdString(tensors[static_cast<std::size_t>(first)].name));
    p.setPen(text);
    const double cx = (x0 + x1) / 2;
    const int ty = plot.bottom() + 4 + kindRow + 2;
    if (rotate) {
      p.save();
      p.translate(cx + fm.ascent() / 2.0 - 1, ty);
      p.rotate(90);
      p.drawText(0, 0, l);
      p.restore();
    } else {
      p.drawText(QRectF(cx - 200, ty, 400, fm.height()), Qt::AlignHCenter | Qt::AlignTop, l);
    }
  }

  // The dots: per run an offset inside the slot; ghosts first (under), a thin line through each
  // run's weight tensors so that a profile that lines up reads as a flat line.
  const int nr = static_cast<int>(view_->runs_.size());
  const double spacing = std::min(slotW * 0.8 / std::max(1, nr), 12.0);
  const double radius = std::clamp(spacing * 0.42, 2.5, 5.0);
  for (int pass = ghosts ? 0 : 1; pass < 2; ++pass) {
    for (int r = 0; r < nr; ++r) {
      const Plotted& run = view_->runs_[static_cast<std::size_t>(r)];
      if (run.step < 0) continue;
      const double dx = (r - (nr - 1) / 2.0) * spacing;
      const std::vector<double>& vals = pass == 0 ? run.ghosts : run.values;
      QColor c = run.color;
      if (pass == 0) c.setAlpha(70);
      QPainterPath line;
      bool started = false;
      for (int t = 0; t < nt; ++t) {
        const double v = vals[static_cast<std::size_t>(t)];
        const double x = slotX[static_cast<std::size_t>(t)] + dx;
        const auto kind = tensors[static_cast<std::size_t>(t)].kind;
        if (!loggable(v)) {
          // Zero or non-finite: an × on the axis, explained by the tooltip.
          p.setPen(QPen(c, 1.5));
          const double y = plot.bottom() - 5;
          p.drawLine(QPointF(x - 3, y - 3), QPointF(x + 3, y + 3));
          p.drawLine(QPointF(x - 3, y + 3), QPointF(x + 3, y - 3));
          hits_.push_back({QPointF(x, y), r, t, pass == 0});
          continue;
        }
        const QPointF at(x, yOf(v));
        if (kind == nn::TensorKind::Weight && pass == 1) {
          if (started) line.lineTo(at);
          else line.moveTo(at);
          started = true;
        }
        drawSprite(p, at, radius, kind, c);
        hits_.push_back({at, r, t, pass == 0});
      }
      if (pass == 1) {
        QColor lc = c;
        lc.setAlpha(110);
        p.setPen(QPen(lc, 1.0));
        p.setBrush(Qt::NoBrush);
        p.drawPath(line);
      }
    }
  }
}

QString LayerProfileView::Canvas::tipAt(QPoint pos) const {
  // The nearest dot within 9 px; a dot of the plotted step wins over a ghost under it.
  const Hit* best = nullptr;
  double bestD = 0.0;
  for (const Hit& h : hits_) {
    const double d = std::hypot(h.at.x() - pos.x(), h.at.y() - pos.y());
    if (d > 9.0) continue;
    if (best == nullptr || (best->ghost && !h.ghost) || (best->ghost == h.ghost && d < bestD)) {
      best = &h;
      bestD = d;
    }
  }
  if (best == nullptr) return {};
  const Plotted& run = view_->runs_[static_cast<std::size_t>(best->run)];
  const auto& info = view_->context_.store->tensors()[static_cast<std::size_t>(best->tensor)];
  const QString symbol = viewMetricSymbol(view_->metric());
  QString s = tr("%1 · %2 (%3)").arg(run.name, QString::fromStdString(info.name), kindText(info.kind));
  s += QLatin1Char('\n') + tr("%1 = %2 at step %3")
                               .arg(symbol, valueText(run.values[static_cast<std::size_t>(best->tensor)]))
                               .arg(run.step);
  s += QLatin1Char('\n') + tr("%1 = %2 at step 0").arg(symbol, valueText(run.ghosts[static_cast<std::size_t>(best->tensor)]));
  return s;
}

LayerProfileView::LayerProfileView(RunColorMap* colors, QWidget* parent) : TeachingView(parent), colors_(colors) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* label = new QLabel(tr("Quantity:"), this);
  metric_ = makeViewMetricCombo(this);
  metric_->setObjectName(QStringLiteral("profileMetric"));
  label->setBuddy(metric_);
  ghost_ = new QCheckBox(tr("Show step 0"), this);
  ghost_->setObjectName(QStringLiteral("profileShowStep0"));
  ghost_->setChecked(true);
  ghost_->setToolTip(tr("Draw the values at step 0 as faint dots, to see how training moved them."));
  bar->addWidget(label);
  bar->addWidget(metric_);
  bar->addSpacing(12);
  bar->addWidget(ghost_);
  bar->addStretch(1);
  layout->addLayout(bar);
  spread_ = new QLabel(this);
  spread_->setObjectName(QStringLiteral("profileSpread"));
  spread_->setWordWrap(true);
  spread_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(spread_);
  canvas_ = new Canvas(this);
  layout->addWidget(canvas_, 1);
  connect(metric_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
  connect(ghost_, &QCheckBox::toggled, this, [this] { canvas_->update(); });
}

const ViewMetric& LayerProfileView::metric() const {
  const int i = std::clamp(metric_->currentData().toInt(), 0, static_cast<int>(viewMetrics().size()) - 1);
  return viewMetrics()[static_cast<std::size_t>(i)];
}

void LayerProfileView::showContext(const ViewContext& context) {
  // Cheap when nothing changed: only the step counts (live) or the context can move the dots.
  bool same = context.store == context_.store && context.run == context_.run && context.step == context_.step &&
              context.store && static_cast<int>(runs_.size()) == context.store->runCount();
  if (same) {
    for (int r = 0; r < context.store->runCount() && same; ++r) {
      const long n = context.store->stepCount(r);
      const long want = context.step < 0 ? n - 1 : (context.step < n ? context.step : -1);
      same = runs_[static_cast<std::size_t>(r)].step == want;
    }
  }
  context_ = context;
  if (!same || !context.store) rebuild();
}

void LayerProfileView::rebuild() {
  runs_.clear();
  selected_ = -1;
  const auto& store = context_.store;
  if (store) {
    const int nt = store->tensorCount();
    const ViewMetric& m = metric();
    for (int r = 0; r < store->runCount(); ++r) {
      Plotted p;
      p.name = QString::fromStdString(store->runName(r));
      p.color = colors_ != nullptr ? colors_->color(p.name) : runColor(r);
      const long n = store->stepCount(r);
      p.step = context_.step < 0 ? n - 1 : (context_.step < n ? context_.step : -1);
      p.values.assign(static_cast<std::size_t>(nt), std::nan(""));
      p.ghosts.assign(static_cast<std::size_t>(nt), std::nan(""));
      for (int t = 0; t < nt && p.step >= 0; ++t) {
        p.values[static_cast<std::size_t>(t)] = viewMetricValue(*store, r, t, m, p.step);
        p.ghosts[static_cast<std::size_t>(t)] = viewMetricValue(*store, r, t, m, 0);
      }
      runs_.push_back(std::move(p));
    }
    selected_ = store->runIndex(context_.run.toStdString());
  }
  spread_->setText(spreadText());
  canvas_->update();
}

double LayerProfileView::plottedValue(int run, int tensor) const {
  if (run < 0 || run >= static_cast<int>(runs_.size())) return std::nan("");
  const auto& v = runs_[static_cast<std::size_t>(run)].values;
  return tensor >= 0 && tensor < static_cast<int>(v.size()) ? v[static_cast<std::size_t>(tensor)] : std::nan("");
}

double LayerProfileView::ghostValue(int run, int tensor) const {
  if (run < 0 || run >= static_cast<int>(runs_.size())) return std::nan("");
  const auto& v = runs_[static_cast<std::size_t>(run)].ghosts;
  return tensor >= 0 && tensor < static_cast<int>(v.size()) ? v[static_cast<std::size_t>(tensor)] : std::nan("");
}

long LayerProfileView::plottedStep(int run) const {
  return run >= 0 && run < static_cast<int>(runs_.size()) ? runs_[static_cast<std::size_t>(run)].step : -1;
}

double LayerProfileView::weightSpread(int run, long step) const {
  const auto& store = context_.store;
  if (!store || run < 0 || run >= store->runCount() || step < 0 || step >= store->stepCount(run)) return std::nan("");
  double lo = 0.0;
  double hi = 0.0;
  int n = 0;
  for (int t = 0; t < store->tensorCount(); ++t) {
    if (store->tensors()[static_cast<std::size_t>(t)].kind != nn::TensorKind::Weight) continue;
    const double v = viewMetricValue(*store, run, t, metric(), step);
    if (!loggable(v)) continue;
    lo = n == 0 ? v : std::min(lo, v);
    hi = n == 0 ? v : std::max(hi, v);
    ++n;
  }
  return n >= 2 ? hi / lo : std::nan("");
}

QString LayerProfileView::spreadText() const {
  if (selected_ < 0) return tr("Select a run to read how widely its weight tensors differ.");
  const long step = plottedStep(selected_);
  if (step < 0) return tr("%1 has no step %2 yet.").arg(runs_[static_cast<std::size_t>(selected_)].name).arg(context_.step);
  const QString symbol = viewMetricSymbol(metric());
  const double first = weightSpread(selected_, 0);
  if (!std::isfinite(first)) return tr("%1: fewer than two weight tensors with a positive, finite %2.").arg(runs_[static_cast<std::size_t>(selected_)].name, symbol);
  QString s = tr("%1 spans %2x across weight tensors at step 0").arg(symbol, formatValue(first));
  if (step > 0) {
    const double now = weightSpread(selected_, step);
    s += tr("; %1x at step %2").arg(std::isfinite(now) ? formatValue(now) : tr("(not finite)")).arg(step);
  }
  return s + tr(" (%1).").arg(runs_[static_cast<std::size_t>(selected_)].name);
}

}  // namespace larslab::ui
