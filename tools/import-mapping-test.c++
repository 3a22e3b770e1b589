#include "tools/import-mapping.h"

#include "tools/control-client.h"

#include <catch2/catch.hpp>

using namespace entente::tools;

namespace {

std::string targetOf(const MappedHeader& mapped, const std::string& target, const std::vector<std::string>& row) {
  for (auto& f : mapped.fields) {
    if (f.target == target) return MappedHeader::valueOf(f, row[f.sourceIndex]);
  }
  return "<not mapped>";
}

}  // namespace

TEST_CASE("a mapping renames, fans a column out, translates values and leaves columns out") {
  auto mapping = ImportMapping::parse(R"(
[mapping]
description = "our CRM"
ignore = ["Owner"]

[columns]
"Client" = "customer_id"
"Mail" = "email"
"Newsletter" = { to = ["consent_cross-selling", "consent_enrichment"], values = { "Oui" = "granted", "NON" = "withdrawn" } }
"Secteur" = "segment"
)",
                                      "our.toml");
  std::vector<std::string> header{"Client", "Mail", "Newsletter", "Secteur", "Owner", "Notes"};
  auto mapped = mapHeader(header, mapping, "", ImportKind::customers(), "crm.csv");
  CHECK(mapped.targets() == std::vector<std::string>{"customer_id", "email", "consent_cross-selling",
                                                     "consent_enrichment", "segment", "Notes"});
  CHECK(mapped.ignored == std::vector<std::string>{"Owner"});
  std::vector<std::string> row{"C-1", "a@b.fr", " oui ", "boats", "Jean", "n"};
  CHECK(targetOf(mapped, "consent_cross-selling", row) == "granted");
  CHECK(targetOf(mapped, "consent_enrichment", row) == "granted");
  row[2] = "non";
  CHECK(targetOf(mapped, "consent_enrichment", row) == "withdrawn");
  row[2] = "peut-être";  // not in the table: sent as it is, for the node to reject
  CHECK(targetOf(mapped, "consent_enrichment", row) == "peut-être");
  CHECK(targetOf(mapped, "segment", row) == "boats");
}

TEST_CASE("a --map overrides a preset's target and keeps its value translation") {
  auto mapping = ImportMapping::preset("salesforce");
  mapping.applyMap("Email Opt Out=consent_cross-selling");
  std::vector<std::string> header{"Contact ID", "Email", "Email Opt Out", "Birthdate"};
  auto mapped = mapHeader(header, mapping, "", ImportKind::customers(), "sf.csv");
  CHECK(mapped.targets() == std::vector<std::string>{"customer_id", "email", "consent_cross-selling", "birth_date"});
  CHECK(targetOf(mapped, "consent_cross-selling", {"1", "x", "1", ""}) == "withdrawn");
  CHECK(targetOf(mapped, "consent_cross-selling", {"1", "x", "0", ""}) == "");
  CHECK(mapped.dateFormats.at("birth_date") == "%m/%d/%Y");
}

TEST_CASE("without --map a preset's opt-out column is left out, not guessed into a purpose") {
  auto mapping = ImportMapping::preset("hubspot");
  std::vector<std::string> header{"Record ID", "Email", "Unsubscribed from all email", "Country/Region"};
  auto mapped = mapHeader(header, mapping, "", ImportKind::customers(), "hs.csv");
  CHECK(mapped.targets() == std::vector<std::string>{"customer_id", "email", "country"});
  CHECK(mapped.ignored == std::vector<std::string>{"Unsubscribed from all email"});
}

TEST_CASE("a --date-format wins over the mapping's, which wins over none") {
  auto mapping = ImportMapping::preset("salesforce");
  std::vector<std::string> header{"Contact ID", "Birthdate"};
  CHECK(mapHeader(header, mapping, "%d/%m/%Y", ImportKind::customers(), "f").dateFormats.at("birth_date") == "%d/%m/%Y");
  std::vector<std::string> hubspot{"Record ID", "Date of birth"};
  CHECK(mapHeader(hubspot, ImportMapping::preset("hubspot"), "", ImportKind::customers(), "f").dateFormats.empty());
  CHECK_THROWS_WITH(mapHeader(header, mapping, "%d/%m", ImportKind::customers(), "f"), Catch::Contains("'%d/%m'"));
}

