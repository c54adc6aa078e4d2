#pragma once
// A user's own tabular data: a comma-separated file with a header row, one sample per line.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace larslab::data {

// What to do with a missing value (isMissingValue) in a used column.
enum class MissingPolicy {
  Error,          // every missing value is a problem (the default)
  DropRows,       // rows with a missing value in a used column are left out before the split
  FillTrainMean,  // a missing feature becomes its column's mean over the TRAIN split (after the
                  // split, before standardisation, so the test rows leak nothing); a missing
                  // label is still an error
};

struct MissingPolicyInfo {
  MissingPolicy policy;
  const char* name;     // as written in experiment files: "error", "drop_rows", "fill_train_mean"
  const char* summary;  // one line for help texts and tooltips
};
// The policies, default first: the one table that the file reader, the writer, the GUI and the
// PyTorch exporter take the names from.
const std::vector<MissingPolicyInfo>& missingPolicies();
const MissingPolicyInfo* findMissingPolicy(std::string_view name);
const char* missingPolicyName(MissingPolicy policy);

// A missing value: an empty field, or NA, N/A, NaN or null in any letter case (the spellings
// R, pandas and spreadsheets write). In a classification label column only an empty field is
// missing: there NA may name a class.
bool isMissingValue(std::string_view field);

struct CsvOptions {
  std::string labelColumn;    // header name of the target column; empty: the last column
  std::vector<std::string> ignoreColumns;  // header names of columns that are not read at all
  MissingPolicy missing = MissingPolicy::Error;
  bool regression = false;    // false: labels are classes; true: the label is a number
  bool standardize = true;    // z-score every feature with train-split mean and std
  double testFraction = 0.2;  // in (0, 1)
  std::uint64_t seed = 1;     // fixes the train/test split
};

// One problem in a CSV file. `text` is the whole message, "path:line: column 3 'age': what".
struct CsvProblem {
  long line = 0;    // 1-based; 0: the file as a whole
  int column = 0;   // 1-based; 0: no single column
  std::string text;
};

// What a CSV file holds under some options: enough for a preview and for checking a model
// against it, and every problem that loading it would meet.
struct CsvInspection {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> preview;  // the first data records, fields as written
  long records = 0;        // data records after the header
  long droppedRows = 0;    // drop_rows: records left out for a missing value
  long filledValues = 0;   // fill_train_mean: missing feature values replaced
  int labelIndex = -1;     // 0-based column of the label; -1 when the label column is unknown
  int features = 0;        // feature columns used
  long trainRows = 0;      // split sizes (0 when the file has problems)
  long testRows = 0;
  std::vector<std::string> classNames;  // classification: the classes, in class-index order
  std::vector<long> classCounts;        // rows per class (all rows used, both splits)
  double targetMin = 0.0;               // regression: range of the target over the rows used
  double targetMax = 0.0;
  std::vector<CsvProblem> problems;     // empty: loadCsv succeeds with these options
};

// Format: data/csv_tokenizer.h's (quoted fields, "" for a quote, LF, CRLF or CR line ends,
// blank lines skipped, an optional UTF-8 byte-order mark), spaces and tabs around fields
// ignored, a header row first. Every column that is neither the label nor ignored is a feature
// and must be numeric (or missing, see MissingPolicy). Classification labels may be integers
// (classes in numeric order) or any text (classes in sorted order); classNames keeps their
// text. The split is stratified for classification. Standardisation statistics come from the
// train split only (no test leakage); a constant column is only centred.
// Throws std::runtime_error naming the file (and line and column where there is one) for an
// unreadable or empty file, a missing header or label column, an unknown or duplicate ignored
// column, no data rows, a row with the wrong number of fields, a non-numeric feature, a missing
// value the policy does not handle, a single class, or too few rows to split: the first problem
// inspectCsv would list, and how many more there are. std::invalid_argument for a testFraction
// outside (0, 1).
[[nodiscard]] DatasetSplit loadCsv(const std::string& path, const CsvOptions& options);

// Reads the file as loadCsv does but collects every problem instead of throwing (at most a few
// per column and kMaxCsvProblems in all, then a count of the rest). previewRows: how many
// leading data records to keep as text.
[[nodiscard]] CsvInspection inspectCsv(const std::string& path, const CsvOptions& options,
                                       int previewRows = 8);

inline constexpr int kMaxCsvProblems = 40;

}  // namespace larslab::data
