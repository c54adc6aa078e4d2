#pragma once
// The one CSV tokenizer (RFC 4180) behind every CSV file the project reads: users' datasets
// (data/csv) and metric logs (engine/csv_log_reader). Readers give fields their meaning; this
// only splits a file into records and fields.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace larslab::data {

struct CsvDialect {
  // Spaces and tabs around a field (and around a quoted field's quotes) are not part of it.
  // Users' own tables are often padded by hand; logs keep fields verbatim.
  bool trimBlanks = false;
};

// Rules: comma separator; a field in double quotes may hold commas, line breaks and quotes
// written twice (""); a quote inside an unquoted field is an ordinary character; text after a
// closing quote is an error; records end at LF, CRLF or a lone CR (line breaks inside quotes
// are kept as written); a UTF-8 byte-order mark at the start is dropped; blank lines are
// skipped. Errors are std::runtime_error "path:line:column: what, expected what".
class CsvTokenizer {
 public:
  // `text` is the whole file and must outlive the tokenizer; `path` only names it in errors.
  CsvTokenizer(std::string_view text, std::string path, CsvDialect dialect = {});

  // Reads the next record into `fields` (cleared first); false at the end of the text.
  bool next(std::vector<std::string>& fields);

  // 1-based line where the record last returned by next() starts.
  [[nodiscard]] long line() const { return recordLine_; }
  [[nodiscard]] const std::string& path() const { return path_; }

  // "path:line: what" for the last record, for readers' own checks of its fields.
  [[nodiscard]] std::runtime_error error(const std::string& what) const;

 private:
  [[nodiscard]] bool atRecordEnd() const;
  void endLine();  // consumes LF, CRLF or a lone CR at pos_
  void skipBlanks();
  void readQuoted(std::string& field);
  [[noreturn]] void fail(long line, std::size_t lineStart, std::size_t at,
                         const std::string& what) const;

  std::string_view text_;
  std::string path_;
  CsvDialect dialect_;
  std::size_t pos_ = 0;
  long lineNumber_ = 1;        // of pos_
  std::size_t lineStart_ = 0;  // offset where that line starts, for columns
  long recordLine_ = 0;
};

}  // namespace larslab::data
