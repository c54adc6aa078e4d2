#include "data/csv.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(Csv, MissingValueSpellings) {
  for (const char* missing : {"", "NA", "na", "N/A", "n/a", "NaN", "nan", "NAN", "null", "NULL"})
    EXPECT_TRUE(isMissingValue(missing)) << missing;
  for (const char* value : {"0", "-", "nan1", "none", "N", "inf", "?"}) EXPECT_FALSE(isMissingValue(value)) << value;
  EXPECT_STREQ(missingPolicyName(MissingPolicy::FillTrainMean), "fill_train_mean");
  ASSERT_NE(findMissingPolicy("drop_rows"), nullptr);
  EXPECT_EQ(findMissingPolicy("drop_rows")->policy, MissingPolicy::DropRows);
  EXPECT_EQ(findMissingPolicy("drop"), nullptr);
  EXPECT_EQ(missingPolicies().front().policy, MissingPolicy::Error);  // the default comes first
}

// id, v, label: v = id * id, with v missing where `missing` says.
std::string numberedTable(int rows, const std::vector<int>& missingIds, const std::string& spelling = "NA") {
  std::string text = "id,v,label\n";
  for (int id = 1; id <= rows; ++id) {
    const bool missing = std::find(missingIds.begin(), missingIds.end(), id) != missingIds.end();
    text += std::to_string(id) + "," + (missing ? spelling : std::to_string(id * id)) + "," + (id % 2 ? "a" : "b") + "\n";
  }
  return text;
}

TEST(Csv, MissingValueIsAnErrorByDefault) {
  TempCsv file(numberedTable(12, {5}));
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(file.path(), raw()); },
                                            {file.path() + ":6:", "column 2 'v'", "missing value ('NA')", "drop_rows",
                                             "fill_train_mean"});
}

TEST(Csv, DropRowsLeavesOutRowsWithAMissingValue) {
  TempCsv file(numberedTable(12, {3, 8}, ""));
  CsvOptions options = raw();
  options.missing = MissingPolicy::DropRows;
  const DatasetSplit split = loadCsv(file.path(), options);
  EXPECT_EQ(split.train.size() + split.test.size(), 10);
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(rowWithFirstFeature(*d, 3.0f), -1);
    EXPECT_EQ(rowWithFirstFeature(*d, 8.0f), -1);
    for (Eigen::Index r = 0; r < d->size(); ++r) EXPECT_EQ(d->features(r, 1), d->features(r, 0) * d->features(r, 0));
  }
  const CsvInspection info = inspectCsv(file.path(), options);
  EXPECT_TRUE(info.problems.empty());
  EXPECT_EQ(info.records, 12);
  EXPECT_EQ(info.droppedRows, 2);
  EXPECT_EQ(info.classCounts, (std::vector<long>{5, 5}));  // ids 3 (a) and 8 (b) left out
}

TEST(Csv, FillTrainMeanUsesTheTrainSplitOnly) {
  // Several missing values, so that both splits hold some.
  const std::vector<int> missing = {2, 5, 9, 14, 17, 20};
  TempCsv file(numberedTable(24, missing, "nan"));
  CsvOptions options = raw();
  options.missing = MissingPolicy::FillTrainMean;
  options.testFraction = 0.5;
  const DatasetSplit split = loadCsv(file.path(), options);
  double sum = 0.0;
  int count = 0;
  for (Eigen::Index r = 0; r < split.train.size(); ++r) {
    const auto id = static_cast<int>(split.train.features(r, 0));
    if (std::find(missing.begin(), missing.end(), id) != missing.end()) continue;
    sum += split.train.features(r, 1);
    ++count;
  }
  const auto trainMean = static_cast<float>(sum / count);
  double allSum = 0.0;
  int allCount = 0;
  for (int id = 1; id <= 24; ++id)
    if (std::find(missing.begin(), missing.end(), id) == missing.end()) allSum += id * id, ++allCount;
  const auto allMean = static_cast<float>(allSum / allCount);
  ASSERT_NE(trainMean, allMean);  // else the test could not tell them apart
  int filledTrain = 0, filledTest = 0;
  for (const Dataset* d : {&split.train, &split.test})
    for (Eigen::Index r = 0; r < d->size(); ++r) {
      const auto id = static_cast<int>(d->features(r, 0));
      if (std::find(missing.begin(), missing.end(), id) == missing.end()) {
        EXPECT_EQ(d->features(r, 1), static_cast<float>(id * id));
        continue;
      }
      EXPECT_EQ(d->features(r, 1), trainMean) << "id " << id;
      ++(d == &split.train ? filledTrain : filledTest);
    }
  EXPECT_GT(filledTrain, 0);
  EXPECT_GT(filledTest, 0);
  EXPECT_EQ(inspectCsv(file.path(), options).filledValues, 6);

  // Standardisation comes after the fill: the filled train values sit at the train mean, so the
  // standardised train column has mean 0 and the filled cells all share one value.
  options.standardize = true;
  const DatasetSplit z = loadCsv(file.path(), options);
  EXPECT_NEAR(z.train.features.col(1).cast<double>().mean(), 0.0, 1e-5);
}

