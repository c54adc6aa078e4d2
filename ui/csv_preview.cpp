#include "csv_preview.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "text/format.h"

namespace larslab::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Problems listed in the tab before "… and N more"; the whole list is one click away in
// larslab-cli validate and in the Apply message.
constexpr int kShownProblems = 6;

// "1 feature", "3 features": English plurals without a translation file.
QString counted(long n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

}  // namespace

CsvPreview::CsvPreview(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  label_ = new QComboBox(this);
  label_->setObjectName(QStringLiteral("csvLabelColumn"));
  label_->setToolTip(tr("The column holding the label (classes) or the regression target; the others are features."));
  label_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  label_->setMinimumContentsLength(8);
  form->addRow(tr("Label column"), label_);
  ignore_ = new QListWidget(this);
  ignore_->setObjectName(QStringLiteral("csvIgnoreColumns"));
  ignore_->setToolTip(tr("Checked columns are not read: ids, names, free text."));
  ignore_->setMaximumHeight(5 * ignore_->fontMetrics().height() + 8);
  form->addRow(tr("Ignore columns"), ignore_);
  missing_ = new QComboBox(this);
  missing_->setObjectName(QStringLiteral("csvMissing"));
  for (const data::MissingPolicyInfo& p : data::missingPolicies()) {
    missing_->addItem(QString::fromLatin1(p.name), static_cast<int>(p.policy));
    missing_->setItemData(missing_->count() - 1, QString::fromLatin1(p.summary), Qt::ToolTipRole);
  }
  missing_->setToolTip(tr("Missing values (empty, NA, N/A, NaN, null): an error, rows dropped, or the train mean."));
  form->addRow(tr("Missing values"), missing_);
  layout->addLayout(form);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("csvSummary"));
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  problems_ = new QLabel(this);
  problems_->setObjectName(QStringLiteral("csvProblems"));
  problems_->setWordWrap(true);
  problems_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  problems_->setStyleSheet(QStringLiteral("color: #b00020;"));
  layout->addWidget(problems_);
  table_ = new QTableWidget(this);
  table_->setObjectName(QStringLiteral("csvPreviewTable"));
  table_->setToolTip(tr("The first rows of the file as written; the label column is bold, ignored columns are grey."));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);  // compact rows
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // The dock decides the width; the table scrolls sideways inside it.
  table_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  layout->addWidget(table_);

  // Queued: the widgets are rebuilt from the new inspection, which must not happen inside the
  // signal of the item or combo being rebuilt.
  connect(label_, &QComboBox::currentIndexChanged, this, [this] { emitEdited(); }, Qt::QueuedConnection);
  connect(missing_, &QComboBox::currentIndexChanged, this, [this] { emitEdited(); }, Qt::QueuedConnection);
  connect(ignore_, &QListWidget::itemChanged, this, [this] { emitEdited(); }, Qt::QueuedConnection);
}

void CsvPreview::setDataset(const engine::DatasetSpec& dataset, std::uint64_t seed) {
  dataset_ = dataset;
  seed_ = seed;
  inspect();
}

void CsvPreview::readInto(engine::DatasetSpec& dataset) const {
  dataset.labelColumn = label_->currentData().toString().toStdString();
  dataset.ignoreColumns.clear();
  // In header order, keeping names that the file no longer has (they are reported, not lost).
  for (int i = 0; i < ignore_->count(); ++i)
    if (ignore_->item(i)->checkState() == Qt::Checked)
      dataset.ignoreColumns.push_back(ignore_->item(i)->data(Qt::UserRole).toString().toStdString());
  dataset.missing = static_cast<data::MissingPolicy>(missing_->currentData().toInt());
}

void CsvPreview::emitEdited() {
  if (loading_) return;
  engine::DatasetSpec before = dataset_;
  readInto(dataset_);
  if (before.labelColumn == dataset_.labelColumn && before.ignoreColumns == dataset_.ignoreColumns &&
      before.missing == dataset_.missing)
    return;  // a queued signal of a rebuild, not the user's edit
  inspect();
  Q_EMIT edited();
}

void CsvPreview::inspect() {
  const std::string path = engine::resolvedDataPath(dataset_);
  const QFileInfo file(qs(path));
  std::string key = path + '\n' + file.lastModified().toString(Qt::ISODateWithMs).toStdString() + '\n' +
                    std::to_string(file.size()) + '\n' + dataset_.labelColumn + '\n' +
                    data::missingPolicyName(dataset_.missing) + '\n' + (dataset_.regression ? "r" : "c") +
                    text::formatNumber(dataset_.testFraction) + '\n' + std::to_string(seed_);
  for (const std::string& name : dataset_.ignoreColumns) key += '\n' + name;
  if (key == inspectedKey_) return;  // shown already
  {
    inspectedKey_ = key;
    inspection_ = data::CsvInspection{};
    if (path.empty()) {
      inspection_.problems.push_back({0, 0, tr("Choose a CSV file.").toStdString()});
    } else {
      try {
        inspection_ = data::inspectCsv(path, engine::csvOptions(dataset_, seed_), kPreviewRows);
      } catch (const std::exception& e) {  // options out of range: shown, not thrown
        inspection_.problems.push_back({0, 0, e.what()});
      }
    }
  }
  showInspection();
}

