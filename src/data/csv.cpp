#include "data/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "data/csv_tokenizer.h"
#include "data/split.h"

namespace larslab::data {

const std::vector<MissingPolicyInfo>& missingPolicies() {
  static const std::vector<MissingPolicyInfo> table = {
      {MissingPolicy::Error, "error", "a missing value is an error"},
      {MissingPolicy::DropRows, "drop_rows", "leave out every row with a missing value"},
      {MissingPolicy::FillTrainMean, "fill_train_mean",
       "replace a missing feature with its mean over the training split"},
  };
  return table;
}

const MissingPolicyInfo* findMissingPolicy(std::string_view name) {
  for (const MissingPolicyInfo& info : missingPolicies())
    if (name == info.name) return &info;
  return nullptr;
}

const char* missingPolicyName(MissingPolicy policy) {
  for (const MissingPolicyInfo& info : missingPolicies())
    if (info.policy == policy) return info.name;
  return "error";
}

bool isMissingValue(std::string_view field) {
  if (field.empty()) return true;
  static constexpr std::string_view kSpellings[] = {"na", "n/a", "nan", "null"};
  for (std::string_view spelling : kSpellings) {
    if (field.size() != spelling.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < field.size() && same; ++i)
      same = static_cast<char>(std::tolower(static_cast<unsigned char>(field[i]))) == spelling[i];
    if (same) return true;
  }
  return false;
}

namespace {

// A few problems per column show the pattern; the rest are counted, so that a text column in a
// file of a million rows gives a readable report.
constexpr int kProblemsPerColumn = 3;

struct Record {
  long line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Collects problems as "path:line: what", capped per column and in all.
class Problems {
 public:
  Problems(const std::string& path, std::vector<CsvProblem>& out) : path_(path), out_(out) {}

  void add(long line, int column, const std::string& what) {
    if (column > 0 && ++perColumn_[column] > kProblemsPerColumn) {
      ++moreInColumn_[column];
      return;
    }
    if (static_cast<int>(out_.size()) >= kMaxCsvProblems) {
      ++unlisted_;
      return;
    }
    std::string text = path_;
    if (line > 0) text.append(":").append(std::to_string(line));
    text.append(": ").append(what);
    out_.push_back({line, column, std::move(text)});
  }

  // Appends the counts of what add() left out; `names` are the header's column names.
  void finish(const std::vector<std::string>& names) {
    for (const auto& [column, count] : moreInColumn_) {
      const std::string name = column <= static_cast<int>(names.size()) ? names[static_cast<std::size_t>(column - 1)] : "";
      out_.push_back({0, column, path_ + ": column " + std::to_string(column) + " '" + name + "': " +
                                     std::to_string(count) + " more row" + (count == 1 ? "" : "s") +
                                     " with the same kind of problem"});
    }
    if (unlisted_ > 0)
      out_.push_back({0, 0, path_ + ": " + std::to_string(unlisted_) + " more problem" + (unlisted_ == 1 ? "" : "s") +
                                " not listed"});
    moreInColumn_.clear();
    unlisted_ = 0;
  }

  [[nodiscard]] bool any() const { return !out_.empty() || unlisted_ > 0 || !moreInColumn_.empty(); }

