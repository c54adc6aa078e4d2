#include "data/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "test_util.h"

namespace larslab::data {
namespace {

using test::expectThrowMentioning;
using test::fixture;

CsvOptions raw(std::string label = "", bool regression = false) {
  CsvOptions o;
  o.labelColumn = std::move(label);
  o.regression = regression;
  o.standardize = false;
  o.testFraction = 0.25;
  o.seed = 3;
  return o;
}

// Finds the row whose first feature equals v (unique in the fixtures used with it).
Eigen::Index rowWithFirstFeature(const Dataset& d, float v) {
  for (Eigen::Index i = 0; i < d.size(); ++i) if (d.features(i, 0) == v) return i;
  return -1;
}

TEST(Csv, FixtureReallyUsesCrlf) {
  std::ifstream in(fixture("csv/flowers_crlf.csv"), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\r\n"), std::string::npos) << "line endings were normalised";
}

TEST(Csv, StringLabelsQuotedFieldsAndCrlf) {
  const DatasetSplit split = loadCsv(fixture("csv/flowers_crlf.csv"), raw());
  EXPECT_EQ(split.train.size(), 9);
  EXPECT_EQ(split.test.size(), 3);  // one of the four per class
  const std::vector<std::string> names{"Iris \"virginica\", big", "setosa", "versicolor"};
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(d->name, "flowers_crlf");
    EXPECT_EQ(d->numClasses, 3);
    EXPECT_EQ(d->classNames, names);
    EXPECT_EQ(d->features.cols(), 3);  // "sepal, width" is one quoted header field
    EXPECT_EQ(d->inputShape, (nn::Shape{1, 1, 3}));
    std::vector<int> perClass(3, 0);
    for (Eigen::Index i = 0; i < d->size(); ++i) ++perClass[static_cast<std::size_t>(d->targets(i, 0))];
    for (int c : perClass) EXPECT_EQ(c, d->size() / 3);
  }
  // "4.9, 3.0 ,1.4,"setosa"": spaces trimmed, quoted label unquoted.
  const DatasetSplit again = loadCsv(fixture("csv/flowers_crlf.csv"), raw());
  bool found = false;
  for (const Dataset* d : {&again.train, &again.test}) {
    const Eigen::Index r = rowWithFirstFeature(*d, 4.9F);
    if (r < 0) continue;
    found = true;
    EXPECT_EQ(d->features(r, 1), 3.0F);
    EXPECT_EQ(d->features(r, 2), 1.4F);
    EXPECT_EQ(d->classNames[static_cast<std::size_t>(d->targets(r, 0))], "setosa");
  }
  EXPECT_TRUE(found);
}

TEST(Csv, IntegerLabelsInNumericOrderChosenByName) {
  const DatasetSplit split = loadCsv(fixture("csv/int_labels.csv"), raw("digit"));
  EXPECT_EQ(split.train.size() + split.test.size(), 9);  // last line has no newline
  EXPECT_EQ(split.train.classNames, (std::vector<std::string>{"2", "7", "10"}));
  EXPECT_EQ(split.train.features.cols(), 2);  // x and y, digit removed from the middle
  for (const Dataset* d : {&split.train, &split.test}) {
    for (Eigen::Index i = 0; i < d->size(); ++i) {
      // In the fixture y - 1 = row index; digit 10 sits on rows 0, 2, 7; 2 on 1, 3, 6; 7 on 4, 5, 8.
      const int row = static_cast<int>(d->features(i, 1)) - 1;
      const int expected = (row == 0 || row == 2 || row == 7) ? 2 : (row == 1 || row == 3 || row == 6) ? 0 : 1;
      EXPECT_EQ(d->targets(i, 0), static_cast<float>(expected)) << "row " << row;
      if (row == 3) {
        EXPECT_FLOAT_EQ(d->features(i, 0), 1e-3F);
      }
      if (row == 4) {
        EXPECT_FLOAT_EQ(d->features(i, 0), 2.5F);  // "+2.5"
      }
    }
  }
}

TEST(Csv, RegressionTargetsAndTrailingBlankLine) {
  const DatasetSplit split = loadCsv(fixture("csv/regression.csv"), raw("", true));
  EXPECT_EQ(split.train.size() + split.test.size(), 10);
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_FALSE(d->isClassification());
    EXPECT_TRUE(d->classNames.empty());
    for (Eigen::Index i = 0; i < d->size(); ++i) {
      EXPECT_FLOAT_EQ(d->targets(i, 0), d->features(i, 0) / 2.0F);
      EXPECT_FLOAT_EQ(d->features(i, 1), d->features(i, 0) * 10.0F);
    }
  }
}

// Mean and population standard deviation of one column (plain loops: see test::minMax).
std::pair<double, double> columnStats(const nn::Matrix& m, Eigen::Index c) {
  double sum = 0.0;
  for (Eigen::Index r = 0; r < m.rows(); ++r) sum += m(r, c);
  const double mean = sum / static_cast<double>(m.rows());
  double squares = 0.0;
  for (Eigen::Index r = 0; r < m.rows(); ++r) squares += (m(r, c) - mean) * (m(r, c) - mean);
  return {mean, std::sqrt(squares / static_cast<double>(m.rows()))};
}

TEST(Csv, StandardisesWithTrainStatisticsOnly) {
  CsvOptions options = raw("", true);
  const DatasetSplit plain = loadCsv(fixture("csv/regression.csv"), options);
  options.standardize = true;
  const DatasetSplit standard = loadCsv(fixture("csv/regression.csv"), options);
  // Same seed, same split: recompute the train statistics from the raw values.
  for (Eigen::Index c = 0; c < 2; ++c) {
    const auto [mean, stddev] = columnStats(plain.train.features, c);
    for (const auto& [raw, z] : {std::pair{&plain.train, &standard.train}, std::pair{&plain.test, &standard.test}}) {
      for (Eigen::Index i = 0; i < raw->size(); ++i) {
        EXPECT_NEAR(z->features(i, c), (raw->features(i, c) - mean) / stddev, 1e-5);
      }
    }
    EXPECT_NEAR(columnStats(standard.train.features, c).first, 0.0, 1e-6);
    EXPECT_NEAR(columnStats(standard.train.features, c).second, 1.0, 1e-6);
    // The test part is not re-centred on its own statistics.
    EXPECT_GT(std::abs(columnStats(standard.test.features, c).first), 1e-3);
  }
  EXPECT_EQ(standard.train.targets, plain.train.targets);  // targets are left alone
}

TEST(Csv, ConstantColumnIsCentredNotDividedByZero) {
  CsvOptions options = raw();
  options.standardize = true;
  const DatasetSplit split = loadCsv(fixture("csv/constant_column.csv"), options);
  EXPECT_TRUE(split.train.features.allFinite());
  EXPECT_TRUE(split.test.features.allFinite());
  EXPECT_TRUE((split.train.features.col(1).array() == 0.0F).all());
  EXPECT_TRUE((split.test.features.col(1).array() == 0.0F).all());
}

TEST(Csv, SeedFixesTheSplit) {
  CsvOptions options = raw();
  const DatasetSplit a = loadCsv(fixture("csv/flowers_crlf.csv"), options);
  const DatasetSplit b = loadCsv(fixture("csv/flowers_crlf.csv"), options);
  EXPECT_EQ(a.test.features, b.test.features);
  bool anyDifferent = false;
  for (std::uint64_t seed = 4; seed < 10 && !anyDifferent; ++seed) {
    options.seed = seed;
    anyDifferent = loadCsv(fixture("csv/flowers_crlf.csv"), options).test.features != a.test.features;
  }
  EXPECT_TRUE(anyDifferent);
}

TEST(Csv, ErrorsNameFileLineAndColumn) {
  const auto expectError = [](const std::string& file, const CsvOptions& options,
                              std::vector<std::string> needles) {
    const std::string path = fixture(file);
    needles.insert(needles.begin(), path + ":");
    expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(path, options); }, needles);
  };
  expectError("csv/bad_number.csv", raw(), {"csv/bad_number.csv:4:", "column 2 'b'", "got 'abc'"});
  expectError("csv/ragged.csv", raw(), {"csv/ragged.csv:4:", "2 fields, expected 3"});
  expectError("csv/flowers_crlf.csv", raw("colour"), {"no column named 'colour'", "'species'"});
  expectError("csv/empty.csv", raw(), {"empty file"});
  expectError("csv/header_only.csv", raw(), {"csv/header_only.csv:1:", "no data rows"});
  expectError("csv/unterminated_quote.csv", raw(), {"csv/unterminated_quote.csv:3:", "unterminated"});
  expectError("csv/single_class.csv", raw(), {"single value 'x'", "at least 2 classes"});
  expectError("csv/does_not_exist.csv", raw(), {"cannot open"});
  expectError("csv", raw(), {"is a directory"});
  // A text label used as a regression target, and a text column used as a feature.
  expectError("csv/flowers_crlf.csv", raw("", true), {":2:", "column 4 'species'", "got 'setosa'"});
  expectError("csv/flowers_crlf.csv", raw("sepal length", true), {":2:", "column 4 'species'"});
}