void CsvPreview::showInspection() {
  const bool wasLoading = loading_;
  loading_ = true;
  const data::CsvInspection& info = inspection_;

  // Label column: the header's names; a name the file lacks stays selectable, so that it is
  // not silently replaced.
  label_->clear();
  label_->addItem(tr("(last column)"), QString());
  for (const std::string& name : info.header) label_->addItem(qs(name), qs(name));
  int labelAt = label_->findData(qs(dataset_.labelColumn));
  if (labelAt < 0) {
    label_->addItem(tr("%1 (not in the file)").arg(qs(dataset_.labelColumn)), qs(dataset_.labelColumn));
    labelAt = label_->count() - 1;
  }
  label_->setCurrentIndex(labelAt);

  ignore_->clear();
  std::vector<std::string> names = info.header;
  for (const std::string& name : dataset_.ignoreColumns)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  for (std::size_t c = 0; c < names.size(); ++c) {
    const bool inFile = c < info.header.size();
    auto* item = new QListWidgetItem(inFile ? qs(names[c]) : tr("%1 (not in the file)").arg(qs(names[c])), ignore_);
    item->setData(Qt::UserRole, qs(names[c]));
    const bool ignored =
        std::find(dataset_.ignoreColumns.begin(), dataset_.ignoreColumns.end(), names[c]) != dataset_.ignoreColumns.end();
    item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
    item->setCheckState(ignored ? Qt::Checked : Qt::Unchecked);
    if (static_cast<int>(c) == info.labelIndex && !ignored) {
      item->setFlags(Qt::ItemIsUserCheckable);  // the label cannot be ignored: shown, disabled
      item->setToolTip(tr("The label column"));
    }
  }

  missing_->setCurrentIndex(std::max(0, missing_->findData(static_cast<int>(dataset_.missing))));

  // Summary: rows, features, and the label's classes or range.
  QStringList parts;
  if (!info.header.empty()) {
    parts << counted(info.records, tr("data row"), tr("data rows"));
    if (info.droppedRows > 0) parts << tr("%1 dropped for a missing value").arg(info.droppedRows);
    if (info.filledValues > 0) parts << counted(info.filledValues, tr("missing value filled"), tr("missing values filled"));
    parts << counted(info.features, tr("feature"), tr("features"));
    if (info.trainRows > 0) parts << tr("%1 train / %2 test").arg(info.trainRows).arg(info.testRows);
  }
  QString classes;
  if (!info.classNames.empty()) {
    QStringList counts;
    for (std::size_t k = 0; k < info.classNames.size(); ++k)
      counts << QStringLiteral("%1: %2").arg(qs(info.classNames[k])).arg(info.classCounts[k]);
    classes = counted(static_cast<long>(info.classNames.size()), tr("class"), tr("classes")) + QStringLiteral(" — ") +
              counts.join(QStringLiteral(" · "));
  } else if (dataset_.regression && info.records > 0 && info.labelIndex >= 0 && info.problems.empty()) {
    classes = tr("Target in [%1, %2]")
                  .arg(qs(text::formatNumber(info.targetMin)), qs(text::formatNumber(info.targetMax)));
  }
  summary_->setText(parts.join(QStringLiteral(", ")) + (classes.isEmpty() ? QString() : QStringLiteral("\n") + classes));
  summary_->setVisible(!summary_->text().isEmpty());

  QStringList problems;
  for (std::size_t i = 0; i < info.problems.size() && static_cast<int>(i) < kShownProblems; ++i)
    problems << qs(info.problems[i].text);
  if (static_cast<int>(info.problems.size()) > kShownProblems)
    problems << tr("… and %1 more (Apply or larslab-cli validate lists them all)")
                     .arg(static_cast<long>(info.problems.size()) - kShownProblems);
  problems_->setText(problems.join(QStringLiteral("\n")));
  problems_->setVisible(!problems.isEmpty());

  // Preview of the first rows, as written.
  table_->clear();
  table_->setColumnCount(static_cast<int>(info.header.size()));
  table_->setRowCount(static_cast<int>(info.preview.size()));
  QStringList headers;
  for (const std::string& name : info.header) headers << qs(name);
  table_->setHorizontalHeaderLabels(headers);
  QFont bold = table_->font();
  bold.setBold(true);
  for (int r = 0; r < table_->rowCount(); ++r) {
    const auto& row = info.preview[static_cast<std::size_t>(r)];
    for (int c = 0; c < static_cast<int>(row.size()) && c < table_->columnCount(); ++c) {
      auto* cell = new QTableWidgetItem(qs(row[static_cast<std::size_t>(c)]));
      const bool ignored = std::find(dataset_.ignoreColumns.begin(), dataset_.ignoreColumns.end(),
                                     info.header[static_cast<std::size_t>(c)]) != dataset_.ignoreColumns.end();
      if (c == info.labelIndex) cell->setFont(bold);
      if (ignored) cell->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
      table_->setItem(r, c, cell);
    }
  }
  if (auto* head = table_->horizontalHeaderItem(info.labelIndex)) head->setFont(bold);
  const int rowHeight = table_->verticalHeader()->defaultSectionSize();
  const int scrollBar = table_->horizontalScrollBar()->sizeHint().height();
  table_->setFixedHeight(table_->horizontalHeader()->sizeHint().height() + rowHeight * table_->rowCount() + scrollBar +
                         2 * table_->frameWidth());
  table_->setVisible(!info.header.empty());
  loading_ = wasLoading;
}

}  // namespace larslab::ui
