// The reader is one state machine over a byte stream. Once a record is known to be
// malformed it stops keeping field bytes and only tracks quoting, so that it stops at
// the line end that really ends the record. Two rules bound what one bad record can
// cost: a quoted field that is still open at end of input, or that grows past
// kMaxRecordBytes, ends at the first line break after its opening quote (the reader
// seeks back there), so a stray opening quote hides no good row after it and a
// hostile file costs no more memory than one long record.
#include "text/csv.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace entente::csv {

namespace {

constexpr size_t kBufferBytes = 64 * 1024;
constexpr uint64_t kMaxRecordBytes = 1024 * 1024;
constexpr int kEnd = -1;

bool isValidUtf8(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  auto isContinuation = [&](size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  size_t i = 0;
  while (i < text.size()) {
    unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char secondMin = 0x80, secondMax = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) secondMin = 0xA0;  // overlong
      if (lead == 0xED) secondMax = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) secondMin = 0x90;  // overlong
      if (lead == 0xF4) secondMax = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + 1 >= text.size() || byte(i + 1) < secondMin || byte(i + 1) > secondMax) return false;
    for (size_t k = 2; k < length; ++k) {
      if (!isContinuation(i + k)) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

struct Reader::Source {
  std::ifstream file;
  bool fromFile = false;
  std::string document;
  std::unique_ptr<char[]> buffer;

  const char* data = nullptr;
  size_t pos = 0;
  size_t end = 0;
  uint64_t bufferOffset = 0;  // offset in the input of data[0]
  uint64_t total = 0;
  uint64_t line = 1;
  bool started = false;

  bool refill() {
    if (!fromFile) return false;
    bufferOffset += end;
    pos = 0;
    file.read(buffer.get(), kBufferBytes);
    end = static_cast<size_t>(file.gcount());
    return end > 0;
  }
  int peek() {
    if (pos == end && !refill()) return kEnd;
    return static_cast<unsigned char>(data[pos]);
  }
  int get() {
    if (pos == end && !refill()) return kEnd;
    return static_cast<unsigned char>(data[pos++]);
  }
  uint64_t offset() const { return bufferOffset + pos; }

  void seek(uint64_t to) {
    if (fromFile) {
      file.clear();
      file.seekg(static_cast<std::streamoff>(to));
      bufferOffset = to;
      pos = end = 0;
    } else {
      pos = static_cast<size_t>(to);
    }
  }

  void skipByteOrderMark() {
    started = true;
    if (peek() != 0xEF) return;
    // The first refill reads a whole buffer, so all three bytes are in it when present.
    if (end - pos >= 3 && std::memcmp(data + pos, "\xEF\xBB\xBF", 3) == 0) pos += 3;
  }

  // Consumes the rest of a line break whose first byte `c` was just read.
  void finishLineBreak(int c) {
    if (c == '\r' && peek() == '\n') get();
    ++line;
  }
};

Reader::Reader() : source_(std::make_unique<Source>()) {}
Reader::~Reader() = default;
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;

Reader::Reader(const std::string& path) : Reader() {
  Source& s = *source_;
  s.file.open(path, std::ios::binary);
  if (!s.file) {
    throw std::runtime_error("cannot open CSV file '" + path + "': " + std::strerror(errno));
  }
  s.fromFile = true;
  s.buffer = std::make_unique<char[]>(kBufferBytes);
  s.data = s.buffer.get();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  s.total = ec ? 0 : static_cast<uint64_t>(size);
}

Reader Reader::fromString(std::string document) {
  Reader reader;
  Source& s = *reader.source_;
  s.document = std::move(document);
  s.data = s.document.data();
  s.end = s.document.size();
  s.total = s.document.size();
  return reader;
}

uint64_t Reader::bytesRead() const { return source_->offset(); }
uint64_t Reader::totalBytes() const { return source_->total; }

bool Reader::next(Record& out, std::optional<RecordError>& error) {
  Source& s = *source_;
  if (!s.started) s.skipByteOrderMark();
  error.reset();
  out.fields.clear();

  for (;;) {  // empty lines carry no record
    int c = s.peek();
    if (c == kEnd) return false;
    if (c != '\n' && c != '\r') break;
    s.finishLineBreak(s.get());
  }

  const uint64_t startLine = s.line;
  const uint64_t startOffset = s.offset();
  out.line = startLine;

  std::string reason;  // the first problem found; empty while the record is good
  auto fail = [&](std::string why, size_t column) {
    if (reason.empty()) reason = std::move(why) + " (field " + std::to_string(column) + ")";
  };
  auto tooLong = [&] { return s.offset() - startOffset > kMaxRecordBytes; };

  enum class State { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE } state = State::FIELD_START;
  std::string field;
  size_t column = 1;
  // Where the current quoted field first crossed a line break (the offset just after
  // it, so never 0; 0 means not yet), to resume there if the field never closes.
  uint64_t breakInQuotes = 0;
  uint64_t lineAfterBreak = 0;

  auto keep = [&](int c) {
    if (reason.empty()) field.push_back(static_cast<char>(c));
  };
  auto endField = [&] {
    if (reason.empty()) out.fields.push_back(std::move(field));
    field.clear();
    ++column;
    state = State::FIELD_START;
  };

  for (bool done = false; !done;) {
    int c = s.get();
    switch (state) {
      case State::FIELD_START:
      case State::UNQUOTED:
      case State::AFTER_QUOTE:
        if (c == ',') {
          endField();
        } else if (c == '\n' || c == '\r' || c == kEnd) {
          endField();
          if (c != kEnd) s.finishLineBreak(c);
          done = true;
        } else if (state == State::FIELD_START && c == '"') {
          state = State::QUOTED;
          breakInQuotes = 0;
        } else {
          if (state == State::AFTER_QUOTE) {
            fail("characters after the closing quote", column);
          } else if (c == '"') {
            fail("quote inside an unquoted field", column);
          }
          if (tooLong()) fail("record longer than 1 MiB", column);
          keep(c);
          state = State::UNQUOTED;
        }
        break;

      case State::QUOTED:
        if (c == kEnd || tooLong()) {
          fail(c == kEnd ? "quoted field not closed before the end of the file"
                         : "quoted field not closed within 1 MiB",
               column);
          if (breakInQuotes) {
            s.seek(breakInQuotes);
            s.line = lineAfterBreak;
          } else if (c != kEnd) {
            // No line break inside yet: the field is one overlong line; skip past it.
            for (int d = s.get(); d != kEnd; d = s.get()) {
              if (d == '\n' || d == '\r') {
                s.finishLineBreak(d);
                break;
              }
            }
          }
          done = true;
        } else if (c == '"') {
          if (s.peek() == '"') {
            s.get();
            keep('"');
          } else {
            state = State::AFTER_QUOTE;
          }
        } else if (c == '\n' || c == '\r') {
          keep(c);
          if (c == '\r' && s.peek() == '\n') keep(s.get());
          ++s.line;
          if (breakInQuotes == 0) {
            breakInQuotes = s.offset();
            lineAfterBreak = s.line;
          }
        } else {
          keep(c);
        }
        break;
    }
  }

  if (reason.empty()) {
    for (size_t i = 0; i < out.fields.size(); ++i) {
      if (!isValidUtf8(out.fields[i])) {
        fail("invalid UTF-8", i + 1);
        break;
      }
    }
  }
  if (!reason.empty()) {
    out.fields.clear();
    error = RecordError{startLine, std::move(reason)};
  }
  return true;
}

Writer::Writer(std::ostream& out, bool crlf, Formulas formulas) : out_(out), crlf_(crlf), formulas_(formulas) {}

bool looksLikeFormula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

void Writer::row(const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    bool defuse = formulas_ == Formulas::NEUTRALISE && looksLikeFormula(fields[i]);
    const std::string field = defuse ? "'" + fields[i] : fields[i];
    if (i > 0) out_ << ',';
    bool quote = defuse || field.find_first_of(",\"\r\n") != std::string::npos ||
                 (fields.size() == 1 && field.empty()) ||
                 field.starts_with("\xEF\xBB\xBF");  // would be taken for a byte-order mark
    if (!quote) {
      out_ << field;
      continue;
    }
    out_ << '"';
    for (char c : field) {
      if (c == '"') out_ << '"';
      out_ << c;
    }
    out_ << '"';
  }
  out_ << (crlf_ ? "\r\n" : "\n");
}

}  // namespace entente::csv
