#include "data/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace larslab::data {
namespace {

using Records = std::vector<std::vector<std::string>>;

struct Tokenized {
  Records records;
  std::vector<long> lines;
};

Tokenized tokenize(std::string_view text, CsvDialect dialect = {}) {
  CsvTokenizer tokenizer(text, "f.csv", dialect);
  Tokenized out;
  std::vector<std::string> fields;
  while (tokenizer.next(fields)) {
    out.records.push_back(fields);
    out.lines.push_back(tokenizer.line());
  }
  return out;
}

std::string errorOf(std::string_view text, CsvDialect dialect = {}) {
  try {
    (void)tokenize(text, dialect);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(CsvTokenizer, SplitsFieldsAndRecords) {
  const Tokenized t = tokenize("a,b,c\n1,,3\n");
  EXPECT_EQ(t.records, (Records{{"a", "b", "c"}, {"1", "", "3"}}));
  EXPECT_EQ(t.lines, (std::vector<long>{1, 2}));
  EXPECT_EQ(tokenize("a,b").records, (Records{{"a", "b"}}));  // no final line break
  EXPECT_EQ(tokenize("a,\n").records, (Records{{"a", ""}}));  // trailing empty field
  EXPECT_TRUE(tokenize("").records.empty());
}

TEST(CsvTokenizer, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const Tokenized t = tokenize("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\nnext,x\n");
  EXPECT_EQ(t.records, (Records{{"a,b", "say \"hi\"", "two\nlines", ""}, {"next", "x"}}));
  EXPECT_EQ(t.lines, (std::vector<long>{1, 3}));  // the quoted line break counts
  // A CRLF inside quotes is kept as written.
  EXPECT_EQ(tokenize("\"a\r\nb\"\r\nc\r\n").records, (Records{{"a\r\nb"}, {"c"}}));
}

TEST(CsvTokenizer, LineEndsAreLfCrlfOrALoneCr) {
  const Tokenized t = tokenize("a\r\nb\rc\nd");
  EXPECT_EQ(t.records, (Records{{"a"}, {"b"}, {"c"}, {"d"}}));
  EXPECT_EQ(t.lines, (std::vector<long>{1, 2, 3, 4}));
}

TEST(CsvTokenizer, SkipsBlankLinesAndAByteOrderMark) {
  const Tokenized t = tokenize("\xEF\xBB\xBFh\n\n\r\nx\n\n");
  EXPECT_EQ(t.records, (Records{{"h"}, {"x"}}));
  EXPECT_EQ(t.lines, (std::vector<long>{1, 4}));
  // A quoted empty field is a record, not a blank line.
  EXPECT_EQ(tokenize("\"\"\n").records, (Records{{""}}));
}

TEST(CsvTokenizer, BlanksAreKeptUnlessTheDialectTrimsThem) {
  EXPECT_EQ(tokenize(" a , b \n").records, (Records{{" a ", " b "}}));
  EXPECT_EQ(tokenize(" a ,\t\" b \" \n  \n", CsvDialect{.trimBlanks = true}).records,
            (Records{{"a", " b "}}));
  // Untrimmed, a line of blanks is a record.
  EXPECT_EQ(tokenize("  \n").records, (Records{{"  "}}));
}

TEST(CsvTokenizer, AQuoteInsideAnUnquotedFieldIsAnOrdinaryCharacter) {
  EXPECT_EQ(tokenize("5'11\",b\"c\n").records, (Records{{"5'11\"", "b\"c"}}));
}

TEST(CsvTokenizer, ErrorsNameFileLineColumnAndWhatWasExpected) {
  EXPECT_EQ(errorOf("a,b\n1,\"open\nmore\n"),
            "f.csv:2:3: unterminated quoted field (expected a closing '\"' before the end of "
            "the file)");
  EXPECT_EQ(errorOf("a,b\n\"x\" y,2\n"),
            "f.csv:2:4: unexpected text after a closing quote: ' y,2' (expected a comma or the "
            "end of the line)");
  EXPECT_EQ(errorOf("\"x\" y\n", CsvDialect{.trimBlanks = true}),
            "f.csv:1:5: unexpected text after a closing quote: 'y' (expected a comma or the end "
            "of the line)");
  // After a multi-line quoted field the line and column are where the bad text is.
  EXPECT_EQ(errorOf("\"a\nbc\"d\n"),
            "f.csv:2:4: unexpected text after a closing quote: 'd' (expected a comma or the end "
            "of the line)");
}

TEST(CsvTokenizer, ReaderErrorsNameTheRecordsFirstLine) {
  CsvTokenizer tokenizer("h\n\"two\nlines\"\n", "f.csv");
  std::vector<std::string> fields;
  ASSERT_TRUE(tokenizer.next(fields));
  ASSERT_TRUE(tokenizer.next(fields));
  EXPECT_EQ(std::string(tokenizer.error("bad value").what()), "f.csv:2: bad value");
  EXPECT_FALSE(tokenizer.next(fields));
}

}  // namespace
}  // namespace larslab::data
