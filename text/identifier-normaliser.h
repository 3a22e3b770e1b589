// Identifier normalisation: the one normalisation of each kind of identifier
// (crypto/identifier-kind.h). Two firms that hold the same person must produce the same
// bytes here, however their CRMs wrote the value; the protocol layer then hashes the
// normalised value to the group (crypto/group.h). Nothing in this module ever puts a
// raw value into a rejection reason: reasons are shown to users and written to logs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace entente::text {

// Either the normalised value or why there is none. `rejection` names the field and
// the rule that failed ("phone: not a valid number for region FI"), never the input.
struct Normalisation {
  std::optional<std::string> value;
  std::string rejection;

  explicit operator bool() const { return value.has_value(); }
  static Normalisation ok(std::string v) { return {std::move(v), {}}; }
  static Normalisation rejected(std::string why) { return {std::nullopt, std::move(why)}; }
};

// The raw fields that together form the name_dob_postal identifier, and the file's
// date pattern for the birth date (empty: ISO and unambiguous dates only).
struct PersonFields {
  std::string_view firstName;
  std::string_view lastName;
  std::string_view birthDate;
  std::string_view postalCode;
  std::string_view country;
  std::string_view birthDateFormat = {};
};

// Holds the ICU transliterator and libphonenumber's utility, which are costly to make.
// One instance per thread: ICU transliterators are not safe to share between threads.
class IdentifierNormaliser {
 public:
  // How the answers are reached; both give the same bytes for every input.
  enum class Route {
    // Fields of ASCII only, and names of Latin letters (text/latin-fold.h), skip ICU's
    // conversions, normaliser and transliterator where they provably change nothing.
    fast,
    // ICU for every field, as the rules are written: for tests that check `fast`.
    icuOnly,
  };

  // defaultRegion: ISO 3166-1 alpha-2 code used for phone numbers when the record
  // carries no country (the node's `region`).
  explicit IdentifierNormaliser(std::string defaultRegion, Route route = Route::fast);
  ~IdentifierNormaliser();
  IdentifierNormaliser(const IdentifierNormaliser&) = delete;
  IdentifierNormaliser& operator=(const IdentifierNormaliser&) = delete;

  // NFKC, trim, lowercase; exactly one '@' between a non-empty local part and domain.
  Normalisation email(std::string_view raw) const;
  // E.164 ("+33612345678"); parsed with `country` when given, else the default region.
  Normalisation phone(std::string_view raw, std::string_view country) const;
  // Names through ICU "Any-Latin; Latin-ASCII; Lower" keeping [a-z0-9] only; ISO
  // birth date; postal code upper-case without spaces; ISO country. Joined by '\x1f',
  // which none of the parts can contain after normalisation.
  Normalisation nameDobPostal(const PersonFields& person) const;

  // The parts, public because import also stores them normalised.
  // Read by text/date-reading.h: ISO dates always; with `format` (a strptime pattern
  // such as "%d/%m/%Y") that pattern too; without it, D/M/YYYY and M/D/YYYY only when
  // one reading alone is a date. "03/04/1975" without a format is rejected, never
  // guessed. The year must be in 1900-2100. Writes YYYY-MM-DD.
  Normalisation birthDate(std::string_view raw, std::string_view format = {}) const;
  // ISO 3166-1 alpha-2 (upper case) from an alpha-2 or alpha-3 code or a country name
  // in English, French, Spanish, Portuguese, Finnish or German (text/country-names.h).
  Normalisation country(std::string_view raw) const;
  // Transliterated, lower-case, letters and digits only; rejected when empty.
  Normalisation name(std::string_view raw) const;
  // Upper-case, spaces and dashes removed, [A-Z0-9] only; rejected when empty.
  Normalisation postalCode(std::string_view raw) const;

  const std::string& defaultRegion() const { return defaultRegion_; }

 private:
  struct Icu;
  std::string defaultRegion_;
  std::unique_ptr<Icu> icu_;
};

}  // namespace entente::text
