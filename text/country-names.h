// Country columns: CRMs write a customer's country as an ISO code ("FR", "fra") or as
// a name in the firm's language ("Allemagne", "Saksa", "Estados Unidos"). Import needs
// the ISO 3166-1 alpha-2 code, both to read phone numbers in the right region and
// because name_dob_postal ends with it: two firms must reach the same code.
//
// The names come from ICU's locale data (CLDR), never from a table of ours: the
// standard name and ICU's short form ("UK", "USA", "Bosnia") of every current country
// in English, French, Spanish, Portuguese, Finnish and German. Values are compared
// folded: compatibility-decomposed, accents dropped, case-folded, and letters and
// digits only, so "États-Unis", "etats unis" and "ETATS-UNIS" are one name.
//
// A name that ICU gives to two countries (Spanish "Congo" is Brazzaville, while the
// English names of both Congos start with "Congo") resolves to neither: a guess here
// would put the customer in the wrong country on both sides of a match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::text {

// The ISO 3166-1 alpha-2 code (upper case) of `raw`: an alpha-2 code, an alpha-3 code,
// or a country name in one of the six languages, in any case, with or without accents,
// punctuation and spaces. nullopt when it is none of these, or a name of two countries.
// Thread-safe; the first call builds the table from ICU's data (tens of milliseconds).
std::optional<std::string> countryCode(std::string_view raw);

// True when `raw` folds to a name that ICU gives to two or more countries, so that
// countryCode() refuses it: the caller can then ask for the ISO code instead.
bool isAmbiguousCountryName(std::string_view raw);

// The folded forms of those names ("congo"), sorted: for tests and diagnostics.
std::vector<std::string> ambiguousCountryNames();

}  // namespace entente::text
