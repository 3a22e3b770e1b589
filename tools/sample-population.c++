// How the sample is made: first a pool of persons, each with identifiers checked
// unique against every earlier person; then each firm's customer list, a shuffled
// subset of the pool; then, per firm, which identifiers each row leaves empty,
// repaired so that two rows of the same person always keep one kind in common; last,
// each firm writes its rows in its own dialect. The truth follows from the pool alone.
#include "tools/sample-population.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>

#include "node/csv.h"
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

struct Customer {
  size_t person;
  std::string id;
  uint8_t present = EMAIL | PHONE | BIRTH_DATE;  // identifiers the row does not leave empty
};

constexpr size_t kNoRow = SIZE_MAX;

struct FirmStyle {
  const char* name;
  const char* region;
  uint32_t missingEmailPercent;
  uint32_t missingPhonePercent;
  uint32_t missingBirthDatePercent;
};

constexpr FirmStyle kFirmStyles[] = {
    {"firm-a", "FR", 5, 8, 3},
    {"firm-b", "ES", 6, 5, 4},
    {"firm-c", "FI", 30, 6, 2},  // the insurer often has no e-mail
};

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
  std::set<std::string> emails, mobiles, nameDobPostal;
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
    for (int suffix = 1; emails.count(p.email); ++suffix) {
      std::string tail = suffix == 1 ? padded(p.year % 100, 2) : std::to_string(suffix);
      p.email = local + tail + "@" + domain;
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

std::vector<std::pair<std::string, std::string>> columnMapOf(size_t firm) {
  if (firm == 0) return {};
  const auto& header = firm == 1 ? kFirmBHeader : kFirmCHeader;
  std::vector<std::pair<std::string, std::string>> map;
  for (size_t i = 0; i < 8; ++i) {
    if (header[i] != kFirmAHeader[i]) map.emplace_back(header[i], kFirmAHeader[i]);
  }
  return map;
}

std::vector<std::string> rowOf(size_t firm, const Customer& c, const Person& p,
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

std::ofstream openForWriting(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return out;
}

void finish(std::ofstream& out, const std::filesystem::path& path) {
  out.close();
  if (!out) throw std::runtime_error("failed writing " + path.string());
}

}  // namespace

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

  std::filesystem::create_directories(outDir);
  SampleSet set;
  for (size_t f = 0; f < firmCount; ++f) {
    const FirmStyle& style = kFirmStyles[f];
    FirmFile file{style.name, outDir / (std::string(style.name) + ".csv"), columnMapOf(f),
                  style.region};
    std::ofstream out = openForWriting(file.csv);
    if (f == 1) out << "\xEF\xBB\xBF";
    csv::Writer writer(out, /*crlf=*/f == 1);
    writer.row(f == 0 ? kFirmAHeader : f == 1 ? kFirmBHeader : kFirmCHeader);
    for (const Customer& c : customers[f]) writer.row(rowOf(f, c, persons[c.person], random));
    finish(out, file.csv);
    set.firms.push_back(std::move(file));
  }

  for (size_t r = 0; r < firmCount; ++r) {
    for (size_t s = 0; s < firmCount; ++s) {
      if (r == s) continue;
      PairTruth truth{kFirmStyles[r].name, kFirmStyles[s].name, {}};
      for (const Customer& c : customers[r]) {
        if (persons[c.person].firms & (1u << s)) truth.requesterIds.push_back(c.id);
      }
      std::sort(truth.requesterIds.begin(), truth.requesterIds.end());
      auto path = outDir / ("truth-" + truth.requester + "-" + truth.responder + ".csv");
      std::ofstream out = openForWriting(path);
      out << "customer_id\n";
      for (const auto& id : truth.requesterIds) out << id << '\n';
      finish(out, path);
      set.truth.push_back(std::move(truth));
    }
  }

  std::ostringstream summary;
  summary << "Entente sample population\n"
          << "seed " << options.seed << ", " << firmCount << " firms, "
          << options.customersPerFirm << " customers each, shared fraction "
          << options.sharedFraction << "\n"
          << persons.size() << " distinct persons\n\n";
  static const char* const kDialects[] = {
      "canonical header, ISO dates, E.164 phones, LF",
      "CRM header (needs --map), DD/MM/YYYY, national phones, some CAPITALS without accents, "
      "some e-mails upper-case or padded, BOM, CRLF",
      "insurer header (needs --map), DD.MM.YYYY, international phones with spaces, lower-case "
      "names, many rows without e-mail, LF"};
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
            << noBirthDate << "\n";
    for (const auto& [theirs, canonical] : set.firms[f].columnMap) {
      summary << "  map \"" << theirs << "\" -> " << canonical << "\n";
    }
  }
  if (firmCount == 3) {
    size_t inAll = 0;
    for (const Person& p : persons) inAll += p.firms == 0b111;
    summary << "\npersons at all three firms: " << inAll << "\n";
  }
  summary << "\nexpected matches (requester -> responder: requester's customers found)\n";
  for (const PairTruth& t : set.truth) {
    summary << "  " << t.requester << " -> " << t.responder << ": " << t.requesterIds.size()
            << "  (truth-" << t.requester << "-" << t.responder << ".csv)\n";
  }
  auto summaryPath = outDir / "ground-truth.txt";
  std::ofstream out = openForWriting(summaryPath);
  out << summary.str();
  finish(out, summaryPath);
  return set;
}

}  // namespace entente::sample
