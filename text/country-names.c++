// The country table is built once from ICU's data, under a function-local static, and
// is read-only afterwards: lookups share it between threads without a lock. Folding
// uses ICU's NFKD normaliser (a thread-safe singleton) rather than a transliterator,
// which is not safe to share; the six languages' names hold no letter that NFKD
// cannot take to ASCII (no "ø" or "æ"), and the tests check every name resolves.

#include "text/country-names.h"

#include <unicode/locdspnm.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/region.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace entente::text {

namespace {

// No country name is near this long; the cap bounds ICU's work on a malformed field.
constexpr size_t kMaxCountryBytes = 256;
constexpr const char* kLanguages[] = {"en", "fr", "es", "pt", "fi", "de"};

const icu::Normalizer2& nfkd() {
  static const icu::Normalizer2* instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKDInstance(status);
    if (U_FAILURE(status) || n == nullptr) {
      throw std::runtime_error(std::string("ICU NFKD normaliser unavailable: ") + u_errorName(status));
    }
    return n;
  }();
  return *instance;
}

// Decomposed, accents (non-spacing marks) dropped, case-folded, then ASCII letters and
// digits only: spaces, hyphens, apostrophes and dots ("É.-U.") do not tell names apart.
std::string folded(const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString decomposed = nfkd().normalize(text, status);
  if (U_FAILURE(status)) return {};
  decomposed.foldCase();
  std::string out;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += static_cast<char>(c);
  }
  return out;
}

std::string folded(std::string_view utf8) {
  return folded(icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size()))));
}

// ICU lists a few codes that ISO 3166-1 does not assign to a country: XK (Kosovo) is
// in the range ISO leaves to users (AA, QM-QZ, XA-XZ, ZZ), and DG, EA and IC (Diego
// Garcia, Ceuta and Melilla, Canary Islands) are reserved codes without an ISO numeric
// code. Two firms would not agree on them, so they are not countries here.
bool isIsoCountry(const char* code) {
  std::string_view c(code);
  if (c.size() != 2) return false;
  if (c == "AA" || c == "ZZ" || c[0] == 'X' || (c[0] == 'Q' && c[1] >= 'M')) return false;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Region* region = icu::Region::getInstance(code, status);
  return U_SUCCESS(status) && region != nullptr && region->getNumericCode() > 0;
}

std::string toUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// The forms of one ICU name worth matching: the name itself, and the part before a
// qualifier ICU adds to tell two countries apart ("Myanmar (Burma)" -> "Myanmar",
// "Congo - Kinshasa" -> "Congo"; the latter collides on purpose, see the header). In
// English, "&" and "St." as people spell them out ("Trinidad and Tobago", "Saint Lucia").
std::vector<std::string> formsOf(const std::string& name, std::string_view language) {
  std::vector<std::string> forms{name};
  for (std::string_view qualifier : {" (", " - "}) {
    size_t at = name.find(qualifier);
    if (at != std::string::npos && at > 0) forms.push_back(name.substr(0, at));
  }
  if (language == "en") {
    auto replaced = [](std::string s, std::string_view from, std::string_view to) {
      for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
      }
      return s;
    };
    std::string spelt = replaced(replaced(name, "&", "and"), "St.", "Saint");
    if (spelt != name) forms.push_back(std::move(spelt));
  }
  return forms;
}

struct CountryTable {
  // Folded alpha-2 code, alpha-3 code or name -> alpha-2 code.
  std::unordered_map<std::string, std::string> byForm;
  // Folded names that ICU gives to two countries or more.
  std::set<std::string> ambiguous;
};

CountryTable buildTable() {
  CountryTable table;
  std::map<std::string, std::set<std::string>> countriesOfName;

  std::vector<std::unique_ptr<icu::LocaleDisplayNames>> shortNames;
  UDisplayContext shortLength[] = {UDISPCTX_LENGTH_SHORT};
  for (const char* language : kLanguages) {
    shortNames.emplace_back(
        icu::LocaleDisplayNames::createInstance(icu::Locale(language), shortLength, 1));
    if (!shortNames.back()) throw std::runtime_error("ICU display names unavailable");
  }

  for (const char* const* code = icu::Locale::getISOCountries(); *code != nullptr; ++code) {
    if (!isIsoCountry(*code)) continue;
    std::string alpha2(*code);
    icu::Locale country("", *code);
    std::string alpha3(country.getISO3Country());
    table.byForm[folded(alpha2)] = alpha2;
    if (alpha3.size() == 3) table.byForm[folded(alpha3)] = alpha2;

    for (size_t i = 0; i < std::size(kLanguages); ++i) {
      icu::UnicodeString standard;
      country.getDisplayCountry(icu::Locale(kLanguages[i]), standard);
      icu::UnicodeString brief;
      shortNames[i]->regionDisplayName(*code, brief);
      for (const auto& name : {standard, brief}) {
        for (const std::string& form : formsOf(toUtf8(name), kLanguages[i])) {
          std::string key = folded(form);
          // Two letters read as a code, not a name: Spanish "RU" (Reino Unido) is
          // Russia's code, French "É.-U." would make "EU" the United States.
          if (key.size() > 2) countriesOfName[key].insert(alpha2);
        }
      }
    }
  }

  for (const auto& [name, countries] : countriesOfName) {
    // A name spelt like a code ("usa") gives way to the code; they agree for USA.
    if (table.byForm.count(name)) continue;
    if (countries.size() > 1) {
      table.ambiguous.insert(name);
    } else {
      table.byForm[name] = *countries.begin();
    }
  }
  // ISO 3166-1 reserves UK for the United Kingdom at its request; it is how British
  // and German CRMs write it (ICU's English and German short name), never another country.
  table.byForm.emplace("uk", "GB");
  return table;
}

const CountryTable& countryTable() {
  static const CountryTable table = buildTable();
  return table;
}

}  // namespace

std::optional<std::string> countryCode(std::string_view raw) {
  if (raw.size() > kMaxCountryBytes) return std::nullopt;
  std::string key = folded(raw);
  if (key.empty()) return std::nullopt;
  const CountryTable& table = countryTable();
  auto it = table.byForm.find(key);
  if (it == table.byForm.end()) return std::nullopt;
  return it->second;
}

bool isAmbiguousCountryName(std::string_view raw) {
  if (raw.size() > kMaxCountryBytes) return false;
  return countryTable().ambiguous.count(folded(raw)) > 0;
}

std::vector<std::string> ambiguousCountryNames() {
  const auto& ambiguous = countryTable().ambiguous;
  return {ambiguous.begin(), ambiguous.end()};
}

}  // namespace entente::text
