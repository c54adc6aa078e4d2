#include "data/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "data/csv_tokenizer.h"
#include "data/split.h"

namespace larslab::data {
namespace {

struct Record {
  int line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

[[noreturn]] void fail(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

// Splits the whole text into records; blank lines are dropped. Surrounding blanks are trimmed:
// people pad their own tables by hand.
std::vector<Record> parseRecords(const std::string& path, std::string_view text) {
  CsvTokenizer tokenizer(text, path, CsvDialect{.trimBlanks = true});
  std::vector<Record> records;
  Record record;
  while (tokenizer.next(record.fields)) {
    record.line = static_cast<int>(tokenizer.line());
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

// Maps label text to class indices: numeric order if every label is an integer, else text order.
void assignClasses(const std::string& path, const std::string& column,
                   const std::vector<std::string>& labels, const std::vector<int>& lines,
                   Dataset& all) {
  std::vector<long long> asInt(labels.size());
  bool allIntegers = true;
  for (std::size_t i = 0; i < labels.size() && allIntegers; ++i) {
    allIntegers = parseInteger(labels[i], asInt[i]);
  }
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
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].empty()) fail(path, lines[i], "column '" + column + "': empty label");
      index.emplace(labels[i], 0);
    }
    int next = 0;
    for (auto& [text, cls] : index) {
      cls = next++;
      all.classNames.push_back(text);
    }
    for (std::size_t i = 0; i < labels.size(); ++i) classOf[i] = index.at(labels[i]);
  }
  all.numClasses = static_cast<int>(all.classNames.size());
  if (all.numClasses < 2) {
    throw std::runtime_error(path + ": label column '" + column + "' has the single value '" +
                             all.classNames.front() +
                             "'; classification needs at least 2 classes (or use regression)");
  }
  for (std::size_t i = 0; i < classOf.size(); ++i) {
    all.targets(static_cast<Eigen::Index>(i), 0) = static_cast<nn::Scalar>(classOf[i]);
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

}  // namespace

DatasetSplit loadCsv(const std::string& path, const CsvOptions& options) {
  if (!(options.testFraction > 0.0 && options.testFraction < 1.0)) {
    throw std::invalid_argument("CSV options: testFraction must be in (0, 1), got " +
                                std::to_string(options.testFraction));
  }
  const std::string text = readWholeFile(path);
  const std::vector<Record> records = parseRecords(path, text);
  if (records.empty()) throw std::runtime_error(path + ": empty file (expected a header row)");

  const Record& header = records.front();
  const auto columns = static_cast<int>(header.fields.size());
  if (columns < 2) {
    fail(path, header.line, "header has " + std::to_string(columns) +
                                " column; need at least one feature column and a label column");
  }
  int labelIndex = columns - 1;
  if (!options.labelColumn.empty()) {
    const auto count = std::count(header.fields.begin(), header.fields.end(), options.labelColumn);
    if (count == 0) {
      std::string names;
      for (const auto& f : header.fields) names += (names.empty() ? "'" : ", '") + f + "'";
      fail(path, header.line,
           "no column named '" + options.labelColumn + "' (columns: " + names + ")");
    }
    if (count > 1) {
      fail(path, header.line, "label column name '" + options.labelColumn + "' appears " +
                                  std::to_string(count) + " times in the header");
    }
    labelIndex = static_cast<int>(
        std::find(header.fields.begin(), header.fields.end(), options.labelColumn) -
        header.fields.begin());
  }
  const std::string& labelName = header.fields[static_cast<std::size_t>(labelIndex)];
  if (records.size() < 2) fail(path, header.line, "no data rows after the header");

  const auto rows = static_cast<int>(records.size() - 1);
  const int features = columns - 1;
  Dataset all;
  all.name = std::filesystem::path(path).stem().string();
  all.inputShape = nn::Shape{1, 1, features};
  all.features.resize(rows, features);
  all.targets.resize(rows, 1);
  std::vector<std::string> labels(static_cast<std::size_t>(rows));
  std::vector<int> lines(static_cast<std::size_t>(rows));

  for (int r = 0; r < rows; ++r) {
    const Record& record = records[static_cast<std::size_t>(r) + 1];
    if (static_cast<int>(record.fields.size()) != columns) {
      fail(path, record.line, std::to_string(record.fields.size()) + " fields, expected " +
                                  std::to_string(columns) + " as in the header");
    }
    lines[static_cast<std::size_t>(r)] = record.line;
    int f = 0;
    for (int c = 0; c < columns; ++c) {
      const std::string& field = record.fields[static_cast<std::size_t>(c)];
      if (c == labelIndex) {
        labels[static_cast<std::size_t>(r)] = field;
        continue;
      }
      double value = 0.0;
      if (!parseDouble(field, value)) {
        fail(path, record.line, "column " + std::to_string(c + 1) + " '" +
                                    header.fields[static_cast<std::size_t>(c)] +
                                    "': expected a finite number, got '" + field + "'");
      }
      all.features(r, f++) = static_cast<nn::Scalar>(value);
    }
  }

  if (options.regression) {
    for (int r = 0; r < rows; ++r) {
      double value = 0.0;
      if (!parseDouble(labels[static_cast<std::size_t>(r)], value)) {
        fail(path, lines[static_cast<std::size_t>(r)],
             "column " + std::to_string(labelIndex + 1) + " '" + labelName +
                 "': expected a finite number as regression target, got '" +
                 labels[static_cast<std::size_t>(r)] + "'");
      }
      all.targets(r, 0) = static_cast<nn::Scalar>(value);
    }
  } else {
    assignClasses(path, labelName, labels, lines, all);
  }

  DatasetSplit split;
  try {
    split = splitDataset(all, options.testFraction, options.seed);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (options.standardize) standardize(split);
  return split;
}

}  // namespace larslab::data
