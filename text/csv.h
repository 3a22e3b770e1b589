// CSV as customer files arrive from CRM and ERP exports: RFC 4180 (quoted fields,
// doubled quotes, line breaks inside quotes), UTF-8 with or without a byte-order
// mark, LF or CRLF line ends (a lone CR, as old Mac exports write, ends a line too).
// The reader streams: it holds one record at a time, so a file of millions of rows
// costs no more memory than a file of ten.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace entente::csv {

// One record and the physical line it starts on (1-based, counting the header), so
// that a rejection can point the user at the line to fix.
struct Record {
  uint64_t line = 0;
  std::vector<std::string> fields;
};

// A record that could not be read: an unterminated quote, a quote inside an unquoted
// field, characters after a closing quote, invalid UTF-8, or a record over 1 MiB. The
// reader resynchronises at the next line end outside quotes and carries on; a quote
// never closed ends its record at the first line break after it. So one bad row never
// hides the good ones after it.
struct RecordError {
  uint64_t line = 0;
  // e.g. "quote inside an unquoted field (field 3)": the rule and the column, never
  // the field's content.
  std::string reason;
};

class Reader {
 public:
  // Throws std::runtime_error with a message naming the path when it cannot be opened.
  explicit Reader(const std::string& path);
  // Reads from an in-memory document (tests, fuzzing).
  static Reader fromString(std::string document);

  ~Reader();
  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;

  // Reads the next record. Returns false at end of input. Otherwise returns true and
  // either fills `out` and resets `error` (a good record), or sets `error` and leaves
  // `out` with no fields and `out.line` equal to `error->line` (a malformed record,
  // already skipped). Completely empty lines are skipped, never returned.
  bool next(Record& out, std::optional<RecordError>& error);

  // Bytes consumed so far and total size (0 when unknown), for progress display.
  uint64_t bytesRead() const;
  uint64_t totalBytes() const;

 private:
  Reader();
  // The byte stream (a buffered file or an in-memory document) and the line count.
  struct Source;
  std::unique_ptr<Source> source_;
};

// Whether a cell that a spreadsheet would run as a formula is defused.
enum class Formulas {
  // OWASP's rule for CSV injection: a cell that starts with '=', '+', '-', '@', TAB or
  // CR gets a leading apostrophe (and is quoted), so that Excel, LibreOffice and Google
  // Sheets show it as text instead of running it. Every file Entente hands to a person
  // (match --out, reports) is written so.
  NEUTRALISE,
  // Cells as they are: only for files Entente itself reads back as a CRM export would
  // be (the sample data, whose phone numbers start with '+').
  AS_IS,
};

// Writes RFC 4180: quotes a field only when it holds a comma, quote, CR or LF (or when
// it is the only field of a row and empty, which would otherwise be an empty line that
// the reader skips, or starts with U+FEFF, which could be taken for a BOM), and ends
// lines with "\r\n" only when asked to (some CRMs do, the tests need both). Writes no
// byte-order mark: a caller that wants one writes it first.
class Writer {
 public:
  explicit Writer(std::ostream& out, bool crlf = false, Formulas formulas = Formulas::NEUTRALISE);
  void row(const std::vector<std::string>& fields);

 private:
  std::ostream& out_;
  bool crlf_;
  Formulas formulas_;
};

// True when a spreadsheet would take `cell` for a formula (OWASP's first characters).
bool looksLikeFormula(std::string_view cell);

}  // namespace entente::csv
