#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include "crypto/identifier.h"
#include "node/csv.h"

namespace entente::sample {
namespace {

namespace fs = std::filesystem;
using crypto::IdentifierNormaliser;

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("entente-sample-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter++));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string contentsOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A firm's rows with their columns under canonical names, read the way import will.
struct Row {
  uint64_t line;
  std::map<std::string, std::string> columns;
  const std::string& operator[](const std::string& name) const {
    static const std::string kEmpty;
    auto it = columns.find(name);
    return it == columns.end() ? kEmpty : it->second;
  }
};

std::vector<Row> readFirm(const FirmFile& firm) {
  std::map<std::string, std::string> map(firm.columnMap.begin(), firm.columnMap.end());
  csv::Reader reader(firm.csv.string());
  csv::Record record;
  std::optional<csv::RecordError> error;
  std::vector<std::string> header;
  std::vector<Row> rows;
  while (reader.next(record, error)) {
    REQUIRE(!error);
    if (header.empty()) {
      for (auto& name : record.fields) header.push_back(map.count(name) ? map[name] : name);
      continue;
    }
    REQUIRE(record.fields.size() == header.size());
    Row row{record.line, {}};
    for (size_t i = 0; i < header.size(); ++i) row.columns[header[i]] = record.fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Each row's normalised identifiers, tagged with their kind. Every non-empty
// identifier must normalise; a failure names the firm, line and rule, not the value.
std::map<std::string, std::set<std::string>> identifiersOf(const FirmFile& firm) {
  IdentifierNormaliser normaliser(firm.region);
  std::map<std::string, std::set<std::string>> byId;
  for (const Row& row : readFirm(firm)) {
    auto& ids = byId[row["customer_id"]];
    auto take = [&](const char* kind, const crypto::Normalisation& n) {
      INFO(firm.firm << " line " << row.line << ": " << n.rejection);
      CHECK(n);
      if (n) ids.insert(std::string(kind) + ":" + *n.value);
    };
    if (!row["email"].empty()) take("email", normaliser.email(row["email"]));
    if (!row["phone"].empty()) take("phone", normaliser.phone(row["phone"], row["country"]));
    if (!row["birth_date"].empty()) {
      take("name_dob_postal",
           normaliser.nameDobPostal({row["first_name"], row["last_name"], row["birth_date"],
                                     row["postal_code"], row["country"]}));
    }
    CHECK(!ids.empty());
  }
  return byId;
}

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

const FirmFile& firmNamed(const SampleSet& set, const std::string& name) {
  for (auto& f : set.firms) {
    if (f.firm == name) return f;
  }
  FAIL("no firm " << name);
  throw std::logic_error("unreachable");
}

TEST_CASE("the same options write the same bytes", "[sample]") {
  TempDir one, two, other;
  SampleOptions options{3, 500, 0.4, 42};
  auto a = writeSampleSet(options, one.path());
  auto b = writeSampleSet(options, two.path());
  options.seed = 43;
  writeSampleSet(options, other.path());
  size_t files = 0;
  for (auto& entry : fs::directory_iterator(one.path())) {
    auto name = entry.path().filename();
    INFO(name.string());
    CHECK(contentsOf(entry.path()) == contentsOf(two.path() / name));
    ++files;
  }
  CHECK(files == 3 + 6 + 1);
  CHECK(contentsOf(one.path() / "firm-a.csv") != contentsOf(other.path() / "firm-a.csv"));
}

TEST_CASE("options out of range are refused", "[sample]") {
  TempDir dir;
  CHECK_THROWS_AS(writeSampleSet({1, 10, 0.5, 1}, dir.path()), std::invalid_argument);
  CHECK_THROWS_AS(writeSampleSet({4, 10, 0.5, 1}, dir.path()), std::invalid_argument);
  CHECK_THROWS_AS(writeSampleSet({2, 10, 1.5, 1}, dir.path()), std::invalid_argument);
}

TEST_CASE("with two firms each shares the requested fraction with the other", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({2, 3000, 0.5, 1}, dir.path());
  REQUIRE(set.firms.size() == 2);
  CHECK(set.firms[0].firm == "firm-a");
  CHECK(set.firms[1].firm == "firm-b");
  for (auto& firm : set.firms) CHECK(readFirm(firm).size() == 3000);
  REQUIRE(set.truth.size() == 2);
  for (auto& t : set.truth) {
    CHECK(t.requesterIds.size() == 1500);
    CHECK(std::is_sorted(t.requesterIds.begin(), t.requesterIds.end()));
  }
  CHECK(set.truth[0].requester == "firm-a");
  CHECK(set.truth[0].responder == "firm-b");
}

TEST_CASE("with three firms the pairwise overlaps differ and are symmetric", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 1000, 0.5, 7}, dir.path());
  REQUIRE(set.truth.size() == 6);
  std::map<std::pair<std::string, std::string>, size_t> sizes;
  for (auto& t : set.truth) sizes[{t.requester, t.responder}] = t.requesterIds.size();
  CHECK(sizes[{"firm-a", "firm-b"}] == sizes[{"firm-b", "firm-a"}]);
  CHECK(sizes[{"firm-a", "firm-c"}] == sizes[{"firm-c", "firm-a"}]);
  CHECK(sizes[{"firm-b", "firm-c"}] == sizes[{"firm-c", "firm-b"}]);
  std::set<size_t> distinct{sizes[{"firm-a", "firm-b"}], sizes[{"firm-a", "firm-c"}],
                            sizes[{"firm-b", "firm-c"}]};
  CHECK(distinct.size() == 3);
  // firm-a shares exactly its fraction with at least one other firm.
  std::set<std::string> sharedA;
  for (auto& t : set.truth) {
    if (t.requester == "firm-a") sharedA.insert(t.requesterIds.begin(), t.requesterIds.end());
  }
  CHECK(sharedA.size() == 500);
  for (auto& firm : set.firms) CHECK(readFirm(firm).size() == 1000);
}

TEST_CASE("the truth files list the same ids as the returned truth", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 300, 0.5, 3}, dir.path());
  for (auto& t : set.truth) {
    std::string expected = "customer_id\n";
    for (auto& id : t.requesterIds) expected += id + "\n";
    CHECK(contentsOf(dir.path() / ("truth-" + t.requester + "-" + t.responder + ".csv")) ==
          expected);
  }
  auto summary = contentsOf(dir.path() / "ground-truth.txt");
  CHECK(summary.find("firm-c -> firm-b") != std::string::npos);
}

TEST_CASE("each firm writes its own dialect", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 400, 0.5, 5}, dir.path());
  auto a = contentsOf(firmNamed(set, "firm-a").csv);
  auto b = contentsOf(firmNamed(set, "firm-b").csv);
  auto c = contentsOf(firmNamed(set, "firm-c").csv);
  CHECK(a.starts_with("customer_id,email,phone,first_name,last_name,birth_date,postal_code,"
                      "country,segment,income_band,interests,city,address\n"));
  CHECK(a.find('\r') == std::string::npos);
  CHECK(b.starts_with("\xEF\xBB\xBF" "Client ID,E-mail Address,Mobile,"));
  CHECK(std::count(b.begin(), b.end(), '\n') == std::count(b.begin(), b.end(), '\r'));
  CHECK(c.find('\r') == std::string::npos);
  CHECK(firmNamed(set, "firm-a").columnMap.empty());
  CHECK(firmNamed(set, "firm-b").columnMap.size() == 8);

  auto rowsA = readFirm(firmNamed(set, "firm-a"));
  auto rowsB = readFirm(firmNamed(set, "firm-b"));
  auto rowsC = readFirm(firmNamed(set, "firm-c"));
  CHECK(rowsA[0]["customer_id"] == "A-000001");
  CHECK(rowsB[0]["customer_id"].starts_with("B7731"));
  CHECK(rowsC[0]["customer_id"].starts_with("PH"));
  CHECK(rowsA[0]["address"].find(',') != std::string::npos);
  CHECK(a.find("\"" + rowsA[0]["address"] + "\"") != std::string::npos);

  auto any = [](const std::vector<Row>& rows, auto predicate) {
    return std::any_of(rows.begin(), rows.end(), predicate);
  };
  CHECK(any(rowsA, [](const Row& r) { return r["phone"].starts_with("+"); }));
  CHECK(any(rowsA, [](const Row& r) { return r["birth_date"].size() == 10 && r["birth_date"][4] == '-'; }));
  CHECK(any(rowsB, [](const Row& r) { return r["birth_date"].size() == 10 && r["birth_date"][2] == '/'; }));
  CHECK(any(rowsC, [](const Row& r) { return r["birth_date"].size() == 10 && r["birth_date"][2] == '.'; }));
  CHECK(any(rowsB, [](const Row& r) { return r["phone"].starts_with("06 "); }));
  CHECK(any(rowsC, [](const Row& r) { return r["phone"].starts_with("+358 "); }));
  CHECK(any(rowsB, [](const Row& r) { return r["email"].starts_with(" "); }));
  CHECK(any(rowsB, [](const Row& r) {
    return !r["email"].empty() && r["email"] == upper(r["email"]);
  }));
  CHECK(any(rowsB, [](const Row& r) { return r["last_name"] == upper(r["last_name"]); }));
  CHECK(any(rowsA, [](const Row& r) {  // real accents, not ASCII stand-ins
    return std::any_of(r["last_name"].begin(), r["last_name"].end(), [](char ch) { return ch & 0x80; });
  }));
  for (auto* rows : {&rowsA, &rowsB, &rowsC}) {
    CHECK(any(*rows, [](const Row& r) { return r["email"].empty(); }));
    CHECK(any(*rows, [](const Row& r) { return r["phone"].empty(); }));
  }
  auto noEmail = std::count_if(rowsC.begin(), rowsC.end(), [](const Row& r) { return r["email"].empty(); });
  CHECK(noEmail > 400 / 5);
}

