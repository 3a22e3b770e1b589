#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "text/identifier-normaliser.h"
#include "text/csv.h"

namespace entente::sample {
namespace {

namespace fs = std::filesystem;
using text::IdentifierNormaliser;

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
    auto take = [&](const char* kind, const text::Normalisation& n) {
      INFO(firm.firm << " line " << row.line << ": " << n.rejection);
      CHECK(n);
      if (n) ids.insert(std::string(kind) + ":" + *n.value);
    };
    if (!row["email"].empty()) take("email", normaliser.email(row["email"]));
    if (!row["phone"].empty()) take("phone", normaliser.phone(row["phone"], row["country"]));
    if (!row["birth_date"].empty()) {
      take("name_dob_postal",
           normaliser.nameDobPostal({row["first_name"], row["last_name"], row["birth_date"],
                                     row["postal_code"], row["country"], firm.birthDateFormat}));
    }
    CHECK(!ids.empty());
  }
  return byId;
}

// A consent cell read by import's rules: yes/no, true/false, 1/0 in any case, or an ISO
// date YYYY-MM-DD (granted on that date); empty means never asked.
enum class ConsentCell { NEVER_ASKED, GRANTED, NOT_GRANTED, INVALID };

bool isIsoDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  int year = std::stoi(text.substr(0, 4)), month = std::stoi(text.substr(5, 2)),
      day = std::stoi(text.substr(8, 2));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

ConsentCell parseConsent(const std::string& value) {
  if (value.empty()) return ConsentCell::NEVER_ASKED;
  std::string lower = value;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "yes" || lower == "true" || lower == "1") return ConsentCell::GRANTED;
  if (lower == "no" || lower == "false" || lower == "0") return ConsentCell::NOT_GRANTED;
  if (isIsoDate(value)) return ConsentCell::GRANTED;
  return ConsentCell::INVALID;
}

const std::vector<std::string> kAllPurposes(std::begin(kPurposes), std::end(kPurposes));