TEST_CASE("mapping mistakes are refused before anything is sent, naming what to fix") {
  std::vector<std::string> header{"Id", "Mail", "Phone 1", "Phone 2"};
  ImportMapping mapping;
  mapping.applyMap("Id=customer_id");
  SECTION("a target that looks like a mistyped column") {
    mapping.applyMap("Mail=emial");
    CHECK_THROWS_WITH(mapHeader(header, mapping, "", ImportKind::customers(), "f.csv"),
                      Catch::Contains("did you mean email?"));
  }
  SECTION("two columns to one target") {
    mapping.applyMap("Phone 1=phone");
    mapping.applyMap("Phone 2=phone");
    CHECK_THROWS_WITH(mapHeader(header, mapping, "", ImportKind::customers(), "f.csv"),
                      Catch::Contains("two columns go to 'phone'") && Catch::Contains("--ignore"));
  }
  SECTION("a --map for a column the file does not have") {
    mapping.applyMap("E-mail=email");
    CHECK_THROWS_WITH(mapHeader(header, mapping, "", ImportKind::customers(), "f.csv"),
                      Catch::Contains("\"E-mail\", which f.csv does not have"));
  }
  SECTION("no customer_id") {
    ImportMapping none;
    CHECK_THROWS_WITH(mapHeader(header, none, "", ImportKind::customers(), "f.csv"),
                      Catch::Contains("no customer_id column"));
  }
  SECTION("a history import takes only its own columns") {
    mapping.applyMap("Mail=email");
    CHECK_THROWS_WITH(mapHeader(header, mapping, "", ImportKind::history(), "f.csv"),
                      Catch::Contains("not a column of this import"));
  }
}

TEST_CASE("a mapping file's mistakes name the file, the line and the key") {
  CHECK_THROWS_WITH(ImportMapping::parse("[columns]\n\"A\" = { too = \"email\" }\n", "m.toml"),
                    Catch::StartsWith("m.toml:2") && Catch::Contains("`too`"));
  CHECK_THROWS_WITH(ImportMapping::parse("[mapping]\ndate_fromat = \"%d\"\n", "m.toml"),
                    Catch::StartsWith("m.toml:2") && Catch::Contains("date_fromat"));
  CHECK_THROWS_WITH(ImportMapping::parse("[colums]\n", "m.toml"), Catch::Contains("[colums]"));
  CHECK_THROWS_WITH(ImportMapping::parse("[columns\n", "m.toml"), Catch::StartsWith("m.toml:1"));
  CHECK_THROWS_WITH(ImportMapping::preset("zoho"), Catch::Contains("hubspot") && Catch::Contains("salesforce"));
}

TEST_CASE("the columns a rejects file adds are left out when it is imported again") {
  ImportMapping mapping;
  std::vector<std::string> header{"customer_id", "email", kRejectedLineColumn, kRejectedReasonColumn};
  auto mapped = mapHeader(header, mapping, "", ImportKind::customers(), "rejects.csv");
  CHECK(mapped.targets() == std::vector<std::string>{"customer_id", "email"});
}

TEST_CASE("every built-in preset parses and maps a customer_id") {
  REQUIRE(ImportMapping::presetNames().size() >= 2);
  for (auto& name : ImportMapping::presetNames()) {
    auto mapping = ImportMapping::preset(name);
    bool hasId = false;
    for (auto& [column, rule] : mapping.columns) {
      for (auto& t : rule.targets) hasId = hasId || t == "customer_id";
    }
    CHECK(hasId);
    CHECK_FALSE(mapping.description.empty());
  }
}
