// Properties of identifier normalisation that hold for every field: a normalised
// value normalises to itself, and no rejection reason carries the value it rejected.
// Also the throughput of normalising a sample file, run by hand only.

#include "text/identifier-normaliser.h"

#include "text/csv.h"
#include "text/normaliser-test-support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace entente::text {
namespace {

using testing::french;
using testing::valueOf;

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

TEST_CASE("normalising an already normalised value gives the same value") {
  const auto& n = french();
  for (const char* raw : {"  John.Smith@Example.COM ", "ＪＯＨＮ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                          "ÉLISE@EXEMPLE.FR", "İSTANBUL@ÖRNEK.TR", "straße@beispiel.de",
                          "ǅ@example.com"}) {
    INFO(raw);
    auto once = valueOf(n.email(raw));
    CHECK(valueOf(n.email(once)) == once);
  }
  for (auto [raw, country] : {std::pair{"06 12 34 56 78", ""}, {"0033612345678", "FR"},
                              {"+358 40 1234567", ""}, {"612 345 678", "ES"}}) {
    INFO(raw);
    auto once = valueOf(n.phone(raw, country));
    // E.164 carries its country, so any region reads it back the same.
    CHECK(valueOf(n.phone(once, "")) == once);
    CHECK(valueOf(n.phone(once, "PT")) == once);
  }
  for (const char* raw : {"Hélène", "Åsa", "Jääskeläinen", "João", "Muñoz", "Ñ", "Øyvind",
                          "Straße", "Œuvray", "Иванов", "王", "O'Brien", "ǅemal", "ﬁona"}) {
    INFO(raw);
    auto once = valueOf(n.name(raw));
    CHECK(valueOf(n.name(once)) == once);
  }
  for (const char* raw : {"1985-07-14", "19850714", "14/07/1985", "13.2.1980", "29-02-2000",
                          "2023-05-01 10:22"}) {
    INFO(raw);
    auto once = valueOf(n.birthDate(raw));
    CHECK(valueOf(n.birthDate(once)) == once);
  }
  for (const char* raw : {"75 001", "28-013", "00100", "sw1a 1aa"}) {
    INFO(raw);
    auto once = valueOf(n.postalCode(raw));
    CHECK(valueOf(n.postalCode(once)) == once);
  }
  for (const char* raw : {" fi", "Es", "pt ", "Allemagne", "usa", "Iso-Britannia"}) {
    INFO(raw);
    auto once = valueOf(n.country(raw));
    CHECK(valueOf(n.country(once)) == once);
  }
}

TEST_CASE("the parts of a normalised name_dob_postal value normalise to themselves") {
  PersonFields raw{"Œdipe", "Muñoz-Ñúñez", "1.2.1980", "28-013", " Espagne", "%d.%m.%Y"};
  auto once = valueOf(french().nameDobPostal(raw));
  auto parts = split(once, '\x1f');
  REQUIRE(parts.size() == 5);
  PersonFields again{parts[0], parts[1], parts[2], parts[3], parts[4]};
  CHECK(valueOf(french().nameDobPostal(again)) == once);
}

TEST_CASE("no rejection reason contains the rejected value") {
  const auto& n = french();
  std::vector<std::pair<std::string, Normalisation>> rejected;
  for (const char* raw : {"secret.person@@example.org", "secret.person@", "@secret-domain.org",
                          "secret person@example.org", "secret@example..org", "secretvalue"}) {
    rejected.emplace_back(raw, n.email(raw));
  }
  for (const char* raw : {"0612", "+33 1 23", "secretnumber", "999999999999999999999"}) {
    rejected.emplace_back(raw, n.phone(raw, "FR"));
  }
  rejected.emplace_back("+999 12345", n.phone("+999 12345", "Secretland"));
  for (const char* raw : {"1981-02-29", "29/02/1981", "1850-01-01", "secretdate", "1985/07/14",
                          "03/04/1975"}) {
    rejected.emplace_back(raw, n.birthDate(raw));
  }
  for (const char* raw : {"secret#code", "750-01é"}) rejected.emplace_back(raw, n.postalCode(raw));
  for (const char* raw : {"SECRETLAND", "S3", "Congo"}) rejected.emplace_back(raw, n.country(raw));
  for (const char* raw : {"---", "'''"}) rejected.emplace_back(raw, n.name(raw));
  PersonFields person{"Secretfirst", "Secretlast", "31/02/1980", "75001", "FR"};
  rejected.emplace_back("31/02/1980", n.nameDobPostal(person));
  rejected.emplace_back("Secretfirst", n.nameDobPostal(person));

  for (const auto& [raw, result] : rejected) {
    INFO(raw << " -> " << result.rejection);
    REQUIRE_FALSE(result);
    CHECK_FALSE(result.rejection.empty());
    CHECK(result.rejection.find(raw) == std::string::npos);
    CHECK(result.rejection.find("secret") == std::string::npos);
    CHECK(result.rejection.find("Secret") == std::string::npos);
  }
}


// ---------------------------------------------------------------------------------
// Throughput, run by hand only (hidden tag): the identifiers of a sample file, one
// thread, as import normalises them. ENTENTE_BENCH_CSV names the file, e.g. one that
// `entente sample-data --out DIR --firms 2 --customers 20000 --shared 0.5 --seed 1`
// wrote: text/text-tests "[.bench]" with ENTENTE_BENCH_CSV=DIR/firm-a.csv.

struct SampleRow {
  std::string email, phone, firstName, lastName, birthDate, postalCode, country;
};

std::vector<SampleRow> sampleRows(const char* path) {
  csv::Reader reader{std::string(path)};
  csv::Record record;
  std::optional<csv::RecordError> error;
  std::map<std::string, size_t> column;
  std::vector<SampleRow> rows;
  while (reader.next(record, error)) {
    if (error) continue;
    if (column.empty()) {
      for (size_t i = 0; i < record.fields.size(); ++i) column[record.fields[i]] = i;
      continue;
    }
    auto get = [&](const char* name) { return record.fields.at(column.at(name)); };
    rows.push_back({get("email"), get("phone"), get("first_name"), get("last_name"),
                    get("birth_date"), get("postal_code"), get("country")});
  }
  return rows;
}

enum class Kinds { all, email, phone, nameDobPostal };

// Rows per second, the best of three passes, normalising the given kinds of identifier.
double rowsPerSecond(const IdentifierNormaliser& n, const std::vector<SampleRow>& rows,
                     Kinds kinds) {
  double best = 0;
  for (int pass = 0; pass < 3; ++pass) {
    auto start = std::chrono::steady_clock::now();
    size_t accepted = 0;
    for (const auto& r : rows) {
      if (kinds == Kinds::all || kinds == Kinds::email) accepted += n.email(r.email) ? 1 : 0;
      if (kinds == Kinds::all || kinds == Kinds::phone) {
        accepted += n.phone(r.phone, r.country) ? 1 : 0;
      }
      if (kinds == Kinds::all || kinds == Kinds::nameDobPostal) {
        PersonFields person{r.firstName, r.lastName, r.birthDate, r.postalCode, r.country};
        accepted += n.nameDobPostal(person) ? 1 : 0;
      }
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::max(best, static_cast<double>(rows.size()) / took.count());
    CHECK(accepted > 0);
  }
  return best;
}

TEST_CASE("normalising a sample file's identifiers", "[.bench]") {
  const char* path = std::getenv("ENTENTE_BENCH_CSV");
  if (path == nullptr) {
    WARN("set ENTENTE_BENCH_CSV to a sample customer file");
    return;
  }
  auto rows = sampleRows(path);
  REQUIRE_FALSE(rows.empty());
  using Route = IdentifierNormaliser::Route;
  for (auto [route, routeName] : {std::pair{Route::icuOnly, "ICU only"}, {Route::fast, "fast"}}) {
    IdentifierNormaliser normaliser("FR", route);
    for (auto [kinds, kindsName] : {std::pair{Kinds::all, "all three"}, {Kinds::email, "email"},
                                    {Kinds::phone, "phone"},
                                    {Kinds::nameDobPostal, "name_dob_postal"}}) {
      WARN(routeName << ", " << kindsName << ": " << rowsPerSecond(normaliser, rows, kinds)
                     << " rows/s over " << rows.size() << " rows");
    }
  }
}

}  // namespace
}  // namespace entente::text
