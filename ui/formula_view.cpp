#include "ui/formula_view.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "engine/update_formula.h"

namespace larslab::ui {

namespace {

QString fromUtf8(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

FormulaView::FormulaView(QWidget* parent) : TeachingView(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  auto* titles = new QVBoxLayout;
  heading_ = new QLabel(this);
  heading_->setObjectName(QStringLiteral("formulaHeading"));
  QFont big = heading_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  heading_->setFont(big);
  heading_->setTextFormat(Qt::PlainText);
  subheading_ = new QLabel(this);
  subheading_->setTextFormat(Qt::PlainText);
  subheading_->setWordWrap(true);
  titles->addWidget(heading_);
  titles->addWidget(subheading_);
  top->addLayout(titles, 1);
  auto* tensorLabel = new QLabel(tr("&Tensor:"), this);
  tensorBox_ = new QComboBox(this);
  tensorBox_->setObjectName(QStringLiteral("formulaTensor"));
  tensorBox_->setToolTip(tr("The tensor whose update is written out (the charts' selected tensor by default)."));
  tensorBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  tensorLabel->setBuddy(tensorBox_);
  top->addWidget(tensorLabel, 0, Qt::AlignTop);
  top->addWidget(tensorBox_, 0, Qt::AlignTop);
  layout->addLayout(top);
  text_ = new QTextBrowser(this);
  text_->setObjectName(QStringLiteral("formulaText"));
  text_->setOpenLinks(false);
  text_->setFrameShape(QFrame::NoFrame);
  layout->addWidget(text_, 1);
  connect(tensorBox_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
  heading_->setText(tr("No session"));
}

QString FormulaView::headingText() const { return heading_->text(); }
QString FormulaView::formulaText() const { return text_->toPlainText(); }

void FormulaView::fillTensors(const engine::MetricsStore& store) {
  const QString current = tensorBox_->currentText();
  const QSignalBlocker block(tensorBox_);
  tensorBox_->clear();
  int firstWeight = -1;
  for (const auto& t : store.tensors()) {
    if (firstWeight < 0 && t.kind == nn::TensorKind::Weight) firstWeight = tensorBox_->count();
    tensorBox_->addItem(fromUtf8(t.name));
  }
  const int keep = tensorBox_->findText(current);
  tensorBox_->setCurrentIndex(keep >= 0 ? keep : std::max(firstWeight, tensorBox_->count() > 0 ? 0 : -1));
  filledFrom_ = &store;
}

void FormulaView::showContext(const ViewContext& context) {
  context_ = context;
  if (context.store && (filledFrom_ != context.store.get() || tensorBox_->count() != context.store->tensorCount()))
    fillTensors(*context.store);
  // The charts' tensor when it changes; otherwise the one picked here stays.
  if (context.tensor != contextTensor_) {
    contextTensor_ = context.tensor;
    const int i = tensorBox_->findText(context.tensor);
    if (i >= 0) {
      const QSignalBlocker block(tensorBox_);
      tensorBox_->setCurrentIndex(i);
    }
  }
  redraw();
}

void FormulaView::redraw() {
  const engine::MetricsStore* store = context_.store.get();
  Drawn now;
  now.store = store;
  if (store != nullptr) {
    now.run = store->runIndex(context_.run.toStdString());
    if (now.run < 0 && store->runCount() > 0) now.run = 0;
    now.tensor = tensorBox_->currentIndex();
    if (now.run >= 0) {
      const long count = store->stepCount(now.run);
      now.step = context_.step < 0 ? count - 1 : std::min(context_.step, count - 1);
    }
    now.events = store->eventCount();
    now.revision = store->experimentRevision();
  }
  if (now == drawn_) return;  // the ~30 Hz tick with nothing new costs this comparison only
  drawn_ = now;

  if (store == nullptr || now.run < 0 || now.tensor < 0) {
    heading_->setText(store == nullptr ? tr("No session") : tr("No run or tensor to show"));
    subheading_->clear();
    text_->clear();
    return;
  }
  const QString runName = fromUtf8(store->runName(now.run));
  const QString tensorName = tensorBox_->currentText();
  if (now.step < 0) {
    heading_->setText(tr("%1 · %2").arg(runName, tensorName));
    subheading_->setText(tr("No step recorded yet: press Play."));
    text_->clear();
    return;
  }
  const engine::UpdateFormula f = engine::updateFormulaAt(*store, now.run, now.tensor, now.step);
  heading_->setText(tr("%1 · %2 · step %3")
                        .arg(f.title.empty() ? runName : fromUtf8(f.title), tensorName)
                        .arg(now.step));
  subheading_->setText(tr("Run “%1”, %2. Every number is the recorded value of that step (4 significant "
                          "digits) or a hyperparameter in force then.")
                           .arg(runName, context_.step < 0 ? tr("latest step (live)") : tr("step cursor")));
  QString html;
  const QString mono = QFontDatabase::systemFont(QFontDatabase::FixedFont).family().toHtmlEscaped();
  if (!f.unavailable.empty()) {
    html = QStringLiteral("<p>%1</p>").arg(tr("No formula: %1.").arg(fromUtf8(f.unavailable).toHtmlEscaped()));
  } else {
    html += QStringLiteral("<table cellspacing='0' cellpadding='4'>");
    for (const auto& line : f.lines)
      html += QStringLiteral("<tr><td><span style='font-family:\"%1\"; font-size:large; white-space:pre-wrap;'>%2</span><br/>"
                             "<span style='color:#555555;'>%3</span></td></tr>")
                  .arg(mono, fromUtf8(line.math).toHtmlEscaped(), fromUtf8(line.explanation).toHtmlEscaped());
    html += QStringLiteral("</table>");
    html += QStringLiteral("<p style='color:#555555;'>%1</p>")
                .arg(tr("η trust coefficient · β weight decay · γ global learning rate of this step (after the "
                        "schedule) · λ trust ratio · m momentum (Adam, LAMB: first moment) · v momentum buffer (Adam, LAMB: second moment) · g gradient · w weights.")
                         .toHtmlEscaped());
  }
  const int scroll = text_->verticalScrollBar()->value();
  text_->setHtml(html);
  text_->verticalScrollBar()->setValue(scroll);
}

}  // namespace larslab::ui