// Writes text to a unique temporary file, removed at the end of the test.
class TempCsv {
 public:
  explicit TempCsv(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("larslab_csv_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) + ".csv"))
                .string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempCsv() { std::filesystem::remove(path_); }
  TempCsv(const TempCsv&) = delete;
  TempCsv& operator=(const TempCsv&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(Csv, QuotedNewlinesAndLoneCarriageReturnsCountLines) {
  // Line 2's quoted label spans lines 2-3 and CR ends lines 4 and 5: the bad number is on line 6.
  TempCsv file("a,label\n1,\"multi\nline\"\n2,x\r3,x\rnope,y\n");
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(file.path(), raw()); },
                                            {file.path() + ":6:", "got 'nope'"});
  TempCsv ok("a,label\n1,\"multi\nline\"\n2,x\r3,x\r4,\"multi\nline\"\n");
  const DatasetSplit split = loadCsv(ok.path(), raw());
  EXPECT_EQ(split.train.classNames, (std::vector<std::string>{"multi\nline", "x"}));
  EXPECT_EQ(split.train.size() + split.test.size(), 4);
}

TEST(Csv, TooFewRowsToSplitNamesTheFile) {
  TempCsv file("a,label\n1,x\n2,y\n");  // one row per class: nothing left to test on
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(file.path(), raw()); },
                                            {file.path() + ": ", "too few"});
}

TEST(Csv, RejectsBadTestFraction) {
  CsvOptions options = raw();
  options.testFraction = 1.0;
  expectThrowMentioning<std::invalid_argument>(
      [&] { (void)loadCsv(fixture("csv/flowers_crlf.csv"), options); }, {"testFraction"});
}

}  // namespace
}  // namespace larslab::data
