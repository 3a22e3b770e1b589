// Real CRM exports, imported as IT staff would: a Salesforce contact report and a
// HubSpot contacts export of partly the same people, in the columns, date formats,
// country spellings and phone formats those products write, loaded with `--preset`
// and one `--map` for each firm's consent column, then matched on every kind.
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <fstream>
#include <set>

using namespace entente::testing;

namespace {

struct Country {
  const char* iso;
  const char* salesforceName;  // as a Salesforce user typed it
  const char* hubspotName;     // as HubSpot's Country/Region property holds it
  const char* postal;
};

// The six countries of the people, each spelt two ways.
constexpr Country kCountries[] = {
    {"FR", "France", "france", "75001"},         {"ES", "España", "Spain", "28013"},
    {"DE", "Deutschland", "Germany", "10115"},   {"PT", "Portugal", "PRT", "1100-148"},
    {"FI", "Suomi", "Finland", "00100"},         {"US", "United States", "USA", "10001"},
};
constexpr const char* kFirstNames[] = {"Hélène", "José", "Jürgen", "João", "Päivi", "John"};

struct Person {
  int index;
  const Country* country;
  std::string first, last, email;
  int year, month, day;
  // The mobile number as each CRM holds it: national with the country column, or E.164.
  std::string nationalMobile, internationalMobile;
};

Person person(int i) {
  Person p;
  p.index = i;
  p.country = &kCountries[i % 6];
  p.first = kFirstNames[i % 6];
  p.last = fmt::format("Lastname{}", i);
  p.email = fmt::format("person{}@example.org", i);
  p.year = 1950 + i;
  p.month = i % 12 + 1;
  p.day = (i * 7) % 28 + 1;  // many of these also read as a day-first date
  std::string nn = fmt::format("{:02}", i);
  std::string iso = p.country->iso;
  if (iso == "FR") p.nationalMobile = "06 12 34 56 " + nn, p.internationalMobile = "+33 6 12 34 56 " + nn;
  if (iso == "ES") p.nationalMobile = "612 34 56 " + nn, p.internationalMobile = "+34 612 34 56 " + nn;
  if (iso == "DE") p.nationalMobile = "0151 234567" + nn, p.internationalMobile = "+49 151 234567" + nn;
  if (iso == "PT") p.nationalMobile = "912 345 6" + nn, p.internationalMobile = "+351 912 345 6" + nn;
  if (iso == "FI") p.nationalMobile = "040 12345" + nn, p.internationalMobile = "+358 40 12345" + nn;
  if (iso == "US") p.nationalMobile = "(212) 736-50" + nn, p.internationalMobile = "+1 212 736 50" + nn;
  return p;
}

std::string quoted(const std::vector<std::string>& fields) {
  std::string line;
  for (auto& f : fields) line += (line.empty() ? "\"" : ",\"") + f + "\"";
  return line + "\r\n";
}

// People 0-29 are customers of both firms, 30-39 of the boat builder only, 40-49 of
// the travel agency only. Person 5 refused partner offers at the boat builder, person
// 7 at the travel agency; person 10's mobile is "n/a" in Salesforce.
constexpr int kShared = 30;

std::string salesforceExport() {
  std::string csv = quoted({"Contact ID", "First Name", "Last Name", "Title", "Account Name", "Email", "Phone", "Mobile",
                            "Mailing Street", "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code",
                            "Mailing Country", "Birthdate", "Email Opt Out", "Lead Source", "Partner Offers",
                            "Contact Owner", "Created Date"});
  for (int i = 0; i < 40; ++i) {
    auto p = person(i);
    csv += quoted({fmt::format("0035g00000Xy{:04}AAF", i), p.first, p.last, i % 3 ? "" : "Skipper", "Harbour Club",
                   i % 4 ? p.email : fmt::format("Person{}@Example.ORG", i), "", i == 10 ? "n/a" : p.nationalMobile,
                   "1 Quay Street", "Port", "", p.country->postal, p.country->salesforceName,
                   fmt::format("{:02}/{:02}/{}", p.month, p.day, p.year), i == 12 ? "1" : "0", "Boat Show",
                   i == 5 ? "0" : "1", "Marie Admin", "12/31/2023 10:22 AM"});
  }
  return csv;
}

std::string hubspotExport() {
  std::string csv = quoted({"Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
                            "Street Address", "City", "State/Region", "Postal Code", "Country/Region", "Date of birth",
                            "Lifecycle Stage", "Contact owner", "Create Date", "Unsubscribed from all email",
                            "Partner offers"});
  std::vector<int> people;
  for (int i = 0; i < kShared; ++i) people.push_back(i);
  for (int i = 40; i < 50; ++i) people.push_back(i);
  for (int i : people) {
    auto p = person(i);
    std::string postal = p.country->postal;
    if (std::string(p.country->iso) == "PT") postal = "1100 148";
    csv += quoted({std::to_string(51 + i), p.first, p.last, p.email, "", p.internationalMobile, "", "City", "",
                   postal, p.country->hubspotName, fmt::format("{}-{:02}-{:02}", p.year, p.month, p.day),
                   "customer", "Sam Sales", "2023-05-01 10:22", "false", i == 7 ? "false" : "true"});
  }
  return csv;
}

struct TwoCrms {
  TestNetwork net;
  CliResult boats, travel;
  TwoCrms() {
    net.addNode("boats", "FR");
    net.addNode("travel", "FR");
    net.pair("boats", "travel");
    REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    std::ofstream(net.root() / "contacts-salesforce.csv") << salesforceExport();
    std::ofstream(net.root() / "contacts-hubspot.csv") << hubspotExport();
    boats = net.run("boats", {"import", (net.root() / "contacts-salesforce.csv").string(), "--preset", "salesforce",
                              "--map", "Partner Offers=consent_overlap-analysis,consent_cross-selling", "--json"});
    travel = net.run("travel", {"import", (net.root() / "contacts-hubspot.csv").string(), "--preset", "hubspot", "--map",
                                "Partner offers=consent_overlap-analysis,consent_cross-selling", "--json"});
  }
  std::set<std::string> matched(const std::string& kinds) {
    auto r = net.run("boats", {"match", "--peer", "travel", "--purpose", "cross-selling", "--mode", "ids", "--kinds",
                               kinds});
    REQUIRE(r.exitCode == 0);
    std::set<std::string> ids;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("0035g", 0) == 0) ids.insert(line.substr(0, line.find(',')));
    }
    return ids;
  }
};

