#pragma once
// A user's own tabular data: a comma-separated file with a header row, one sample per line.

#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace larslab::data {

struct CsvOptions {
  std::string labelColumn;    // header name of the target column; empty: the last column
  bool regression = false;    // false: labels are classes; true: the label is a number
  bool standardize = true;    // z-score every feature with train-split mean and std
  double testFraction = 0.2;  // in (0, 1)
  std::uint64_t seed = 1;     // fixes the train/test split
};

// Format: data/csv_tokenizer.h's (quoted fields, "" for a quote, LF, CRLF or CR line ends,
// blank lines skipped, an optional UTF-8 byte-order mark), spaces and tabs around fields
// ignored, a header row first. Every non-label column is a
// feature and must be numeric. Classification labels may be integers (classes in numeric
// order) or any text (classes in sorted order); classNames keeps their text. The split is
// stratified for classification. Standardisation statistics come from the train split only
// (no test leakage); a constant column is only centred.
// Throws std::runtime_error naming the file (and line and column where there is one) for an
// unreadable or empty file, a missing header or label column, no data rows, a row with the
// wrong number of fields, a non-numeric feature, a single class, or too few rows to split;
// std::invalid_argument for a testFraction outside (0, 1).
[[nodiscard]] DatasetSplit loadCsv(const std::string& path, const CsvOptions& options);

}  // namespace larslab::data
