#include "help_dialog.h"

#include <QDialogButtonBox>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "builtin_experiments.h"
#include "teaching_views.h"

namespace larslab::ui {

QString HelpDialog::larsHtml() {
  return tr(R"(<h2>LARS: layer-wise adaptive rate scaling</h2>
<p>LARS (You, Gitman &amp; Ginsburg 2017, <i>Large Batch Training of Convolutional Networks</i>,
arXiv:1708.03888, Algorithm 1) gives every parameter tensor its own learning rate, scaled by how
large the tensor's weights are compared with its gradient. A "layer" is one tensor: a dense
layer's weight and its bias are two layers, as in every public implementation.</p>
<p>Notation: <i>w</i> weights, <i>g</i> gradient, β weight decay, η trust coefficient,
γ global learning rate, <i>m</i> momentum, <i>t</i> step, <i>T</i> total steps.</p>
<table cellpadding="4">
<tr><td>global learning rate</td><td><code>γ<sub>t</sub> = γ<sub>0</sub> · (1 − t/T)<sup>2</sup></code> (polynomial decay after a linear warm-up)</td></tr>
<tr><td>local learning rate</td><td><code>λ = η · ‖w‖ / (‖g‖ + β‖w‖)</code></td></tr>
<tr><td>momentum</td><td><code>v ← m·v + γ<sub>t</sub> · λ · (g + β·w)</code></td></tr>
<tr><td>update</td><td><code>w ← w − v</code></td></tr>
</table>
<p>The ratio ‖w‖/‖g‖ makes the step size of every tensor proportional to its own weight norm,
so layers whose gradients are tiny or huge compared with their weights still move by a sensible
fraction: with β = 0, scaling a tensor's gradient by any c &gt; 0 does not change its update.
A typical η is 0.001. The local learning rate is bounded by η/β.</p>
<p><b>Note.</b> Some descriptions of LARS say the learning rate is divided by "the sum of the
gradients". LARS Lab implements the paper: the ratio of the <i>L2 norms</i> of the tensor's
weights and gradient, per tensor, as written above.</p>
<h3>Conventions you can switch</h3>
<p>Public implementations differ in details; each is an option of the LARS run in the experiment
panel, and presets reproduce a library in one click: the denominator ‖g‖+β‖w‖ (paper, timm, apex)
or ‖g+β·w‖ (optax); the learning rate inside the momentum buffer (paper, optax) or outside
(PyTorch-SGD style: timm, apex); what happens when ‖w‖ or ‖g‖ is 0; clipping the local rate at
the global one (LARC); excluding 1-D tensors (biases, normalisation) from adaptation and decay;
heavy-ball or Nesterov momentum; an ε added to the denominator.</p>
<p><b>LARC</b> is LARS with clipping: effective LR = min(γ·λ, γ). <b>LAMB</b> (You et al. 2019)
applies the same trust ratio to an Adam step.</p>)");
}

QString HelpDialog::metricsHtml() {
  return tr(R"(<h2>What the charts show</h2>
<p>Every run of a session starts from the same initial weights and sees the same minibatches in
the same order: only the optimizer differs, so differences between curves are the optimizer's.</p>
<h3>Per run</h3>
<ul>
<li><b>Loss</b>: training loss of the step's minibatch (solid) and mean loss on the test split at each evaluation (dashed).</li>
<li><b>Accuracy</b>: fraction of correctly classified samples in the minibatch (solid) and on the test split (dashed).</li>
<li><b>Learning rate</b>: the global learning rate γ<sub>t</sub> of the step, after warm-up and schedule.</li>
</ul>
<h3>Per tensor, every step</h3>
<ul>
<li><b>‖w‖</b>: L2 norm of the tensor's weights before the update.</li>
<li><b>‖g‖</b>: L2 norm of the raw gradient, before weight decay is added.</li>
<li><b>Trust ratio</b>: the layer-wise factor before any clipping (for LARS η‖w‖/(‖g‖+β‖w‖) in the paper convention); 1 for optimizers that have none.</li>
<li><b>Local LR</b>: the learning rate actually applied to the tensor: global LR × trust ratio, after clipping.</li>
<li><b>‖Δw‖</b>: L2 norm of the change the step made to the tensor.</li>
<li><b>‖Δw‖/‖w‖</b>: the update-to-weight ratio. A rule of thumb (Karpathy, cs231n) is that about
1e-3 is healthy; much larger means the layer is thrashing, much smaller that it barely learns. The
dashed line marks 1e-3.</li>
<li><b>log₁₀ std(Δw)/std(w)</b>: the update-to-data ratio exactly as cs231n and Karpathy's lectures plot it
(standard deviations instead of norms, on a log₁₀ scale), with its guide line at −3. Choose it instead of
‖Δw‖/‖w‖ with the selector next to the per-tensor controls.</li>
</ul>
<h3>Reading the charts</h3>
<ul>
<li>Log-scale axes hide zeros and non-finite values and say how many points were hidden.</li>
<li>Vertical markers are events: a hyperparameter you changed, a switched convention, a divergence.</li>
<li>A run that produces a non-finite loss or parameter is marked <b>diverged</b> at that step and stops; the others go on.</li>
<li>Curves are reduced to about the chart's pixel width keeping each column's minimum and maximum, so spikes are never smoothed away; the smoothing slider applies a debiased exponential moving average.</li>
</ul>)");
}

QString HelpDialog::shortcutsHtml() {
  return tr(R"(<h2>Keyboard and mouse</h2>
<table cellpadding="3">
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>S</b></td><td>train one step</td></tr>
<tr><td><b>R</b></td><td>reset every run to the same initial weights (tuned values kept)</td></tr>
<tr><td><b>Shift+R</b></td><td>reset to the file's values</td></tr>
<tr><td><b>P</b></td><td>pin the selected run: a dimmed read-only copy in every chart</td></tr>
<tr><td><b>Ctrl+O</b></td><td>open an experiment or a CSV log</td></tr>
<tr><td><b>Ctrl+S</b> / <b>Ctrl+Shift+S</b></td><td>save the experiment (with tuned values) / save as</td></tr>
<tr><td><b>Ctrl+E</b></td><td>export the metrics as CSV</td></tr>
<tr><td><b>F1</b></td><td>this help</td></tr>
<tr><td><b>F11</b></td><td>full screen</td></tr>
<tr><td><b>Ctrl+Shift+M</b></td><td>maximise the chart with the focus (or under the mouse) to the whole window, and back</td></tr>
<tr><td><b>Esc</b></td><td>restore a maximised chart, then leave full screen</td></tr>
<tr><td><b>Ctrl++</b> (or <b>Ctrl+=</b>) / <b>Ctrl+-</b> / <b>Ctrl+Alt+0</b></td><td>larger / smaller / normal text in charts, tables and the tuning panel (80% to 200%)</td></tr>
<tr><td><b>Ctrl+0</b></td><td>reset the zoom of every chart</td></tr>
<tr><td><b>Alt+Left</b> / <b>Alt+Right</b></td><td>step cursor one step back / forward: every chart, the runs table, the inspector and the views show that step</td></tr>
<tr><td><b>Alt+Shift+Left</b> / <b>Alt+Shift+Right</b></td><td>step cursor 10% of the steps back / forward</td></tr>
<tr><td><b>L</b></td><td>step cursor back to live (it follows the latest step)</td></tr>
<tr><td>drag in a chart</td><td>zoom into a rectangle</td></tr>
<tr><td>drag along a chart's x axis (under the plot), or Alt+drag in the plot</td><td>scrub: move the step cursor</td></tr>
<tr><td>wheel</td><td>zoom around the cursor</td></tr>
<tr><td>Shift+drag or middle drag</td><td>pan</td></tr>
<tr><td>double-click in the plot</td><td>reset zoom</td></tr>
<tr><td>double-click a chart's title, or its corner button</td><td>maximise that chart, and back</td></tr>
<tr><td>click a legend entry</td><td>hide or show that run or tensor in every chart</td></tr>
<tr><td>right-click a chart</td><td>log scale, export PNG (size and DPI asked) or SVG, copy</td></tr>
<tr><td>right-click the runs table</td><td>pin a run, remove one pin or all</td></tr>
</table>
<p>Smoothing, log scale, the x unit, the per-tensor view, the text size and the window layout are
remembered for the next start; <b>View &gt; Reset layout</b> forgets them.</p>
<p>Experiment files (.json) and CSV logs can also be dropped on the window.</p>
<p><b>Pins</b> (Training menu) compare attempts: a pinned run stays in every chart, dimmed, as it was when pinned.
With <i>Keep the previous attempt on reset</i> (on by default), R and Shift+R keep every run of the attempt they end
as "previous attempt", replacing the one before. <i>Pin a metric log from disk</i> shows the runs of a CSV log
(larslab-cli, an exported PyTorch script) next to the live ones. Opening another experiment drops the previous
attempt and keeps the other pins; pins are never saved in the experiment.</p>)");
}

QString HelpDialog::viewsHtml() {
  QString html = tr("<h2>Views</h2><p>The tabs above the charts (View menu, Alt+1 for the charts, Alt+2 and on for "
                    "the others) show the same session in other ways; each can be put in front alone.</p><dl>");
  html += tr("<dt><b>Charts</b></dt><dd>Every metric of every run as a time series.</dd>");
  for (const TeachingViewInfo& v : teachingViews())
    html += QStringLiteral("<dt><b>%1</b> (<code>--view %2</code>)</dt><dd>%3</dd>")
                .arg(tr(v.title), QLatin1String(v.id), tr(v.help).toHtmlEscaped());
  return html + QStringLiteral("</dl>");
}

HelpDialog::HelpDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("LARS Lab help"));
  resize(780, 680);
  auto* layout = new QVBoxLayout(this);
  tabs_ = new QTabWidget(this);
  layout->addWidget(tabs_);
  auto addHtml = [this](const QString& title, const QString& html) {
    auto* b = new QTextBrowser(tabs_);
    b->setOpenExternalLinks(true);
    b->setHtml(html);
    tabs_->addTab(b, title);
  };
  addHtml(tr("LARS"), larsHtml());
  addHtml(tr("Metrics"), metricsHtml());
  for (const BuiltinDoc& doc : builtinDocs()) {
    auto* b = new QTextBrowser(tabs_);
    b->setOpenExternalLinks(true);
    b->setMarkdown(readResourceText(doc.resourcePath));
    tabs_->addTab(b, doc.title);
  }
  addHtml(tr("Views"), viewsHtml());
  addHtml(tr("Keyboard"), shortcutsHtml());
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
}

void HelpDialog::showTab(const QString& title) {
  for (int i = 0; i < tabs_->count(); ++i)
    if (tabs_->tabText(i) == title) {
      tabs_->setCurrentIndex(i);
      return;
    }
  tabs_->setCurrentIndex(0);
}

QStringList HelpDialog::tabTitles() const {
  QStringList out;
  for (int i = 0; i < tabs_->count(); ++i) out.append(tabs_->tabText(i));
  return out;
}

}  // namespace larslab::ui
