// Normalisation of identifiers. Every function here works on Unicode code points
// (through ICU), never on bytes, so that two firms whose CRMs stored the same value in
// different encodings of the same text (fullwidth forms, composed or decomposed
// accents, non-breaking spaces) produce the same bytes. Rejection reasons are built
// from fixed phrases and region codes only, never from the value being normalised.
// The fast route (Route::fast) answers ASCII fields and Latin names without ICU's
// conversions and transliterator, only where ICU provably would change nothing or
// gives what the table of text/latin-fold.h has recorded from ICU itself; the tests
// compare it with Route::icuOnly.

#include "text/identifier-normaliser.h"

#include "text/code-points.h"
#include "text/country-names.h"
#include "text/date-reading.h"
#include "text/latin-fold.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/bytestream.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <stdexcept>

namespace entente::text {

namespace {

// No identifier part is anywhere near this long; the cap keeps a malformed import
// field from costing ICU or libphonenumber unbounded work.
constexpr size_t kMaxFieldBytes = 1024;
// The longest normalised values (docs/operations.md lists them). They keep every entry
// of the identifier index far below LMDB's 511-byte key limit: e-mail 1 + 254,
// name_dob_postal 1 + 100 + 1 + 100 + 1 + 10 + 1 + 16 + 1 + 2 = 233.
constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's limit on a forward path
constexpr size_t kMaxNameLetters = 100;
constexpr size_t kMaxPostalCodeBytes = 16;
constexpr char kPartSeparator = '\x1f';
constexpr int kMinBirthYear = 1900;
constexpr int kMaxBirthYear = 2100;

bool isValidUtf8(std::string_view s) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  int32_t length = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

// Whitespace, and invisible characters such as a byte-order mark or a zero-width
// space that copy and paste leaves at the ends of a field.
bool isTrimmable(UChar32 c) {
  return u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

icu::UnicodeString trimmed(const icu::UnicodeString& s) {
  int32_t start = 0;
  int32_t end = s.length();
  while (start < end) {
    UChar32 c = s.char32At(start);
    if (!isTrimmable(c)) break;
    start += U16_LENGTH(c);
  }
  while (end > start) {
    UChar32 c = s.char32At(end - 1);
    if (!isTrimmable(c)) break;
    end -= U16_LENGTH(c);
  }
  return icu::UnicodeString(s, start, end - start);
}

// The ASCII code points that isTrimmable() accepts: White_Space has tab to carriage
// return and space, Default_Ignorable_Code_Point none below U+0080. A test compares
// the two routes for all 128.
bool isAsciiTrimmable(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool isAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string_view asciiTrimmed(std::string_view s) {
  while (!s.empty() && isAsciiTrimmable(s.front())) s.remove_prefix(1);
  while (!s.empty() && isAsciiTrimmable(s.back())) s.remove_suffix(1);
  return s;
}


std::string toUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
char asciiUpper(char c) { return isAsciiLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char asciiLower(char c) { return isAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// The last step of a name: ASCII letters, folded to lower case, and digits only.
std::string asciiLettersAndDigits(std::string_view latin) {
  std::string kept;
  for (char c : latin) {
    // "Lower" ran last, but folding here too means that no rule of the transliterator
    // can make a letter vanish by leaving it in upper case.
    char folded = asciiLower(c);
    if (isAsciiLower(folded) || isAsciiDigit(folded)) kept += folded;
  }
  return kept;
}

// The part functions below return the reason as "<subject> <rule>" so that a whole
// identifier can name which part failed ("name_dob_postal: first name has no
// letters or digits"). Birth date and country, read by modules that other columns
// share, say "<column>: <rule>" ("name_dob_postal: birth_date: not a day of the calendar").
std::string partReason(std::string_view subject, std::string_view rule) {
  std::string out(subject);
  out += ' ';
  out += rule;
  return out;
}

Normalisation withPrefix(std::string_view prefix, Normalisation n) {
  if (!n) n.rejection = std::string(prefix) + n.rejection;
  return n;
}

}  // namespace

struct IdentifierNormaliser::Icu {
  const icu::Normalizer2* nfkc = nullptr;  // ICU-owned singleton, thread-safe
  std::unique_ptr<icu::Transliterator> toLatinAscii;
  const i18n::phonenumbers::PhoneNumberUtil* phones = nullptr;  // library singleton
  bool fast = true;                 // Route::fast
  std::optional<LatinFold> latin;   // made only for Route::fast

  // Why: most fields are plain ASCII, for which NFKC is the identity and trimming
  // removes only ASCII whitespace, so ICU's conversions and normaliser would change
  // nothing. The decoded field, or nullopt when it is not such a field.
  std::optional<std::string_view> decodeAscii(std::string_view raw) const {
    if (!fast || raw.size() > kMaxFieldBytes || !isAscii(raw)) return std::nullopt;
    return asciiTrimmed(raw);
  }

  // NFKC then trim: the first step of every field, so that fullwidth digits and
  // letters, ligatures and exotic spaces all become their plain forms.
  std::optional<icu::UnicodeString> decode(std::string_view raw) const {
    if (raw.size() > kMaxFieldBytes || !isValidUtf8(raw)) return std::nullopt;
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(raw.data(), static_cast<int32_t>(raw.size())));
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString normal = nfkc->normalize(text, status);
    if (U_FAILURE(status)) return std::nullopt;
    return trimmed(normal);
  }

  icu::UnicodeString nfkcOf(const icu::UnicodeString& text) const {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString normal = nfkc->normalize(text, status);
    return U_FAILURE(status) ? text : normal;
  }

  // The same, back in UTF-8 for byte-wise parsing (NFKC has already turned
  // fullwidth digits and letters into ASCII ones).
  std::optional<std::string> decodeToUtf8(std::string_view raw) const {
    if (auto ascii = decodeAscii(raw)) return std::string(*ascii);
    auto text = decode(raw);
    if (!text) return std::nullopt;
    return toUtf8(*text);
  }

  // An e-mail decoded, lower-cased and normalised again, in UTF-8.
  std::optional<std::string> loweredEmail(std::string_view raw) const {
    // Why: in the root locale an ASCII text lower-cases to A-Z -> a-z alone, and NFKC
    // leaves ASCII as it is, so an ASCII e-mail needs no ICU at all.
    if (auto ascii = decodeAscii(raw)) {
      std::string lowered(*ascii);
      std::transform(lowered.begin(), lowered.end(), lowered.begin(), asciiLower);
      return lowered;
    }
    auto decoded = decode(raw);
    if (!decoded) return std::nullopt;
    // Root locale: lower-casing must not depend on the machine's locale (Turkish 'I').
    // NFKC again afterwards keeps the result stable under a second normalisation.
    return toUtf8(nfkcOf(decoded->toLower(icu::Locale::getRoot())));
  }

  // A name through "Any-Latin; Latin-ASCII; Lower", then ASCII letters and digits.
  std::string nameLetters(icu::UnicodeString text) const {
    toLatinAscii->transliterate(text);
    return asciiLettersAndDigits(toUtf8(text));
  }

  // Why: customers' names are mostly Latin letters, for which the transliterator's
  // answer was recorded per code point in the table at construction. The name's
  // letters and digits, or nullopt when the table cannot answer (then ICU does).
  std::optional<std::string> nameLettersByTable(std::string_view raw) const {
    if (!latin || raw.size() > kMaxFieldBytes || !isValidUtf8(raw)) return std::nullopt;
    // The table is per code point of NFKC text: a decomposed accent must be composed.
    if (latin->isStableNfkc(raw)) return latin->fold(raw);
    std::string composed;
    icu::StringByteSink<std::string> sink(&composed);
    UErrorCode status = U_ZERO_ERROR;
    nfkc->normalizeUTF8(0, icu::StringPiece(raw.data(), static_cast<int32_t>(raw.size())), sink,
                        nullptr, status);
    if (U_FAILURE(status)) return std::nullopt;
    return latin->fold(composed);
  }
};

IdentifierNormaliser::IdentifierNormaliser(std::string defaultRegion, Route route)
    : defaultRegion_(std::move(defaultRegion)), icu_(std::make_unique<Icu>()) {
  UErrorCode status = U_ZERO_ERROR;
  icu_->nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) {
    throw std::runtime_error(std::string("ICU NFKC normaliser unavailable: ") +
                             u_errorName(status));
  }
  status = U_ZERO_ERROR;
  icu_->toLatinAscii.reset(icu::Transliterator::createInstance(
      "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || !icu_->toLatinAscii) {
    throw std::runtime_error(std::string("ICU transliterator unavailable: ") +
                             u_errorName(status));
  }
  icu_->phones = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
  icu_->fast = route == Route::fast;
  if (icu_->fast) {
    const Icu& icu = *icu_;
    auto nameOfCodePoint = [&icu](UChar32 c) {
      return icu.nameLetters(icu.nfkcOf(icu::UnicodeString(c)));
    };
    icu_->latin.emplace(nameOfCodePoint, isTrimmable);
  }

  // A region written "fi" in the configuration means FI.
  if (auto region = country(defaultRegion_)) defaultRegion_ = *region.value;
}

IdentifierNormaliser::~IdentifierNormaliser() = default;

Normalisation IdentifierNormaliser::email(std::string_view raw) const {
  auto lowered = icu_->loweredEmail(raw);
  if (!lowered) return Normalisation::rejected("email: not valid UTF-8 or too long");
  std::string value = std::move(*lowered);
  if (value.empty()) return Normalisation::rejected("email: empty");

  bool printable = eachCodePoint(value, [](UChar32 c) {
    return !u_isUWhiteSpace(c) && u_charType(c) != U_CONTROL_CHAR;
  });
  if (!printable) {
    return Normalisation::rejected("email: contains whitespace or control characters");
  }

  size_t at = value.find('@');
  if (at == std::string::npos) return Normalisation::rejected("email: has no '@'");
  if (value.find('@', at + 1) != std::string::npos) {
    return Normalisation::rejected("email: has more than one '@'");
  }
  if (at == 0) return Normalisation::rejected("email: empty local part");
  std::string_view domain = std::string_view(value).substr(at + 1);
  if (domain.empty()) return Normalisation::rejected("email: empty domain");
  // No leading, trailing or doubled dot: "a@.com", "a@b..com", "a@b.com.".
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return Normalisation::rejected("email: domain has an empty label");
  }
  if (value.size() > kMaxEmailBytes) return Normalisation::rejected("email: longer than 254 bytes");
  return Normalisation::ok(std::move(value));
}

Normalisation IdentifierNormaliser::phone(std::string_view raw,
                                          std::string_view country) const {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;

  // A country the number library does not know (empty, misspelt, "XX") falls back to
  // the node's region rather than rejecting: numbers written with '+' still parse.
  std::string region = defaultRegion_;
  if (auto given = this->country(country)) {
    if (icu_->phones->GetCountryCodeForRegion(*given.value) != 0) region = *given.value;
  }

  auto decoded = icu_->decodeToUtf8(raw);
  if (!decoded) return Normalisation::rejected("phone: not valid UTF-8 or too long");
  if (decoded->empty()) return Normalisation::rejected("phone: empty");

  PhoneNumber number;
  if (icu_->phones->Parse(*decoded, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return Normalisation::rejected("phone: not a phone number for region " + region);
  }
  if (!icu_->phones->IsValidNumber(number)) {
    return Normalisation::rejected("phone: not a valid number for region " + region);
  }
  std::string e164;
  icu_->phones->Format(number, PhoneNumberUtil::E164, &e164);
  return Normalisation::ok(std::move(e164));
}

Normalisation IdentifierNormaliser::nameDobPostal(const PersonFields& person) const {
  constexpr std::string_view kPrefix = "name_dob_postal: ";
  auto first = name(person.firstName);
  // name() says "name ..."; here the reason says which of the two names failed.
  if (!first) return withPrefix(kPrefix, Normalisation::rejected("first " + first.rejection));
  auto last = name(person.lastName);
  if (!last) return withPrefix(kPrefix, Normalisation::rejected("last " + last.rejection));
  auto born = birthDate(person.birthDate, person.birthDateFormat);
  if (!born) return withPrefix(kPrefix, std::move(born));
  auto postal = postalCode(person.postalCode);
  if (!postal) return withPrefix(kPrefix, std::move(postal));
  auto land = country(person.country);
  if (!land) return withPrefix(kPrefix, std::move(land));

  std::string joined = *first.value;
  for (const auto* part : {&last, &born, &postal, &land}) {
    joined += kPartSeparator;
    joined += *part->value;
  }
  return Normalisation::ok(std::move(joined));
}

Normalisation IdentifierNormaliser::birthDate(std::string_view raw, std::string_view format) const {
  // Reasons here are "birth_date: <rule>", the column's name, like readDate's own.
  constexpr std::string_view kField = "birth_date";
  auto text = icu_->decodeToUtf8(raw);
  if (!text) return Normalisation::rejected("birth_date: is not valid UTF-8 or too long");
  DateReading date = readDate(*text, kField, format);
  if (!date) return Normalisation::rejected(std::move(date.rejection));
  // ISO dates start with the year; 1900-2100 keeps a misread or placeholder year
  // ("0001-01-01", "9999-12-31") out of name_dob_postal.
  int year = std::stoi(date.iso->substr(0, 4));
  if (year < kMinBirthYear || year > kMaxBirthYear) {
    return Normalisation::rejected("birth_date: has a year outside 1900-2100");
  }
  return Normalisation::ok(std::move(*date.iso));
}

Normalisation IdentifierNormaliser::country(std::string_view raw) const {
  auto text = icu_->decodeToUtf8(raw);
  if (!text) return Normalisation::rejected("country: is not valid UTF-8 or too long");
  if (text->empty()) return Normalisation::rejected("country: is empty");
  if (auto code = countryCode(*text)) return Normalisation::ok(std::move(*code));
  if (isAmbiguousCountryName(*text)) {
    return Normalisation::rejected(
        "country: a name that ICU gives to more than one country; give its ISO 3166 code");
  }
  return Normalisation::rejected(
      "country: not an ISO 3166 code or a country name in English, French, Spanish, "
      "Portuguese, Finnish or German");
}

Normalisation IdentifierNormaliser::name(std::string_view raw) const {
  constexpr std::string_view kSubject = "name";
  std::optional<std::string> letters = icu_->nameLettersByTable(raw);
  if (!letters) {
    auto text = icu_->decode(raw);
    if (!text) {
      return Normalisation::rejected(partReason(kSubject, "is not valid UTF-8 or too long"));
    }
    letters = icu_->nameLetters(std::move(*text));
  }
  std::string& kept = *letters;
  if (kept.empty()) {
    return Normalisation::rejected(partReason(kSubject, "has no letters or digits"));
  }
  if (kept.size() > kMaxNameLetters) {
    return Normalisation::rejected(partReason(kSubject, "has more than 100 letters and digits"));
  }
  return Normalisation::ok(std::move(kept));
}

Normalisation IdentifierNormaliser::postalCode(std::string_view raw) const {
  constexpr std::string_view kSubject = "postal code";
  auto text = icu_->decodeToUtf8(raw);
  if (!text) {
    return Normalisation::rejected(partReason(kSubject, "is not valid UTF-8 or too long"));
  }
  std::string code;
  bool readable = eachCodePoint(*text, [&code](UChar32 c) {
    // Spaces and any dash ('-', en dash, non-breaking hyphen) only group the digits.
    if (u_isUWhiteSpace(c) || u_charType(c) == U_DASH_PUNCTUATION) return true;
    char ascii = c >= 0 && c < 0x80 ? asciiUpper(static_cast<char>(c)) : '\0';
    if (!isAsciiUpper(ascii) && !isAsciiDigit(ascii)) return false;
    code += ascii;
    return true;
  });
  if (!readable) {
    return Normalisation::rejected(
        partReason(kSubject, "has characters other than letters, digits, spaces and dashes"));
  }
  if (code.empty()) return Normalisation::rejected(partReason(kSubject, "is empty"));
  if (code.size() > kMaxPostalCodeBytes) {
    return Normalisation::rejected(partReason(kSubject, "has more than 16 letters and digits"));
  }
  return Normalisation::ok(std::move(code));
}

}  // namespace entente::text