TEST_CASE("every identifier in every file normalises", "[sample][identifier]") {
  TempDir dir;
  auto set = writeSampleSet({3, 3000, 0.5, 11}, dir.path());
  for (auto& firm : set.firms) CHECK(identifiersOf(firm).size() == 3000);
}

// The exact answer: which requester rows share a normalised identifier with any
// responder row, by plain set intersection, must be the truth.
void checkTruthIsExact(const SampleOptions& options) {
  TempDir dir;
  auto set = writeSampleSet(options, dir.path());
  std::map<std::string, std::map<std::string, std::set<std::string>>> ids;
  for (auto& firm : set.firms) ids[firm.firm] = identifiersOf(firm);
  for (auto& t : set.truth) {
    std::set<std::string> responderValues;
    for (auto& [id, values] : ids[t.responder]) responderValues.insert(values.begin(), values.end());
    std::vector<std::string> matched;
    for (auto& [id, values] : ids[t.requester]) {
      if (std::any_of(values.begin(), values.end(),
                      [&](const std::string& v) { return responderValues.count(v) > 0; })) {
        matched.push_back(id);
      }
    }
    INFO(t.requester << " -> " << t.responder);
    CHECK(matched.size() == t.requesterIds.size());
    CHECK(matched == t.requesterIds);
  }
}

TEST_CASE("matching normalised identifiers finds exactly the truth for two firms",
          "[sample][identifier]") {
  checkTruthIsExact({2, 3000, 0.5, 1});
}

TEST_CASE("matching normalised identifiers finds exactly the truth for three firms",
          "[sample][identifier]") {
  checkTruthIsExact({3, 3000, 0.5, 2});
  checkTruthIsExact({3, 1000, 0.9, 3});
}

TEST_CASE("no overlap and full overlap are both possible", "[sample]") {
  TempDir none, full;
  auto disjoint = writeSampleSet({2, 100, 0.0, 1}, none.path());
  for (auto& t : disjoint.truth) CHECK(t.requesterIds.empty());
  auto same = writeSampleSet({2, 100, 1.0, 1}, full.path());
  for (auto& t : same.truth) CHECK(t.requesterIds.size() == 100);
}

}  // namespace
}  // namespace entente::sample
