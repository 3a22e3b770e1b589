#include "node/match/match-selection.h"

#include "node/import/customer-import.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <map>
#include <set>

using namespace entente;
using entente::crypto::IdentifierKind;
using entente::testing::TempDir;

namespace {

// Sessions open at this time; consent given in the tests' rows precedes it.
const int64_t kNow = static_cast<int64_t>(std::time(nullptr));

void importRows(storage::Environment& env, const std::vector<std::vector<std::pair<std::string, std::string>>>& rows) {
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<protocol::control::CustomerImport::RowsParams>().initRows(
      static_cast<unsigned>(rows.size()));
  for (unsigned i = 0; i < rows.size(); ++i) {
    // Every customer consents to overlap-analysis unless the row says otherwise.
    auto row = rows[i];
    bool hasConsent = false;
    for (auto& [name, value] : row) hasConsent = hasConsent || name.rfind("consent_", 0) == 0;
    if (!hasConsent) row.emplace_back("consent_overlap-analysis", "yes");
    auto fields = list[i].initFields(static_cast<unsigned>(row.size()));
    for (unsigned j = 0; j < row.size(); ++j) {
      fields[j].setName(row[j].first);
      fields[j].setValue(row[j].second);
    }
  }
  std::vector<node::RowRejection> rejections;
  node::NodeConfig config;
  config.region = "FI";
  std::vector<node::RowWarning> warnings;
  node::CustomerImport(env, config, "import test.csv", false).storeBatch(list.asReader(), rejections, warnings);
  REQUIRE(rejections.empty());
}

}  // namespace

TEST_CASE("a session selects only customers holding one of its kinds, with only those values") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {{{"customer_id", "1"}, {"email", "a@x.fi"}, {"phone", "040 123 4567"}},
                   {{"customer_id", "2"}, {"phone", "040 123 4568"}},
                   {{"customer_id", "3"}, {"email", "c@x.fi"}},
                   {{"customer_id", "4"}, {"segment", "no identifiers"}}});
  node::MatchSelection emails(env, {protocol::MatchMode::IDS, {IdentifierKind::EMAIL}, "overlap-analysis", {}}, kNow);
  CHECK(emails.groupCount() == 2);
  CHECK(emails.valueCount() == 2);
  std::vector<protocol::SelectedGroup> groups;
  CHECK(emails.read(10, groups) == 2);
  CHECK(emails.read(10, groups) == 0);
  for (auto& g : groups) {
    REQUIRE(g.values.size() == 1);
    CHECK(g.values[0].kind == IdentifierKind::EMAIL);
  }
  CHECK(emails.customerIdOf(groups[0].customerKey) == "1");

  node::MatchSelection both(env, {protocol::MatchMode::IDS, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "overlap-analysis", {}}, kNow);
  CHECK(both.groupCount() == 3);
  CHECK(both.valueCount() == 4);
}

TEST_CASE("a session's selection does not change when customers are imported during it") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {{{"customer_id", "1"}, {"email", "a@x.fi"}}});
  node::MatchSelection selection(env, {protocol::MatchMode::COUNT, {IdentifierKind::EMAIL}, "overlap-analysis", {}}, kNow);
  importRows(env, {{{"customer_id", "2"}, {"email", "b@x.fi"}}});
  std::vector<protocol::SelectedGroup> groups;
  CHECK(selection.read(100, groups) == 1);
  CHECK(selection.groupCount() == 1);
}

TEST_CASE("groups are handed out in batches of the requested size") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (int i = 0; i < 25; ++i) rows.push_back({{"customer_id", std::to_string(i)}, {"email", std::to_string(i) + "@x.fi"}});
  importRows(env, rows);
  node::MatchSelection selection(env, {protocol::MatchMode::COUNT, {IdentifierKind::EMAIL}, "overlap-analysis", {}}, kNow);
  std::vector<protocol::SelectedGroup> groups;
  CHECK(selection.read(10, groups) == 10);
  CHECK(selection.read(10, groups) == 10);
  CHECK(selection.read(10, groups) == 5);
  CHECK(groups.size() == 25);
}