TEST(Csv, FillTrainMeanNeedsATrainValueAndLabels) {
  TempCsv noValues("a,v,label\n1,,x\n2,,y\n3,,x\n4,,y\n");
  CsvOptions options = raw();
  options.missing = MissingPolicy::FillTrainMean;
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(noValues.path(), options); },
                                            {noValues.path(), "column 'v'", "no training row"});
  TempCsv noLabel("a,label\n1,x\n2,\n3,y\n4,x\n5,y\n");
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(noLabel.path(), options); },
                                            {noLabel.path() + ":3:", "missing label", "drop_rows"});
  options.missing = MissingPolicy::DropRows;
  EXPECT_EQ(inspectCsv(noLabel.path(), options).droppedRows, 1);
  // In a class label column NA is a class, not a missing value.
  TempCsv naClass("a,label\n1,NA\n2,x\n3,NA\n4,x\n");
  EXPECT_EQ(loadCsv(naClass.path(), raw()).train.classNames, (std::vector<std::string>{"NA", "x"}));
}

TEST(Csv, IgnoredColumnsAreNotRead) {
  TempCsv file("name,a,note,b,label\nann,1,x,10,p\nbob,2,,20,q\ncid,3,y,30,p\ndan,4,z,40,q\neve,5,w,50,p\nfay,6,v,60,q\n");
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(file.path(), raw()); },
                                            {file.path() + ":2:", "column 1 'name'", "got 'ann'",
                                             "\"ignore_columns\": [\"name\"]"});
  CsvOptions options = raw();
  options.ignoreColumns = {"note", "name"};
  const DatasetSplit split = loadCsv(file.path(), options);
  EXPECT_EQ(split.train.inputShape, (nn::Shape{1, 1, 2}));
  for (const Dataset* d : {&split.train, &split.test})
    for (Eigen::Index r = 0; r < d->size(); ++r) EXPECT_EQ(d->features(r, 1), 10.0f * d->features(r, 0));
  const CsvInspection info = inspectCsv(file.path(), options);
  EXPECT_EQ(info.features, 2);
  EXPECT_EQ(info.labelIndex, 4);
  EXPECT_EQ(info.header.size(), 5u);
  EXPECT_EQ(info.classNames, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(info.classCounts, (std::vector<long>{3, 3}));

  CsvOptions bad = raw();
  bad.ignoreColumns = {"label", "nmae", "a", "a"};
  const CsvInspection problems = inspectCsv(file.path(), bad);
  ASSERT_EQ(problems.problems.size(), 3u);
  EXPECT_NE(problems.problems[0].text.find("'label' is the label column"), std::string::npos);
  EXPECT_NE(problems.problems[1].text.find("no column named 'nmae'"), std::string::npos);
  EXPECT_NE(problems.problems[2].text.find("'a' is listed twice"), std::string::npos);
  bad.ignoreColumns = {"name", "a", "note", "b"};
  EXPECT_NE(inspectCsv(file.path(), bad).problems.at(0).text.find("no feature column left"), std::string::npos);
}

TEST(Csv, InspectionListsEveryProblemWithLineAndColumn) {
  // Line 3: text in column 2; line 5: missing in column 3; line 6: a short row; column 1 has
  // text on 5 lines, of which 3 are listed and the rest counted.
  TempCsv file("a,b,c,label\n1,2,3,x\n1,two,3,y\n1,2,3,x\n1,2,,y\n1,2\nq,2,3,x\nq,2,3,y\nq,2,3,x\nq,2,3,y\nq,2,3,x\n");
  const CsvInspection info = inspectCsv(file.path(), raw(), 3);
  ASSERT_EQ(info.problems.size(), 7u);
  EXPECT_EQ(info.problems[0].line, 3);
  EXPECT_EQ(info.problems[0].column, 2);
  EXPECT_NE(info.problems[0].text.find(file.path() + ":3: column 2 'b': expected a finite number, got 'two'"),
            std::string::npos) << info.problems[0].text;
  EXPECT_EQ(info.problems[1].line, 5);
  EXPECT_EQ(info.problems[1].column, 3);
  EXPECT_NE(info.problems[1].text.find("missing value (empty)"), std::string::npos);
  EXPECT_EQ(info.problems[2].line, 6);
  EXPECT_NE(info.problems[2].text.find("2 fields, expected 4"), std::string::npos);
  for (int i = 3; i < 6; ++i) EXPECT_EQ(info.problems[static_cast<std::size_t>(i)].column, 1);
  EXPECT_NE(info.problems[6].text.find("column 1 'a': 2 more rows"), std::string::npos) << info.problems[6].text;
  EXPECT_EQ(info.preview.size(), 3u);
  EXPECT_EQ(info.preview[1], (std::vector<std::string>{"1", "two", "3", "y"}));
  EXPECT_EQ(info.records, 10);
  expectThrowMentioning<std::runtime_error>([&] { (void)loadCsv(file.path(), raw()); },
                                            {file.path() + ":3:", "(and 6 more problems in the file)"});
}

TEST(Csv, InspectionSummarisesARegressionTarget) {
  const CsvInspection info = inspectCsv(fixture("csv/flowers_crlf.csv"), raw("sepal length", true));
  ASSERT_FALSE(info.problems.empty());  // species is text
  CsvOptions options = raw("sepal length", true);
  options.ignoreColumns = {"species"};
  const CsvInspection ok = inspectCsv(fixture("csv/flowers_crlf.csv"), options);
  ASSERT_TRUE(ok.problems.empty()) << ok.problems.front().text;
  EXPECT_TRUE(ok.classNames.empty());
  EXPECT_LT(ok.targetMin, ok.targetMax);
  EXPECT_EQ(ok.trainRows + ok.testRows, ok.records);
}

TEST(Csv, RejectsBadTestFraction) {
  CsvOptions options = raw();
  options.testFraction = 1.0;
  expectThrowMentioning<std::invalid_argument>(
      [&] { (void)loadCsv(fixture("csv/flowers_crlf.csv"), options); }, {"testFraction"});
}

}  // namespace
}  // namespace larslab::data