// Each row's granted purposes, read through the firm's column map by import's rules. A
// purpose without a column is never asked; every consent cell must parse.
std::map<std::string, std::set<std::string>> grantsOf(const FirmFile& firm) {
  std::map<std::string, std::set<std::string>> byId;
  auto rows = readFirm(firm);
  REQUIRE(!rows.empty());
  std::vector<std::string> columns;  // the purposes the file has a column for
  for (auto& [name, value] : rows[0].columns) {
    if (!name.starts_with("consent_")) continue;
    std::string rest = name.substr(8);
    if (rest == "source" || rest == "date") continue;
    INFO(firm.firm << ": column " << name);
    CHECK(std::count(kAllPurposes.begin(), kAllPurposes.end(), rest) == 1);
    columns.push_back(rest);
  }
  std::vector<std::string> inOrder;
  for (auto& purpose : kAllPurposes) {
    if (std::count(columns.begin(), columns.end(), purpose)) inOrder.push_back(purpose);
  }
  CHECK(inOrder == firm.consentPurposes);
  for (const Row& row : rows) {
    auto& granted = byId[row["customer_id"]];
    for (auto& purpose : kAllPurposes) {
      ConsentCell cell = parseConsent(row["consent_" + purpose]);
      INFO(firm.firm << " line " << row.line << ": consent_" << purpose);
      CHECK(cell != ConsentCell::INVALID);
      if (cell == ConsentCell::GRANTED) granted.insert(purpose);
    }
    INFO(firm.firm << " line " << row.line << ": consent_date");
    CHECK((row["consent_date"].empty() || isIsoDate(row["consent_date"])));
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
  CHECK(files == 3 + 6 * (1 + 3) + 1);
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
  REQUIRE(set.truth.size() == 2 * (1 + 3));
  for (auto& t : set.truth) {
    if (t.purpose.empty()) CHECK(t.requesterIds.size() == 1500);
    CHECK(std::is_sorted(t.requesterIds.begin(), t.requesterIds.end()));
  }
  CHECK(set.truth[0].requester == "firm-a");
  CHECK(set.truth[0].responder == "firm-b");
  CHECK(set.truth[0].purpose == "");
  CHECK(set.truth[1].requester == "firm-b");
  CHECK(set.truth[1].purpose == "");
}

TEST_CASE("with three firms the pairwise overlaps differ and are symmetric", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 1000, 0.5, 7}, dir.path());
  REQUIRE(set.truth.size() == 6 * (1 + 3));
  std::map<std::pair<std::string, std::string>, size_t> sizes;
  for (auto& t : set.truth) {
    if (t.purpose.empty()) sizes[{t.requester, t.responder}] = t.requesterIds.size();
  }
  CHECK(sizes[{"firm-a", "firm-b"}] == sizes[{"firm-b", "firm-a"}]);
  CHECK(sizes[{"firm-a", "firm-c"}] == sizes[{"firm-c", "firm-a"}]);
  CHECK(sizes[{"firm-b", "firm-c"}] == sizes[{"firm-c", "firm-b"}]);
  std::set<size_t> distinct{sizes[{"firm-a", "firm-b"}], sizes[{"firm-a", "firm-c"}],
                            sizes[{"firm-b", "firm-c"}]};
  CHECK(distinct.size() == 3);
  // firm-a shares exactly its fraction with at least one other firm.
  std::set<std::string> sharedA;
  for (auto& t : set.truth) {
    if (t.requester == "firm-a" && t.purpose.empty()) {
      sharedA.insert(t.requesterIds.begin(), t.requesterIds.end());
    }
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
    std::string suffix = t.purpose.empty() ? "" : "-" + t.purpose;
    INFO(t.requester << " -> " << t.responder << " " << t.purpose);
    CHECK(contentsOf(dir.path() / ("truth-" + t.requester + "-" + t.responder + suffix + ".csv")) ==
          expected);
  }
  auto summary = contentsOf(dir.path() / "ground-truth.txt");
  CHECK(summary.find("firm-c -> firm-b") != std::string::npos);
  CHECK(summary.find("overlap-analysis  cross-selling  enrichment") != std::string::npos);
  auto line = summary.substr(summary.rfind("  firm-a -> firm-c"));
  line = line.substr(0, line.find('\n'));
  std::istringstream counts(line.substr(std::string("  firm-a -> firm-c").size()));
  for (auto purpose : kPurposes) {
    size_t count = 0;
    counts >> count;
    CHECK(count == set.truthFor("firm-a", "firm-c", purpose).requesterIds.size());
  }
}

TEST_CASE("truthFor finds every triple and only those", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 200, 0.5, 4}, dir.path());
  for (auto& t : set.truth) CHECK(&set.truthFor(t.requester, t.responder, t.purpose) == &t);
  CHECK(set.truthFor("firm-b", "firm-c").purpose == "");
  CHECK(set.truthFor("firm-b", "firm-c", "cross-selling").purpose == "cross-selling");
  CHECK_THROWS_AS(set.truthFor("firm-a", "firm-a"), std::out_of_range);
  CHECK_THROWS_AS(set.truthFor("firm-a", "firm-d"), std::out_of_range);
  CHECK_THROWS_AS(set.truthFor("firm-a", "firm-b", "marketing"), std::out_of_range);
}