TEST_CASE("only customers whose consent covers the session's purpose are selected") {
  TempDir dir;
  storage::Environment env(dir / "store", true);
  importRows(env, {{{"customer_id", "1"}, {"email", "a@x.fi"}, {"consent_overlap-analysis", "yes"}},
                   {{"customer_id", "2"}, {"email", "b@x.fi"}, {"consent_overlap-analysis", "no"}},
                   {{"customer_id", "3"}, {"email", "c@x.fi"}, {"consent_cross-selling", "yes"}},
                   {{"customer_id", "4"}, {"email", "d@x.fi"}, {"consent_overlap-analysis", "yes"},
                    {"consent_expires", "2001-01-01"}}});
  node::MatchSelection overlap(env, {protocol::MatchMode::COUNT, {IdentifierKind::EMAIL}, "overlap-analysis", {}}, kNow);
  CHECK(overlap.groupCount() == 1);
  CHECK(overlap.withoutConsent() == 3);
  node::MatchSelection crossSelling(env, {protocol::MatchMode::COUNT, {IdentifierKind::EMAIL}, "cross-selling", {}}, kNow);
  CHECK(crossSelling.groupCount() == 1);
  std::vector<protocol::SelectedGroup> groups;
  crossSelling.read(10, groups);
  REQUIRE(groups.size() == 1);
  CHECK(crossSelling.customerIdOf(groups[0].customerKey) == "3");
}

TEST_CASE("over several chunks, read() hands out each selected customer once, in key order, the filter asked once each") {
  // The store is walked once, to count; read() then takes the chosen records from
  // there, 4096 at a time. 10,000 customers span three chunks.
  TempDir dir;
  storage::Environment env(dir / "store", true);
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  for (int i = 0; i < 10'000; ++i) {
    std::vector<std::pair<std::string, std::string>> row = {{"customer_id", std::to_string(i)}};
    if (i % 5 != 0) row.emplace_back("email", "c" + std::to_string(i) + "@x.fi");  // every 5th has none
    row.emplace_back("consent_overlap-analysis", i % 3 == 0 ? "no" : "yes");         // every 3rd refuses
    rows.push_back(row);
  }
  importRows(env, rows);
  std::map<std::string, int> asked;
  node::SelectionOptions options;
  options.filter = [&](const storage::Transaction&, uint64_t, storage::schema::Customer::Reader customer) {
    std::string id = customer.getCustomerId().cStr();
    ++asked[id];
    return std::stoi(id) % 2 == 0;
  };
  node::MatchSelection selection(env, {protocol::MatchMode::COUNT, {IdentifierKind::EMAIL}, "overlap-analysis", {}}, kNow,
                                 options);
  std::set<int> expected;
  for (int i = 0; i < 10'000; ++i) {
    if (i % 5 != 0 && i % 3 != 0 && i % 2 == 0) expected.insert(i);
  }
  CHECK(selection.groupCount() == expected.size());
  CHECK(selection.valueCount() == expected.size());

  std::vector<protocol::SelectedGroup> groups;
  while (selection.read(1000, groups) > 0) {
  }
  CHECK(selection.read(1000, groups) == 0);
  REQUIRE(groups.size() == expected.size());
  std::set<int> seen;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) CHECK(groups[g].customerKey > groups[g - 1].customerKey);
    int id = std::stoi(selection.customerIdOf(groups[g].customerKey));
    seen.insert(id);
    REQUIRE(groups[g].values.size() == 1);
    CHECK(groups[g].values[0].normalised == "c" + std::to_string(id) + "@x.fi");
  }
  CHECK(seen == expected);
  CHECK(selection.readKeys().size() == expected.size());
  // Asked about every consenting customer with an e-mail, once: not again while reading.
  size_t consenting = 0;
  for (int i = 0; i < 10'000; ++i) consenting += (i % 5 != 0 && i % 3 != 0) ? 1 : 0;
  CHECK(asked.size() == consenting);
  for (auto& [id, times] : asked) CHECK(times == 1);
}