 private:
  const std::string& path_;
  std::vector<CsvProblem>& out_;
  std::map<int, long> perColumn_;
  std::map<int, long> moreInColumn_;
  long unlisted_ = 0;
};

// Splits the whole text into records; blank lines are dropped. Surrounding blanks are trimmed:
// people pad their own tables by hand.
std::vector<Record> parseRecords(const std::string& path, std::string_view text) {
  CsvTokenizer tokenizer(text, path, CsvDialect{.trimBlanks = true});
  std::vector<Record> records;
  Record record;
  while (tokenizer.next(record.fields)) {
    record.line = tokenizer.line();
    records.push_back(std::move(record));
    record = Record{};
  }
  return records;
}

bool parseDouble(const std::string& text, double& value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;  // from_chars rejects a leading '+'
  if (first == last) return false;
  const auto result = std::from_chars(first, last, value);
  return result.ec == std::errc() && result.ptr == last && std::isfinite(value);
}

bool parseInteger(const std::string& text, long long& value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  if (first == last) return false;
  const auto result = std::from_chars(first, last, value);
  return result.ec == std::errc() && result.ptr == last;
}

std::string readWholeFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error(path + ": is a directory, expected a CSV file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return buffer.str();
}

std::string columnList(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& f : names) list += (list.empty() ? "'" : ", '") + f + "'";
  return list;
}

// Maps label text to class indices: numeric order if every label is an integer, else text
// order. Fills the class names and counts of `info`.
void assignClasses(const std::vector<std::string>& labels, Dataset& all, CsvInspection& info) {
  std::vector<long long> asInt(labels.size());
  bool allIntegers = true;
  for (std::size_t i = 0; i < labels.size() && allIntegers; ++i) allIntegers = parseInteger(labels[i], asInt[i]);
  std::vector<int> classOf(labels.size());
  if (allIntegers) {
    std::map<long long, int> index;
    for (long long v : asInt) index.emplace(v, 0);
    int next = 0;
    for (auto& [value, cls] : index) {
      cls = next++;
      all.classNames.push_back(std::to_string(value));
    }
    for (std::size_t i = 0; i < labels.size(); ++i) classOf[i] = index.at(asInt[i]);
  } else {
    std::map<std::string, int> index;
    for (const std::string& label : labels) index.emplace(label, 0);
    int next = 0;
    for (auto& [text, cls] : index) {
      cls = next++;
      all.classNames.push_back(text);
    }
    for (std::size_t i = 0; i < labels.size(); ++i) classOf[i] = index.at(labels[i]);
  }
  all.numClasses = static_cast<int>(all.classNames.size());
  info.classNames = all.classNames;
  info.classCounts.assign(all.classNames.size(), 0);
  for (std::size_t i = 0; i < classOf.size(); ++i) {
    all.targets(static_cast<Eigen::Index>(i), 0) = static_cast<nn::Scalar>(classOf[i]);
    ++info.classCounts[static_cast<std::size_t>(classOf[i])];
  }
}

// fill_train_mean: every missing feature (NaN, which the parser never produces for a value
// written in the file) becomes its column's mean over the train split, in both splits.
void fillWithTrainMean(DatasetSplit& split, const std::vector<std::string>& featureNames, Problems& problems) {
  const Eigen::Index cols = split.train.features.cols();
  for (Eigen::Index c = 0; c < cols; ++c) {
    double sum = 0.0;
    long count = 0;
    for (Eigen::Index r = 0; r < split.train.features.rows(); ++r) {
      const double v = split.train.features(r, c);
      if (std::isnan(v)) continue;
      sum += v;
      ++count;
    }
    bool anyMissing = false;
    for (const Dataset* d : {&split.train, &split.test})
      anyMissing = anyMissing || d->features.col(c).array().isNaN().any();
    if (!anyMissing) continue;
    if (count == 0) {
      problems.add(0, 0, "column '" + featureNames[static_cast<std::size_t>(c)] +
                             "': no training row has a value, so there is no train mean to fill with");
      continue;
    }
    const auto mean = static_cast<nn::Scalar>(sum / static_cast<double>(count));
    for (Dataset* d : {&split.train, &split.test})
      for (Eigen::Index r = 0; r < d->features.rows(); ++r)
        if (std::isnan(d->features(r, c))) d->features(r, c) = mean;
  }
}

// z-scores both splits with the train split's statistics.
void standardize(DatasetSplit& split) {
  const Eigen::Index cols = split.train.features.cols();
  const Eigen::Index rows = split.train.features.rows();
  for (Eigen::Index c = 0; c < cols; ++c) {
    double sum = 0.0;
    for (Eigen::Index r = 0; r < rows; ++r) sum += split.train.features(r, c);
    const double mean = sum / static_cast<double>(rows);
    double squares = 0.0;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const double d = split.train.features(r, c) - mean;
      squares += d * d;
    }
    const double stddev = std::sqrt(squares / static_cast<double>(rows));
    const double scale = stddev > 0.0 ? 1.0 / stddev : 1.0;  // constant column: centre only
    for (Dataset* d : {&split.train, &split.test}) {
      for (Eigen::Index r = 0; r < d->features.rows(); ++r) {
        d->features(r, c) = static_cast<nn::Scalar>((d->features(r, c) - mean) * scale);
      }
    }
  }
}

// The label column's 0-based index, or -1 after reporting why there is none.
int findLabel(const Record& header, const CsvOptions& options, Problems& problems) {
  const auto columns = static_cast<int>(header.fields.size());
  if (options.labelColumn.empty()) return columns - 1;
  const auto count = std::count(header.fields.begin(), header.fields.end(), options.labelColumn);
  if (count == 0) {
    problems.add(header.line, 0,
                 "no column named '" + options.labelColumn + "' (columns: " + columnList(header.fields) + ")");
    return -1;
  }
  if (count > 1) {
    problems.add(header.line, 0,
                 "label column name '" + options.labelColumn + "' appears " + std::to_string(count) +
                     " times in the header");
    return -1;
  }
  return static_cast<int>(std::find(header.fields.begin(), header.fields.end(), options.labelColumn) -
                          header.fields.begin());
}

// Which columns are features: neither the label nor ignored. Reports ignored names that do not
// pick exactly one column other than the label.
std::vector<bool> findFeatures(const Record& header, int labelIndex, const CsvOptions& options, Problems& problems) {
  std::vector<bool> feature(header.fields.size(), true);
  if (labelIndex >= 0) feature[static_cast<std::size_t>(labelIndex)] = false;
  for (std::size_t i = 0; i < options.ignoreColumns.size(); ++i) {
    const std::string& name = options.ignoreColumns[i];
    const auto count = std::count(header.fields.begin(), header.fields.end(), name);
    const std::string what = "ignore_columns: ";
    if (std::find(options.ignoreColumns.begin(), options.ignoreColumns.begin() + static_cast<long>(i), name) !=
        options.ignoreColumns.begin() + static_cast<long>(i)) {
      problems.add(header.line, 0, what + "'" + name + "' is listed twice");
    } else if (count == 0) {
      problems.add(header.line, 0, what + "no column named '" + name + "' (columns: " + columnList(header.fields) + ")");
    } else if (count > 1) {
      problems.add(header.line, 0, what + "'" + name + "' appears " + std::to_string(count) + " times in the header");
    } else {
      const auto c = static_cast<std::size_t>(std::find(header.fields.begin(), header.fields.end(), name) -
                                              header.fields.begin());
      if (static_cast<int>(c) == labelIndex)
        problems.add(header.line, 0, what + "'" + name + "' is the label column; it cannot be ignored");
      else
        feature[c] = false;
    }
  }
  return feature;
}

// Reads, checks and (when there is no problem and `out` is given) loads the file: the one path
// behind loadCsv and inspectCsv.
CsvInspection build(const std::string& path, const CsvOptions& options, int previewRows, DatasetSplit* out) {
  if (!(options.testFraction > 0.0 && options.testFraction < 1.0)) {
    throw std::invalid_argument("CSV options: testFraction must be in (0, 1), got " +
                                std::to_string(options.testFraction));
  }
  CsvInspection info;
  Problems problems(path, info.problems);
  std::vector<Record> records;
  try {
    const std::string text = readWholeFile(path);
    records = parseRecords(path, text);
  } catch (const std::runtime_error& e) {
    info.problems.push_back({0, 0, e.what()});  // already "path[:line:column]: what"
    return info;
  }
  if (records.empty()) {
    problems.add(0, 0, "empty file (expected a header row)");
    return info;
  }
  const Record& header = records.front();
  info.header = header.fields;
  info.records = static_cast<long>(records.size()) - 1;
  for (std::size_t r = 1; r < records.size() && static_cast<int>(r) <= previewRows; ++r)
    info.preview.push_back(records[r].fields);
  const auto columns = static_cast<int>(header.fields.size());
  if (columns < 2) {
    problems.add(header.line, 0,
                 "header has " + std::to_string(columns) +
                     " column; need at least one feature column and a label column");
    return info;
  }
  const int labelIndex = findLabel(header, options, problems);
  info.labelIndex = labelIndex;
  const std::vector<bool> isFeature = findFeatures(header, labelIndex, options, problems);
  std::vector<std::string> featureNames;
  for (int c = 0; c < columns; ++c)
    if (isFeature[static_cast<std::size_t>(c)]) featureNames.push_back(header.fields[static_cast<std::size_t>(c)]);
  info.features = static_cast<int>(featureNames.size());
  if (featureNames.empty() && labelIndex >= 0)
    problems.add(header.line, 0, "no feature column left: every column but the label is ignored");
  if (problems.any()) return info;  // the rows cannot be read without knowing the columns
  const std::string& labelName = header.fields[static_cast<std::size_t>(labelIndex)];
  if (records.size() < 2) {
    problems.add(header.line, 0, "no data rows after the header");
    return info;
  }

  // A missing label can only be dropped: there is nothing to fill a class with.
  const auto missingLabelHint = options.missing == MissingPolicy::FillTrainMean
                                    ? std::string("; fill_train_mean fills features, not labels: set \"missing\" to "
                                                  "\"drop_rows\" to leave such rows out")
                                    : std::string("; set \"missing\" to \"drop_rows\" to leave such rows out");
  std::vector<nn::Scalar> values;  // row-major, the rows kept
  std::vector<std::string> labels;
  values.reserve(static_cast<std::size_t>(info.records) * featureNames.size());
  labels.reserve(static_cast<std::size_t>(info.records));
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Record& record = records[r];
    if (static_cast<int>(record.fields.size()) != columns) {
      problems.add(record.line, 0,
                   std::to_string(record.fields.size()) + " fields, expected " + std::to_string(columns) +
                       " as in the header");
      continue;
    }
    bool drop = false;
    bool bad = false;
    const std::size_t start = values.size();
    for (int c = 0; c < columns; ++c) {
      const std::string& field = record.fields[static_cast<std::size_t>(c)];
      const std::string where = "column " + std::to_string(c + 1) + " '" + header.fields[static_cast<std::size_t>(c)] + "': ";
      if (c == labelIndex) {
        const bool missing = options.regression ? isMissingValue(field) : field.empty();
        double target = 0.0;
        if (missing && options.missing == MissingPolicy::DropRows) {
          drop = true;
        } else if (missing) {
          problems.add(record.line, c + 1,
                       where + (options.regression ? "missing target" : "missing label") +
                           (field.empty() ? std::string(" (empty)") : " ('" + field + "')") + missingLabelHint);
          bad = true;
        } else if (options.regression && !parseDouble(field, target)) {
          problems.add(record.line, c + 1, where + "expected a finite number as regression target, got '" + field + "'");
          bad = true;
        }
        continue;
      }
      if (!isFeature[static_cast<std::size_t>(c)]) continue;
      double value = 0.0;
      if (isMissingValue(field)) {
        if (options.missing == MissingPolicy::DropRows) {
          drop = true;
        } else if (options.missing == MissingPolicy::FillTrainMean) {
          value = std::numeric_limits<double>::quiet_NaN();
          ++info.filledValues;
        } else {
          problems.add(record.line, c + 1,
                       where + "missing value" + (field.empty() ? std::string(" (empty)") : " ('" + field + "')") +
                           "; set \"missing\" to \"drop_rows\" or \"fill_train_mean\", or list the column in "
                           "\"ignore_columns\"");
          bad = true;
        }
      } else if (!parseDouble(field, value)) {
        problems.add(record.line, c + 1,
                     where + "expected a finite number, got '" + field + "' (leave a text column out with "
                             "\"ignore_columns\": [\"" + header.fields[static_cast<std::size_t>(c)] + "\"])");
        bad = true;
      }
      values.push_back(static_cast<nn::Scalar>(value));
    }
    if (drop || bad) {
      if (drop && !bad) ++info.droppedRows;
      // A dropped row's filled values were counted; take them back.
      for (std::size_t i = start; i < values.size(); ++i)
        if (std::isnan(values[i])) --info.filledValues;
      values.resize(start);
      continue;
    }
    labels.push_back(record.fields[static_cast<std::size_t>(labelIndex)]);
  }