TEST_CASE("each firm writes its own dialect", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 400, 0.5, 5}, dir.path());
  auto a = contentsOf(firmNamed(set, "firm-a").csv);
  auto b = contentsOf(firmNamed(set, "firm-b").csv);
  auto c = contentsOf(firmNamed(set, "firm-c").csv);
  CHECK(a.starts_with("customer_id,email,phone,first_name,last_name,birth_date,postal_code,"
                      "country,segment,income_band,interests,city,address,"
                      "consent_overlap-analysis,consent_cross-selling,consent_enrichment,"
                      "consent_source,consent_date\n"));
  CHECK(a.find('\r') == std::string::npos);
  CHECK(b.starts_with("\xEF\xBB\xBF" "Client ID,E-mail Address,Mobile,"));
  CHECK(std::count(b.begin(), b.end(), '\n') == std::count(b.begin(), b.end(), '\r'));
  CHECK(c.find('\r') == std::string::npos);
  CHECK(firmNamed(set, "firm-a").columnMap.empty());
  CHECK(firmNamed(set, "firm-b").columnMap.size() == 8 + 3);
  CHECK(firmNamed(set, "firm-c").columnMap.size() == 7 + 4);
  CHECK(b.find(",Partner stats OK,Partner offers,Consent channel\r\n") != std::string::npos);
  CHECK(c.find(",Suostumus analyysi,Suostumus markkinointi,") != std::string::npos);
  using Purposes = std::vector<std::string>;
  CHECK(firmNamed(set, "firm-a").consentPurposes == kAllPurposes);
  CHECK(firmNamed(set, "firm-b").consentPurposes == Purposes{"overlap-analysis", "cross-selling"});
  CHECK(firmNamed(set, "firm-c").consentPurposes == kAllPurposes);

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

  // Consent, each firm in its own words.
  auto all = [](const std::vector<Row>& rows, auto predicate) {
    return std::all_of(rows.begin(), rows.end(), predicate);
  };
  auto oneOf = [](const std::string& value, std::initializer_list<const char*> allowed) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
  };
  for (auto& purpose : kAllPurposes) {
    std::string column = "consent_" + purpose;
    CHECK(all(rowsA, [&](const Row& r) { return oneOf(r[column], {"yes", "no", ""}); }));
    CHECK(any(rowsA, [&](const Row& r) { return r[column] == "yes"; }));
    CHECK(any(rowsA, [&](const Row& r) { return r[column] == "no"; }));
    CHECK(any(rowsA, [&](const Row& r) { return r[column].empty(); }));
    CHECK(all(rowsC, [&](const Row& r) { return oneOf(r[column], {"1", "0", ""}); }));
  }
  CHECK(any(rowsA, [](const Row& r) { return r["consent_source"] == "store"; }));
  CHECK(all(rowsA, [](const Row& r) { return r["consent_date"].empty() || isIsoDate(r["consent_date"]); }));
  CHECK(all(rowsB, [&](const Row& r) {
    return oneOf(r["consent_overlap-analysis"], {"true", "false", "TRUE", "FALSE", ""});
  }));
  CHECK(any(rowsB, [](const Row& r) { return r["consent_overlap-analysis"] == "TRUE"; }));
  CHECK(all(rowsB, [&](const Row& r) {
    auto& v = r["consent_cross-selling"];
    return oneOf(v, {"false", "FALSE", ""}) || isIsoDate(v);
  }));
  CHECK(any(rowsB, [](const Row& r) { return isIsoDate(r["consent_cross-selling"]); }));
  CHECK(any(rowsB, [](const Row& r) { return r["consent_cross-selling"].empty(); }));
  CHECK(all(rowsB, [](const Row& r) { return r["consent_enrichment"].empty(); }));
  CHECK(all(rowsC, [](const Row& r) { return r["consent_date"].empty() || isIsoDate(r["consent_date"]); }));
}

TEST_CASE("consent rates are realistic and include withdrawals", "[sample]") {
  TempDir dir;
  auto set = writeSampleSet({3, 3000, 0.5, 1}, dir.path());
  const std::map<std::string, std::pair<double, double>> bands = {
      {"overlap-analysis", {0.83, 0.92}}, {"cross-selling", {0.57, 0.72}}, {"enrichment", {0.34, 0.47}}};
  for (auto& firm : set.firms) {
    auto grants = grantsOf(firm);
    REQUIRE(grants.size() == 3000);
    for (auto& purpose : kAllPurposes) {
      auto granted = std::count_if(grants.begin(), grants.end(),
                                   [&](auto& entry) { return entry.second.count(purpose) > 0; });
      double rate = static_cast<double>(granted) / 3000;
      INFO(firm.firm << " " << purpose << " granted " << rate);
      if (std::count(firm.consentPurposes.begin(), firm.consentPurposes.end(), purpose)) {
        CHECK(rate >= bands.at(purpose).first);
        CHECK(rate <= bands.at(purpose).second);
      } else {
        CHECK(granted == 0);
      }
    }
  }
  // A withdrawal: the row's source says so and it refuses at least one purpose.
  auto withdrawals = [](const std::vector<Row>& rows, std::initializer_list<const char*> sources,
                        const std::string& refusal) {
    return std::count_if(rows.begin(), rows.end(), [&](const Row& r) {
      bool source = std::any_of(sources.begin(), sources.end(),
                                [&](const char* s) { return r["consent_source"] == s; });
      bool refuses = std::any_of(kAllPurposes.begin(), kAllPurposes.end(), [&](auto& p) {
        std::string v = r["consent_" + p];
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return v == refusal;
      });
      CHECK((!source || refuses));
      return source;
    });
  };
  auto inA = withdrawals(readFirm(firmNamed(set, "firm-a")), {"unsubscribe-link", "privacy-request"}, "no");
  auto inB = withdrawals(readFirm(firmNamed(set, "firm-b")), {"opt-out-link"}, "false");
  CHECK(inA > 10);
  CHECK(inA < 150);
  CHECK(inB > 10);
  CHECK(inB < 150);
}

