// How the sample is made: first a pool of persons, each with identifiers checked
// unique against every earlier person; then each firm's customer list, a shuffled
// subset of the pool; then, per firm, which identifiers each row leaves empty,
// repaired so that two rows of the same person always keep one kind in common; last,
// each firm writes its rows in its own dialect. Consent comes from a second random
// stream, drawn per row and purpose at each firm on its own: a person may grant a
// purpose at one firm and refuse it at another. The truth follows from the pool and
// those draws alone.
//
// Why one file of ~730 lines: the pool, the firms' habits and their dialects share
// private types (Person, Customer, the firm and consent styles) and one random stream
// whose order fixes the sample for a seed; split, those types would become a header
// that nothing else may use, and the order of draws would be spread over three files.
#include "tools/sample-population.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <span>
#include <sstream>
#include <stdexcept>

#include "crypto/private-file.h"
#include "text/csv.h"
#include "tools/sample-names.h"

namespace entente::sample {

namespace {

// Uniform draws computed from the engine's raw output only, so that every standard
// library gives the same sample for a seed.
class PortableRandom {
 public:
  explicit PortableRandom(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, bound), by rejection (no modulo bias). bound > 0.
  uint64_t below(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      uint64_t r = engine_();
      if (r >= threshold) return r % bound;
    }
  }
  int between(int low, int high) { return low + static_cast<int>(below(high - low + 1)); }
  bool percent(uint32_t p) { return below(100) < p; }
  template <typename T>
  const T& pick(std::span<const T> items) { return items[below(items.size())]; }
  template <typename T>
  void shuffle(std::vector<T>& items) {  // Fisher-Yates
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }
  std::string digits(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + below(10)));
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

constexpr const char* kIncomeBands[] = {"<20k", "20-40k", "40-70k", "70-120k", ">120k"};
constexpr const char* kInterests[] = {"sailing", "fishing", "diving", "golf", "skiing",
                                      "hiking", "wine", "photography", "cycling", "opera",
                                      "football", "gastronomy"};
constexpr const char* kBoatSegments[] = {"boat-owner", "sailing-school", "charter", "prospect",
                                         "dealer-referral"};
constexpr const char* kTravelSegments[] = {"frequent-traveller", "family", "business", "senior",
                                           "honeymoon"};
constexpr const char* kRiskClasses[] = {"low", "medium", "high"};

// Latin-1 letters as ICU's Latin-ASCII transliterates them, indexed by the second byte
// of their UTF-8 form (0xC3 0x80 ... 0xC3 0xBF). Every name in sample-names.h uses only
// these.
constexpr const char* kLatin1Ascii[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y"};

std::string withoutAccents(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      out += kLatin1Ascii[static_cast<unsigned char>(text[++i]) - 0x80];
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string asciiUpper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// Lower-cases ASCII and the Latin-1 capitals (À..Þ but not ×), keeping accents.
std::string latin1Lower(std::string text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z') {
      text[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) text[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
  return text;
}

// What the identifier normaliser makes of a name: ASCII letters and digits, lower-case.
std::string nameKey(std::string_view name) {
  std::string out;
  for (char c : latin1Lower(withoutAccents(name))) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

std::string padded(int value, int width) {
  std::string text = std::to_string(value);
  return std::string(width > static_cast<int>(text.size()) ? width - text.size() : 0, '0') + text;
}

struct Person {
  const Country* country = nullptr;
  std::string firstName;
  std::string lastName;
  int year = 0, month = 0, day = 0;
  std::string postalCode;  // as the post writes it: "75011", "1100-148", "00140"
  std::string city;
  std::string address;
  std::string email;        // lower-case ASCII
  std::string mobile;       // national significant number, digits only
  std::string incomeBand;
  std::string interests;
  uint32_t firms = 0;  // bit f set when firm f holds this person
};

enum IdentifierBit : uint8_t { EMAIL = 1, PHONE = 2, BIRTH_DATE = 4 };

constexpr size_t kPurposeCount = std::size(kPurposes);
enum Purpose : size_t { OVERLAP_ANALYSIS = 0, CROSS_SELLING = 1, ENRICHMENT = 2 };

// What a row says of one purpose. REFUSED and WITHDRAWN read the same in the file ("no");
// a withdrawal shows in the row's consent source and date.
enum class Consent : uint8_t { NEVER_ASKED, GRANTED, REFUSED, WITHDRAWN };

struct Customer {
  size_t person;
  std::string id;
  uint8_t present = EMAIL | PHONE | BIRTH_DATE;  // identifiers the row does not leave empty
  std::array<Consent, kPurposeCount> consent{};  // all NEVER_ASKED
  std::vector<std::string> consentCells{};       // the row's consent columns, as written
};

constexpr size_t kNoRow = SIZE_MAX;

struct FirmStyle {
  const char* name;
  const char* region;
  uint32_t missingEmailPercent;
  uint32_t missingPhonePercent;
  uint32_t missingBirthDatePercent;
  const char* birthDateFormat;  // as baseRowOf writes them; "" for ISO
};

constexpr FirmStyle kFirmStyles[] = {
    {"firm-a", "FR", 5, 8, 3, ""},
    {"firm-b", "ES", 6, 5, 4, "%d/%m/%Y"},
    {"firm-c", "FI", 30, 6, 2, "%d.%m.%Y"},  // the insurer often has no e-mail
};

// A firm's consent columns and habits. A null column: the firm never asks that purpose.
struct ConsentStyle {
  std::array<const char*, kPurposeCount> purposeColumns;
  const char* sourceColumn;  // -> consent_source, or null
  const char* dateColumn;    // -> consent_date (ISO), or null
  uint32_t rowNeverAskedPercent;  // rows from before the consent programme: all empty
  std::array<uint32_t, kPurposeCount> grantPercent;  // of the rows asked
  // Of the rows asked, those never asked for this purpose (it was added later on).
  std::array<uint32_t, kPurposeCount> purposeNeverAskedPercent;
  uint32_t withdrawalPercent;  // rows where a grant was later withdrawn
};

constexpr ConsentStyle kConsentStyles[] = {
    {{"consent_overlap-analysis", "consent_cross-selling", "consent_enrichment"},
     "consent_source", "consent_date", 2, {89, 67, 41}, {0, 0, 0}, 2},
    // The agency asks partner offers only since 2022 and records the grant's date.
    {{"Partner stats OK", "Partner offers", nullptr}, "Consent channel", nullptr, 1, {90, 70, 0},
     {0, 8, 0}, 2},
    {{"Suostumus analyysi", "Suostumus markkinointi", "Suostumus tietojen jakaminen"}, nullptr,
     "Suostumus pvm", 3, {89, 66, 41}, {0, 0, 0}, 1},
};

constexpr const char* kFirmASources[] = {"web-form-2025", "web-form-2023", "store", "store",
                                         "boat-show", "phone"};
constexpr const char* kFirmAWithdrawalSources[] = {"unsubscribe-link", "privacy-request"};
constexpr const char* kFirmBChannels[] = {"web", "web", "agency", "call-centre"};
constexpr const char* kFirmBWithdrawalChannel = "opt-out-link";

int daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

const Country& pickCountry(PortableRandom& random) {
  uint64_t roll = random.below(100);
  for (const Country& country : kCountries) {
    if (roll < country.weight) return country;
    roll -= country.weight;
  }
  return kCountries[0];
}

std::string postalCodeIn(const Country& country, const City& city, PortableRandom& random) {
  int code = city.postalBase + city.postalStep * static_cast<int>(random.below(city.postalCount));
  if (std::string_view(country.iso) == "PT") {
    return padded(code, 4) + "-" + padded(random.between(1, 299), 3);
  }
  return padded(code, 5);
}

std::string addressIn(const Country& country, PortableRandom& random) {
  std::string street = random.pick(country.streets);
  std::string number = std::to_string(random.between(1, 180));
  std::string_view iso = country.iso;
  if (iso == "FR") return number + ", " + street;
  if (iso == "ES") {
    return street + ", " + number + ", " + std::to_string(random.between(1, 9)) + "º " +
           static_cast<char>('A' + random.below(4));
  }
  if (iso == "PT") {
    return street + ", " + number + ", " + std::to_string(random.between(1, 8)) + ".º " +
           (random.percent(50) ? "Esq." : "Dto.");
  }
  return street + " " + number + " " + static_cast<char>('A' + random.below(4)) + ", as. " +
         std::to_string(random.between(1, 60));
}

// Makes the pool. Uniqueness is checked on the values as the normaliser will see them.
std::vector<Person> makePersons(size_t count, PortableRandom& random) {
  std::vector<Person> persons;
  persons.reserve(count);
  std::unordered_set<std::string> emails, mobiles, nameDobPostal;
  // Per e-mail address without its suffix, the first numbered suffix not known to be
  // taken. Addresses only accumulate, so starting there finds the same free suffix as
  // counting from 2 would, without walking the taken ones again: with a few thousand
  // names per country, thousands of persons share each address in a pool of millions,
  // and that walk made a pool of 15 million take hours.
  std::unordered_map<std::string, int> nextSuffix;
  while (persons.size() < count) {
    Person p;
    const Country& country = pickCountry(random);
    p.country = &country;
    p.firstName = random.pick(country.firstNames);
    p.lastName = random.pick(country.lastNames);
    const City& city = random.pick(country.cities);
    p.city = city.name;
    p.postalCode = postalCodeIn(country, city, random);
    p.address = addressIn(country, random);

    std::string key;
    do {
      p.year = random.between(1940, 2005);
      p.month = random.between(1, 12);
      p.day = random.between(1, daysInMonth(p.year, p.month));
      std::string postal;
      for (char c : p.postalCode) {
        if (c != '-') postal.push_back(c);
      }
      key = nameKey(p.firstName) + '|' + nameKey(p.lastName) + '|' + std::to_string(p.year) +
            '-' + std::to_string(p.month) + '-' + std::to_string(p.day) + '|' + postal + '|' +
            country.iso;
    } while (nameDobPostal.count(key));
    nameDobPostal.insert(key);

    std::string first = nameKey(p.firstName), last = nameKey(p.lastName);
    std::string local;
    switch (random.below(5)) {
      case 0: local = first + "." + last; break;
      case 1: local = first + "_" + last; break;
      case 2: local = first.substr(0, 1) + "." + last; break;
      case 3: local = first + last; break;
      default: local = last + "." + first; break;
    }
    std::string domain = random.pick(country.domains);
    p.email = local + "@" + domain;
    if (emails.count(p.email)) {
      // First the year of birth, then 2, 3, and so on: the first that is free.
      p.email = local + padded(p.year % 100, 2) + "@" + domain;
      if (emails.count(p.email)) {
        int& suffix = nextSuffix.try_emplace(local + "@" + domain, 2).first->second;
        for (;; ++suffix) {
          p.email = local + std::to_string(suffix) + "@" + domain;
          if (!emails.count(p.email)) break;
        }
      }
    }
    emails.insert(p.email);

    do {
      p.mobile = std::string(random.pick(country.mobilePrefixes)) + random.digits(7);
    } while (mobiles.count(std::string(country.dialCode) + p.mobile));
    mobiles.insert(std::string(country.dialCode) + p.mobile);

    static constexpr uint64_t kIncomeWeights[] = {15, 30, 30, 18, 7};  // percent
    uint64_t roll = random.below(100), band = 0;
    while (roll >= kIncomeWeights[band]) roll -= kIncomeWeights[band++];
    p.incomeBand = kIncomeBands[band];
    uint64_t interestCount = 1 + random.below(3);
    for (uint64_t i = 0; i < interestCount; ++i) {
      std::string interest = random.pick(std::span<const char* const>(kInterests));
      if (p.interests.find(interest) != std::string::npos) continue;
      p.interests += (p.interests.empty() ? "" : ";") + interest;
    }
    persons.push_back(std::move(p));
  }
  return persons;
}

// How many persons each set of firms holds (bit f: firm f), in pool order.
std::vector<std::pair<uint32_t, uint64_t>> poolGroups(const SampleOptions& o) {
  const uint64_t n = o.customersPerFirm;
  const auto shared = static_cast<uint64_t>(std::llround(static_cast<double>(n) * o.sharedFraction));
  if (o.firms == 2) return {{0b11, shared}, {0b01, n - shared}, {0b10, n - shared}};
  // firm-a shares exactly `shared`; b and c share fewer, so the pairs differ in size.
  uint64_t all = shared / 4, ab = shared * 45 / 100, ac = shared - all - ab, bc = shared / 5;
  return {{0b111, all}, {0b011, ab}, {0b101, ac}, {0b110, bc}, {0b001, n - shared},
          {0b010, n - (all + ab + bc)}, {0b100, n - (all + ac + bc)}};
}

std::string firmCustomerId(size_t firm, size_t index, uint64_t& counter, PortableRandom& random) {
  if (firm == 0) return "A-" + padded(static_cast<int>(index + 1), 6);
  if (firm == 1) {
    counter += 1 + random.below(9);
    return "B" + std::to_string(7731000 + counter);
  }
  counter += 1 + random.below(13);
  return "PH" + padded(static_cast<int>(20240000 + counter), 8);
}

// Drops identifiers per the firm's habits, then puts back what a shared person needs:
// every row keeps one identifier, and two rows of one person keep a kind in common.
void chooseMissingIdentifiers(std::vector<std::vector<Customer>>& firms,
                              const std::vector<std::vector<size_t>>& rowOfPerson,
                              PortableRandom& random) {
  for (size_t f = 0; f < firms.size(); ++f) {
    const FirmStyle& style = kFirmStyles[f];
    for (Customer& c : firms[f]) {
      if (random.percent(style.missingEmailPercent)) c.present &= ~EMAIL;
      if (random.percent(style.missingPhonePercent)) c.present &= ~PHONE;
      if (random.percent(style.missingBirthDatePercent)) c.present &= ~BIRTH_DATE;
      if (c.present == 0) c.present = BIRTH_DATE;
    }
  }
  for (size_t f = 0; f < firms.size(); ++f) {
    for (Customer& c : firms[f]) {
      for (size_t g = 0; g < firms.size(); ++g) {
        if (g == f) continue;
        size_t row = rowOfPerson[g][c.person];
        if (row == kNoRow) continue;
        uint8_t theirs = firms[g][row].present;
        if ((c.present & theirs) == 0) c.present |= theirs & -theirs;  // their lowest kind
      }
    }
  }
}

std::string groupDigits(std::string_view digits, std::initializer_list<int> sizes) {
  std::string out;
  size_t at = 0;
  for (int size : sizes) {
    if (!out.empty()) out += ' ';
    out += digits.substr(at, size);
    at += size;
  }
  return out;
}

// "06 12 34 56 78", "612 34 56 78", "912 345 678", "040 123 4567".
std::string nationalPhone(const Person& p) {
  std::string_view iso = p.country->iso;
  if (iso == "FR") return groupDigits("0" + p.mobile, {2, 2, 2, 2, 2});
  if (iso == "ES") return groupDigits(p.mobile, {3, 2, 2, 2});
  if (iso == "PT") return groupDigits(p.mobile, {3, 3, 3});
  return groupDigits("0" + p.mobile, {3, 3, 4});
}

// "+33 6 12 34 56 78", "+34 612 34 56 78", "+351 912 345 678", "+358 40 123 4567".
std::string internationalPhone(const Person& p) {
  std::string_view iso = p.country->iso;
  std::string prefix = std::string("+") + p.country->dialCode + " ";
  if (iso == "FR") return prefix + groupDigits(p.mobile, {1, 2, 2, 2, 2});
  if (iso == "ES") return prefix + groupDigits(p.mobile, {3, 2, 2, 2});
  if (iso == "PT") return prefix + groupDigits(p.mobile, {3, 3, 3});
  return prefix + groupDigits(p.mobile, {2, 3, 4});
}

const std::vector<std::string> kFirmAHeader = {
    "customer_id", "email", "phone", "first_name", "last_name", "birth_date", "postal_code",
    "country", "segment", "income_band", "interests", "city", "address"};
const std::vector<std::string> kFirmBHeader = {
    "Client ID", "E-mail Address", "Mobile", "Given Name", "Family Name", "Date of Birth", "Zip",
    "Country Code", "Segment", "Town", "Address"};
const std::vector<std::string> kFirmCHeader = {
    "policy_holder", "mail", "gsm", "forename", "surname", "dob", "postcode", "country",
    "risk_class", "household_size", "city", "street"};

// The firm's consent columns, theirs and canonical, in the order rows write them.
std::vector<std::pair<std::string, std::string>> consentColumnsOf(size_t firm) {
  const ConsentStyle& style = kConsentStyles[firm];
  std::vector<std::pair<std::string, std::string>> columns;
  for (size_t p = 0; p < kPurposeCount; ++p) {
    if (style.purposeColumns[p]) {
      columns.emplace_back(style.purposeColumns[p], "consent_" + std::string(kPurposes[p]));
    }
  }
  if (style.sourceColumn) columns.emplace_back(style.sourceColumn, "consent_source");
  if (style.dateColumn) columns.emplace_back(style.dateColumn, "consent_date");
  return columns;
}

std::vector<std::string> headerOf(size_t firm) {
  std::vector<std::string> header = firm == 0 ? kFirmAHeader : firm == 1 ? kFirmBHeader : kFirmCHeader;
  for (auto& [theirs, canonical] : consentColumnsOf(firm)) header.push_back(theirs);
  return header;
}

std::vector<std::pair<std::string, std::string>> columnMapOf(size_t firm) {
  if (firm == 0) return {};
  const auto& header = firm == 1 ? kFirmBHeader : kFirmCHeader;
  std::vector<std::pair<std::string, std::string>> map;
  for (size_t i = 0; i < 8; ++i) {
    if (header[i] != kFirmAHeader[i]) map.emplace_back(header[i], kFirmAHeader[i]);
  }
  for (auto& column : consentColumnsOf(firm)) {
    if (column.first != column.second) map.push_back(std::move(column));
  }
  return map;
}

std::vector<std::string> consentPurposesOf(size_t firm) {
  std::vector<std::string> purposes;
  for (size_t p = 0; p < kPurposeCount; ++p) {
    if (kConsentStyles[firm].purposeColumns[p]) purposes.emplace_back(kPurposes[p]);
  }
  return purposes;
}

std::vector<std::string> baseRowOf(size_t firm, const Customer& c, const Person& p,
                                   PortableRandom& random) {
  auto when = [&](uint8_t bit, std::string value) { return (c.present & bit) ? value : ""; };
  std::string dd = padded(p.day, 2), mm = padded(p.month, 2), yyyy = std::to_string(p.year);
  if (firm == 0) {
    return {c.id, when(EMAIL, p.email),
            when(PHONE, std::string("+") + p.country->dialCode + p.mobile), p.firstName,
            p.lastName, when(BIRTH_DATE, yyyy + "-" + mm + "-" + dd), p.postalCode, p.country->iso,
            random.pick(std::span<const char* const>(kBoatSegments)), p.incomeBand, p.interests,
            p.city, p.address};
  }
  if (firm == 1) {
    std::string email = random.percent(12) ? asciiUpper(p.email) : p.email;
    if (random.percent(8)) email = " " + email + " ";
    bool capitals = random.percent(20);  // an old system without accents
    auto name = [&](const std::string& n) { return capitals ? asciiUpper(withoutAccents(n)) : n; };
    return {c.id, when(EMAIL, email), when(PHONE, nationalPhone(p)), name(p.firstName),
            name(p.lastName), when(BIRTH_DATE, dd + "/" + mm + "/" + yyyy), p.postalCode,
            p.country->iso, random.pick(std::span<const char* const>(kTravelSegments)), p.city,
            p.address};
  }
  std::string postal = p.postalCode;
  std::replace(postal.begin(), postal.end(), '-', ' ');
  return {c.id, when(EMAIL, p.email), when(PHONE, internationalPhone(p)), latin1Lower(p.firstName),
          latin1Lower(p.lastName), when(BIRTH_DATE, dd + "." + mm + "." + yyyy), postal,
          p.country->iso, random.pick(std::span<const char* const>(kRiskClasses)),
          std::to_string(random.between(1, 5)), p.city, p.address};
}

// An ISO date from `fromYear`-01-01 to 2025-06-30, the day the sample was "exported".
std::string isoDateFrom(int fromYear, PortableRandom& random) {
  int year = random.between(fromYear, 2025);
  int month = random.between(1, year == 2025 ? 6 : 12);
  int day = random.between(1, daysInMonth(year, month));
  return std::to_string(year) + "-" + padded(month, 2) + "-" + padded(day, 2);
}

// Draws each row's consent and writes its consent cells in the firm's dialect, in the
// order of consentHeaderOf(firm).
void chooseConsent(size_t firm, std::vector<Customer>& rows, PortableRandom& random) {
  const ConsentStyle& style = kConsentStyles[firm];
  for (Customer& c : rows) {
    bool asked = !random.percent(style.rowNeverAskedPercent);
    for (size_t p = 0; p < kPurposeCount; ++p) {
      if (!style.purposeColumns[p]) continue;
      if (!asked || random.percent(style.purposeNeverAskedPercent[p])) {
        c.consent[p] = Consent::NEVER_ASKED;
      } else {
        c.consent[p] = random.percent(style.grantPercent[p]) ? Consent::GRANTED : Consent::REFUSED;
      }
    }
    // A withdrawal: mostly of partner offers, sometimes of enrichment or of statistics.
    bool withdrawal = false;
    if (asked && random.percent(style.withdrawalPercent)) {
      uint64_t roll = random.below(100);
      size_t p = roll < 60 ? CROSS_SELLING : roll < 85 ? ENRICHMENT : OVERLAP_ANALYSIS;
      if (!style.purposeColumns[p]) p = CROSS_SELLING;
      if (c.consent[p] == Consent::GRANTED) {
        c.consent[p] = Consent::WITHDRAWN;
        withdrawal = true;
      }
    }
    bool anyAsked = std::any_of(c.consent.begin(), c.consent.end(),
                                [](Consent s) { return s != Consent::NEVER_ASKED; });
    bool upperCase = firm == 1 && random.percent(10);  // rows that went through a spreadsheet
    for (size_t p = 0; p < kPurposeCount; ++p) {
      if (!style.purposeColumns[p]) continue;
      Consent s = c.consent[p];
      bool granted = s == Consent::GRANTED;
      std::string cell;
      if (s == Consent::NEVER_ASKED) {
        cell = "";
      } else if (firm == 0) {
        cell = granted ? "yes" : "no";
      } else if (firm == 1 && p == CROSS_SELLING) {
        cell = granted ? isoDateFrom(2022, random) : upperCase ? "FALSE" : "false";
      } else if (firm == 1) {
        cell = granted ? (upperCase ? "TRUE" : "true") : (upperCase ? "FALSE" : "false");
      } else {
        cell = granted ? "1" : "0";
      }
      c.consentCells.push_back(std::move(cell));
    }
    if (style.sourceColumn) {
      std::string source;
      if (withdrawal) {
        source = firm == 0 ? random.pick(std::span<const char* const>(kFirmAWithdrawalSources))
                           : kFirmBWithdrawalChannel;
      } else if (anyAsked) {
        source = firm == 0 ? random.pick(std::span<const char* const>(kFirmASources))
                           : random.pick(std::span<const char* const>(kFirmBChannels));
      }
      c.consentCells.push_back(std::move(source));
    }
    if (style.dateColumn) {
      c.consentCells.push_back(withdrawal ? isoDateFrom(2025, random)
                               : anyAsked ? isoDateFrom(2021, random)
                                          : std::string());
    }
  }
}

std::vector<std::string> rowOf(size_t firm, const Customer& c, const Person& p,
                               PortableRandom& random) {
  std::vector<std::string> row = baseRowOf(firm, c, p, random);
  row.insert(row.end(), c.consentCells.begin(), c.consentCells.end());
  return row;
}


}  // namespace

const PairTruth& SampleSet::truthFor(std::string_view requester, std::string_view responder,
                                     std::string_view purpose) const {
  for (const PairTruth& t : truth) {
    if (t.requester == requester && t.responder == responder && t.purpose == purpose) return t;
  }
  throw std::out_of_range("sample: no truth for " + std::string(requester) + " -> " +
                          std::string(responder) +
                          (purpose.empty() ? "" : " (" + std::string(purpose) + ")"));
}

SampleSet writeSampleSet(const SampleOptions& options, const std::filesystem::path& outDir) {
  if (options.firms != 2 && options.firms != 3) {
    throw std::invalid_argument("sample: firms must be 2 or 3");
  }
  if (!(options.sharedFraction >= 0.0 && options.sharedFraction <= 1.0)) {
    throw std::invalid_argument("sample: sharedFraction must be between 0 and 1");
  }
  if (options.customersPerFirm > 10'000'000) {
    throw std::invalid_argument("sample: at most 10 000 000 customers per firm");
  }
  PortableRandom random(options.seed);

  const size_t firmCount = options.firms;
  auto groups = poolGroups(options);
  uint64_t poolSize = 0;
  for (const auto& [firms, count] : groups) poolSize += count;
  std::vector<Person> persons = makePersons(poolSize, random);
  std::vector<std::vector<size_t>> members(firmCount);
  size_t next = 0;
  for (const auto& [firms, count] : groups) {
    for (uint64_t i = 0; i < count; ++i, ++next) {
      persons[next].firms = firms;
      for (size_t f = 0; f < firmCount; ++f) {
        if (firms & (1u << f)) members[f].push_back(next);
      }
    }
  }

  std::vector<std::vector<Customer>> customers(firmCount);
  std::vector<std::vector<size_t>> rowOfPerson(firmCount, std::vector<size_t>(poolSize, kNoRow));
  for (size_t f = 0; f < firmCount; ++f) {
    random.shuffle(members[f]);
    uint64_t counter = 0;
    for (size_t i = 0; i < members[f].size(); ++i) {
      customers[f].push_back({members[f][i], firmCustomerId(f, i, counter, random)});
      rowOfPerson[f][members[f][i]] = i;
    }
  }
  chooseMissingIdentifiers(customers, rowOfPerson, random);
  // Its own stream, so that adding consent changed no other column of any sample.
  PortableRandom consentRandom(options.seed ^ 0x636F6E73656E74ull);  // "consent"
  for (size_t f = 0; f < firmCount; ++f) chooseConsent(f, customers[f], consentRandom);

  std::filesystem::create_directories(outDir);
  SampleSet set;
  for (size_t f = 0; f < firmCount; ++f) {
    const FirmStyle& style = kFirmStyles[f];
    FirmFile file{style.name, outDir / (std::string(style.name) + ".csv"), columnMapOf(f),
                  style.region, style.birthDateFormat, consentPurposesOf(f)};
    crypto::PrivateFile out(file.csv);
    if (f == 1) out.out() << "\xEF\xBB\xBF";
    csv::Writer writer(out.out(), /*crlf=*/f == 1, csv::Formulas::AS_IS);
    writer.row(headerOf(f));
    for (const Customer& c : customers[f]) writer.row(rowOf(f, c, persons[c.person], random));
    out.commit();
    set.firms.push_back(std::move(file));
  }

  // purpose kPurposeCount: consent ignored (written first, as purpose "").
  for (size_t p : {kPurposeCount, size_t{OVERLAP_ANALYSIS}, size_t{CROSS_SELLING}, size_t{ENRICHMENT}}) {
    const bool anyConsent = p == kPurposeCount;
    for (size_t r = 0; r < firmCount; ++r) {
      for (size_t s = 0; s < firmCount; ++s) {
        if (r == s) continue;
        PairTruth truth{kFirmStyles[r].name, kFirmStyles[s].name,
                        anyConsent ? std::string() : std::string(kPurposes[p]), {}, {}};
        for (const Customer& c : customers[r]) {
          size_t theirs = rowOfPerson[s][c.person];
          if (theirs == kNoRow) continue;
          if (anyConsent || (c.consent[p] == Consent::GRANTED &&
                             customers[s][theirs].consent[p] == Consent::GRANTED)) {
            truth.requesterIds.push_back(c.id);
            truth.pairs.emplace_back(c.id, customers[s][theirs].id);
          }
        }
        std::sort(truth.requesterIds.begin(), truth.requesterIds.end());
        std::sort(truth.pairs.begin(), truth.pairs.end());
        auto path = outDir / ("truth-" + truth.requester + "-" + truth.responder +
                              (anyConsent ? "" : "-" + truth.purpose) + ".csv");
        crypto::PrivateFile out(path);
        out.out() << "customer_id\n";
        for (const auto& id : truth.requesterIds) out.out() << id << '\n';
        out.commit();
        set.truth.push_back(std::move(truth));
      }
    }
  }

  std::ostringstream summary;
  summary << "Entente sample population\n"
          << "seed " << options.seed << ", " << firmCount << " firms, "
          << options.customersPerFirm << " customers each, shared fraction "
          << options.sharedFraction << "\n"
          << persons.size() << " distinct persons\n\n";
  static const char* const kDialects[] = {
      "canonical header, ISO dates, E.164 phones, LF;\n"
      "  consent yes/no for all three purposes, consent_source and ISO consent_date",
      "CRM header (needs --map), DD/MM/YYYY, national phones, some CAPITALS without accents, "
      "some e-mails upper-case or padded, BOM, CRLF;\n"
      "  consent true/false (some TRUE/FALSE), partner offers as the ISO date of the grant or "
      "false, a channel, never asked for enrichment",
      "insurer header (needs --map), DD.MM.YYYY, international phones with spaces, lower-case "
      "names, many rows without e-mail, LF;\n"
      "  consent 1/0 for all three purposes, ISO consent date"};
  for (size_t f = 0; f < firmCount; ++f) {
    size_t noEmail = 0, noPhone = 0, noBirthDate = 0;
    for (const Customer& c : customers[f]) {
      noEmail += !(c.present & EMAIL);
      noPhone += !(c.present & PHONE);
      noBirthDate += !(c.present & BIRTH_DATE);
    }
    summary << set.firms[f].firm << "  " << set.firms[f].csv.filename().string() << "  region "
            << set.firms[f].region << "  " << customers[f].size() << " customers\n"
            << "  " << kDialects[f] << "\n"
            << "  left empty: e-mail " << noEmail << ", phone " << noPhone << ", birth date "
            << noBirthDate << "\n"
            << "  consent (granted / refused / withdrawn / never asked):\n";
    for (size_t p = 0; p < kPurposeCount; ++p) {
      std::array<size_t, 4> counts{};
      for (const Customer& c : customers[f]) ++counts[static_cast<size_t>(c.consent[p])];
      summary << "    " << kPurposes[p] << ": ";
      if (!kConsentStyles[f].purposeColumns[p]) {
        summary << "no column, never asked\n";
        continue;
      }
      summary << counts[static_cast<size_t>(Consent::GRANTED)] << " / "
              << counts[static_cast<size_t>(Consent::REFUSED)] << " / "
              << counts[static_cast<size_t>(Consent::WITHDRAWN)] << " / "
              << counts[static_cast<size_t>(Consent::NEVER_ASKED)] << "\n";
    }
    for (const auto& [theirs, canonical] : set.firms[f].columnMap) {
      summary << "  map \"" << theirs << "\" -> " << canonical << "\n";
    }
    if (!set.firms[f].birthDateFormat.empty()) {
      summary << "  dates written " << set.firms[f].birthDateFormat << " (--date-format '"
              << set.firms[f].birthDateFormat << "')\n";
    }
  }
  if (firmCount == 3) {
    size_t inAll = 0;
    for (const Person& p : persons) inAll += p.firms == 0b111;
    summary << "\npersons at all three firms: " << inAll << "\n";
  }
  summary << "\nexpected matches ignoring consent (requester -> responder: requester's "
             "customers found)\n";
  for (const PairTruth& t : set.truth) {
    if (!t.purpose.empty()) continue;
    summary << "  " << t.requester << " -> " << t.responder << ": " << t.requesterIds.size()
            << "  (truth-" << t.requester << "-" << t.responder << ".csv)\n";
  }
  summary << "\nexpected matches per purpose, counting only customers who granted it at both "
             "firms\n(truth-<requester>-<responder>-<purpose>.csv)\n"
          << "                     ";
  for (std::string_view purpose : kPurposes) summary << "  " << purpose;
  summary << "\n";
  for (size_t r = 0; r < firmCount; ++r) {
    for (size_t s = 0; s < firmCount; ++s) {
      if (r == s) continue;
      std::string pair = std::string(kFirmStyles[r].name) + " -> " + kFirmStyles[s].name;
      summary << "  " << pair << std::string(19 - pair.size(), ' ');
      for (std::string_view purpose : kPurposes) {
        std::string count = std::to_string(
            set.truthFor(kFirmStyles[r].name, kFirmStyles[s].name, purpose).requesterIds.size());
        summary << "  " << std::string(purpose.size() > count.size() ? purpose.size() - count.size() : 0, ' ')
                << count;
      }
      summary << "\n";
    }
  }
  auto summaryPath = outDir / "ground-truth.txt";
  crypto::writeFileAtomically(summaryPath, summary.str());
  return set;
}

}  // namespace entente::sample