  const auto rows = static_cast<Eigen::Index>(labels.size());
  const auto featureCount = static_cast<Eigen::Index>(featureNames.size());
  Dataset all;
  all.name = std::filesystem::path(path).stem().string();
  all.inputShape = nn::Shape{1, 1, static_cast<int>(featureCount)};
  all.features = Eigen::Map<const nn::Matrix>(values.data(), rows, featureCount);
  all.targets.resize(rows, 1);
  if (options.regression) {
    for (Eigen::Index r = 0; r < rows; ++r) {
      double target = 0.0;
      parseDouble(labels[static_cast<std::size_t>(r)], target);
      all.targets(r, 0) = static_cast<nn::Scalar>(target);
      info.targetMin = r == 0 ? target : std::min(info.targetMin, target);
      info.targetMax = r == 0 ? target : std::max(info.targetMax, target);
    }
  } else {
    assignClasses(labels, all, info);
  }
  if (problems.any()) {
    problems.finish(header.fields);
    return info;
  }
  if (rows == 0) {
    problems.add(0, 0, "every data row has a missing value in a used column; drop_rows leaves no row");
    return info;
  }
  if (!options.regression && all.numClasses < 2) {
    problems.add(0, labelIndex + 1,
                 "label column '" + labelName + "' has the single value '" + all.classNames.front() +
                     "'; classification needs at least 2 classes (or use regression)");
    return info;
  }
  DatasetSplit split;
  try {
    split = splitDataset(all, options.testFraction, options.seed);
  } catch (const std::invalid_argument& e) {
    problems.add(0, 0, e.what());
    return info;
  }
  if (options.missing == MissingPolicy::FillTrainMean) fillWithTrainMean(split, featureNames, problems);
  if (problems.any()) return info;
  if (options.standardize) standardize(split);
  info.trainRows = split.train.size();
  info.testRows = split.test.size();
  if (out != nullptr) *out = std::move(split);
  return info;
}

}  // namespace

DatasetSplit loadCsv(const std::string& path, const CsvOptions& options) {
  DatasetSplit split;
  const CsvInspection info = build(path, options, 0, &split);
  if (!info.problems.empty()) {
    std::string text = info.problems.front().text;
    if (info.problems.size() > 1)
      text += " (and " + std::to_string(info.problems.size() - 1) + " more problem" +
              (info.problems.size() == 2 ? "" : "s") + " in the file)";
    throw std::runtime_error(text);
  }
  return split;
}

CsvInspection inspectCsv(const std::string& path, const CsvOptions& options, int previewRows) {
  return build(path, options, previewRows, nullptr);
}

}  // namespace larslab::data