TEST_CASE("every identifier in every file normalises", "[sample][identifier]") {
  TempDir dir;
  auto set = writeSampleSet({3, 3000, 0.5, 11}, dir.path());
  for (auto& firm : set.firms) CHECK(identifiersOf(firm).size() == 3000);
}

// The exact answer: which requester rows share a normalised identifier with any
// responder row, by plain set intersection, must be the truth; for a purpose, only the
// rows that grant it take part, on both sides.
void checkTruthIsExact(const SampleOptions& options) {
  TempDir dir;
  auto set = writeSampleSet(options, dir.path());
  REQUIRE(set.truth.size() == options.firms * (options.firms - 1) * (1 + std::size(kPurposes)));
  std::map<std::string, std::map<std::string, std::set<std::string>>> ids, grants;
  for (auto& firm : set.firms) {
    ids[firm.firm] = identifiersOf(firm);
    grants[firm.firm] = grantsOf(firm);
  }
  size_t nonEmptyPerPurpose = 0;
  for (auto& t : set.truth) {
    auto takesPart = [&](const std::string& firm, const std::string& id) {
      return t.purpose.empty() || grants[firm].at(id).count(t.purpose) > 0;
    };
    std::set<std::string> responderValues;
    for (auto& [id, values] : ids[t.responder]) {
      if (takesPart(t.responder, id)) responderValues.insert(values.begin(), values.end());
    }
    std::vector<std::string> matched;
    for (auto& [id, values] : ids[t.requester]) {
      if (takesPart(t.requester, id) &&
          std::any_of(values.begin(), values.end(),
                      [&](const std::string& v) { return responderValues.count(v) > 0; })) {
        matched.push_back(id);
      }
    }
    INFO(t.requester << " -> " << t.responder << " purpose \"" << t.purpose << "\"");
    CHECK(matched.size() == t.requesterIds.size());
    CHECK(matched == t.requesterIds);
    if (!t.purpose.empty()) {
      // Fewer than ignoring consent, never more, and the same both ways.
      auto& all = set.truthFor(t.requester, t.responder).requesterIds;
      CHECK(t.requesterIds.size() < all.size());
      CHECK(std::includes(all.begin(), all.end(), t.requesterIds.begin(), t.requesterIds.end()));
      CHECK(t.requesterIds.size() == set.truthFor(t.responder, t.requester, t.purpose).requesterIds.size());
      nonEmptyPerPurpose += !t.requesterIds.empty();
    }
  }
  // Every purpose both firms ask about has shared customers who granted it at both.
  size_t expected = 0;
  for (auto& r : set.firms) {
    for (auto& s : set.firms) {
      if (&r == &s) continue;
      for (auto& p : r.consentPurposes) expected += std::count(s.consentPurposes.begin(), s.consentPurposes.end(), p);
    }
  }
  CHECK(nonEmptyPerPurpose == expected);
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
  for (auto& t : same.truth) {
    if (t.purpose.empty()) CHECK(t.requesterIds.size() == 100);
    if (t.purpose == "overlap-analysis") CHECK(t.requesterIds.size() > 60);
    if (t.purpose == "enrichment") CHECK(t.requesterIds.empty());  // firm-b never asks it
  }
}

}  // namespace
}  // namespace entente::sample