std::set<std::string> salesforceIds(std::vector<int> people) {
  std::set<std::string> ids;
  for (int i : people) ids.insert(fmt::format("0035g00000Xy{:04}AAF", i));
  return ids;
}

}  // namespace

TEST_CASE("a Salesforce and a HubSpot export import with a preset and one --map, every customer stored") {
  TwoCrms crms;
  INFO(crms.boats.err << crms.travel.err);
  REQUIRE(crms.boats.exitCode == 0);
  REQUIRE(crms.travel.exitCode == 0);
  CHECK(jsonNumber(crms.boats.out, "inserted") == 40);
  CHECK(jsonNumber(crms.boats.out, "rejected") == 0);
  CHECK(jsonNumber(crms.travel.out, "inserted") == 40);
  CHECK(jsonNumber(crms.travel.out, "rejected") == 0);
  // Person 10's "n/a" is dropped with its line and the file's own column name.
  CHECK_THAT(crms.boats.err, Catch::Contains("contacts-salesforce.csv:12: phone (column \"Mobile\") dropped"));
  CHECK_THAT(crms.boats.err, !Catch::Contains("n/a"));
}

TEST_CASE("matches over every kind find exactly the shared people who consented on both sides") {
  TwoCrms crms;
  REQUIRE(crms.boats.exitCode == 0);
  REQUIRE(crms.travel.exitCode == 0);
  std::vector<int> expected;
  for (int i = 0; i < kShared; ++i) {
    if (i != 5 && i != 7) expected.push_back(i);
  }
  CHECK(crms.matched("email,phone,name_dob_postal") == salesforceIds(expected));
  CHECK(crms.matched("email") == salesforceIds(expected));
  // Names, US-format birth dates and country names spelt differently by each CRM meet.
  CHECK(crms.matched("name_dob_postal") == salesforceIds(expected));
  std::erase(expected, 10);  // no phone kept for person 10
  CHECK(crms.matched("phone") == salesforceIds(expected));
}
