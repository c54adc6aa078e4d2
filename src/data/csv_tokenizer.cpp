#include "data/csv_tokenizer.h"

#include <utility>

namespace larslab::data {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }
bool isLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

CsvTokenizer::CsvTokenizer(std::string_view text, std::string path, CsvDialect dialect)
    : text_(text), path_(std::move(path)), dialect_(dialect) {
  // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first field.
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = lineStart_ = 3;
}

bool CsvTokenizer::atRecordEnd() const { return pos_ >= text_.size() || isLineEnd(text_[pos_]); }

void CsvTokenizer::endLine() {
  if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  ++lineNumber_;
  lineStart_ = pos_;
}

void CsvTokenizer::skipBlanks() {
  if (!dialect_.trimBlanks) return;
  while (pos_ < text_.size() && isBlank(text_[pos_])) ++pos_;
}

void CsvTokenizer::fail(long line, std::size_t lineStart, std::size_t at,
                        const std::string& what) const {
  throw std::runtime_error(path_ + ":" + std::to_string(line) + ":" +
                           std::to_string(at - lineStart + 1) + ": " + what);
}

std::runtime_error CsvTokenizer::error(const std::string& what) const {
  return std::runtime_error(path_ + ":" + std::to_string(recordLine_) + ": " + what);
}

// pos_ is at the opening quote. Line breaks inside are kept as written and counted.
void CsvTokenizer::readQuoted(std::string& field) {
  const long openLine = lineNumber_;
  const std::size_t openLineStart = lineStart_;
  const std::size_t open = pos_++;
  for (;;) {
    if (pos_ >= text_.size()) {
      fail(openLine, openLineStart, open,
           "unterminated quoted field (expected a closing '\"' before the end of the file)");
    }
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
        continue;
      }
      ++pos_;
      return;
    }
    if (isLineEnd(c)) {
      const std::size_t start = pos_;
      endLine();
      field.append(text_.substr(start, pos_ - start));
      continue;
    }
    field += c;
    ++pos_;
  }
}

bool CsvTokenizer::next(std::vector<std::string>& fields) {
  for (;;) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    recordLine_ = lineNumber_;
    bool quotedAny = false;
    for (;;) {
      skipBlanks();
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        quotedAny = true;
        readQuoted(field);
        skipBlanks();
        if (!atRecordEnd() && text_[pos_] != ',') {
          const std::size_t at = pos_;
          std::size_t end = at;
          while (end < text_.size() && end - at < 20 && !isLineEnd(text_[end])) ++end;
          fail(lineNumber_, lineStart_, at,
               "unexpected text after a closing quote: '" +
                   std::string(text_.substr(at, end - at)) +
                   "' (expected a comma or the end of the line)");
        }
      } else {
        // A quote inside an unquoted field is an ordinary character.
        const std::size_t start = pos_;
        while (!atRecordEnd() && text_[pos_] != ',') ++pos_;
        std::size_t end = pos_;
        if (dialect_.trimBlanks)
          while (end > start && isBlank(text_[end - 1])) --end;
        field.assign(text_.substr(start, end - start));
      }
      fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      endLine();
      break;
    }
    // A blank line (nothing, or only blanks when they are trimmed) is not a record.
    if (fields.size() == 1 && fields[0].empty() && !quotedAny) continue;
    return true;
  }
}

}  // namespace larslab::data
