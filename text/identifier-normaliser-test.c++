// Unit tests of identifier normalisation, field by field: the same person written by
// two CRMs must give the same bytes, and malformed values must be rejected with a
// reason. The fast route against ICU is in normaliser-routes-test.c++, the properties
// that hold for every field (idempotence, no value in a reason) in
// normaliser-properties-test.c++.

#include "text/identifier-normaliser.h"

#include "text/normaliser-test-support.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace entente::text {
namespace {

using testing::finnish;
using testing::french;
using testing::valueOf;

// ---------------------------------------------------------------------------------
// E-mail

TEST_CASE("an e-mail in capitals with spaces normalises to lower case") {
  CHECK(valueOf(french().email("  John.Smith@Example.COM ")) == "john.smith@example.com");
  CHECK(valueOf(french().email("\tjohn.smith@example.com\n")) == "john.smith@example.com");
}

TEST_CASE("an e-mail with non-ASCII capitals is lower-cased letter by letter") {
  CHECK(valueOf(french().email("ÉLISE@EXEMPLE.FR")) == "élise@exemple.fr");
  CHECK(valueOf(french().email("ÅSA@EXEMPEL.SE")) == "åsa@exempel.se");
}

TEST_CASE("an e-mail in fullwidth characters equals its ASCII form") {
  CHECK(valueOf(french().email("ＪＯＨＮ＠ｅｘａｍｐｌｅ．ｃｏｍ")) == "john@example.com");
}

TEST_CASE("an e-mail with decomposed accents equals the composed one") {
  // "e" + COMBINING ACUTE ACCENT against the precomposed "é".
  CHECK(valueOf(french().email("he\xcc\x81le\xcc\x80ne@example.fr")) ==
        valueOf(french().email("hélène@example.fr")));
}

TEST_CASE("an e-mail padded with non-breaking spaces and a byte-order mark is trimmed") {
  CHECK(valueOf(french().email("\xef\xbb\xbf\xc2\xa0" "anna@example.fi\xe2\x80\x83")) ==
        "anna@example.fi");
}

TEST_CASE("an e-mail with two @ is rejected") {
  auto n = french().email("a@b@example.com");
  CHECK_FALSE(n);
  CHECK(n.rejection == "email: has more than one '@'");
}

TEST_CASE("an e-mail without @ is rejected") {
  CHECK_FALSE(french().email("john.example.com"));
}

TEST_CASE("an e-mail without a domain or without a local part is rejected") {
  CHECK(french().email("john@").rejection == "email: empty domain");
  CHECK(french().email("john@   ").rejection == "email: empty domain");
  CHECK(french().email("@example.com").rejection == "email: empty local part");
}

TEST_CASE("an e-mail with whitespace inside is rejected") {
  CHECK_FALSE(french().email("john smith@example.com"));
  CHECK_FALSE(french().email("john@exa\tmple.com"));
  CHECK_FALSE(french().email(std::string_view("john@exa\0mple.com", 17)));
}

TEST_CASE("an e-mail whose domain has an empty label is rejected") {
  CHECK_FALSE(french().email("john@.example.com"));
  CHECK_FALSE(french().email("john@example..com"));
  CHECK_FALSE(french().email("john@example.com."));
}

TEST_CASE("an empty or blank e-mail is rejected") {
  CHECK_FALSE(french().email(""));
  CHECK_FALSE(french().email("   "));
}

TEST_CASE("an e-mail of up to 254 bytes is accepted and a longer one rejected") {
  std::string domain = "@example.fr";
  CHECK(french().email(std::string(254 - domain.size(), 'a') + domain));
  auto tooLong = french().email(std::string(255 - domain.size(), 'a') + domain);
  CHECK(tooLong.rejection == "email: longer than 254 bytes");
}

TEST_CASE("names and postal codes have maximums that keep name_dob_postal short") {
  CHECK(french().name(std::string(100, 'a')));
  CHECK(french().name(std::string(101, 'a')).rejection == "name has more than 100 letters and digits");
  CHECK(french().postalCode(std::string(16, '1')));
  CHECK_FALSE(french().postalCode(std::string(17, '1')));
  // The longest person the rules let through stays far below LMDB's 511-byte keys.
  auto longest = french().nameDobPostal(
      {std::string(100, 'a'), std::string(100, 'b'), "1980-01-01", std::string(16, '9'), "FR"});
  REQUIRE(longest);
  CHECK(longest.value->size() < 300);
}

TEST_CASE("an e-mail that is not UTF-8 is rejected") {
  CHECK_FALSE(french().email("j\xffohn@example.com"));
}

// ---------------------------------------------------------------------------------
// Phone

TEST_CASE("a French number written nationally, internationally or with 00 is one number") {
  CHECK(valueOf(french().phone("06 12 34 56 78", "FR")) == "+33612345678");
  CHECK(valueOf(french().phone("+33 6 12 34 56 78", "FR")) == "+33612345678");
  CHECK(valueOf(french().phone("0033612345678", "FR")) == "+33612345678");
  CHECK(valueOf(french().phone("06.12.34.56.78", "fr")) == "+33612345678");
}

TEST_CASE("a Spanish mobile number is read with country ES") {
  CHECK(valueOf(french().phone("612 345 678", "ES")) == "+34612345678");
}

TEST_CASE("a Portuguese mobile number is read with country PT") {
  CHECK(valueOf(french().phone("912 345 678", "PT")) == "+351912345678");
}

TEST_CASE("a Finnish mobile number written nationally or internationally is one number") {
  CHECK(valueOf(french().phone("040 123 4567", "FI")) == "+358401234567");
  CHECK(valueOf(french().phone("+358 40 1234567", "FI")) == "+358401234567");
  CHECK(valueOf(french().phone("+358 40 1234567", "")) == "+358401234567");
}

TEST_CASE("a phone number without a country is read in the default region") {
  CHECK(valueOf(finnish().phone("040 123 4567", "")) == "+358401234567");
  CHECK(valueOf(french().phone("06 12 34 56 78", "")) == "+33612345678");
}

TEST_CASE("a phone number with an unknown country is read in the default region") {
  CHECK(valueOf(french().phone("06 12 34 56 78", "Narnia")) == "+33612345678");
  CHECK(valueOf(french().phone("06 12 34 56 78", "XX")) == "+33612345678");
}

TEST_CASE("a phone number in fullwidth digits equals its ASCII form") {
  CHECK(valueOf(french().phone("０６ １２ ３４ ５６ ７８", "FR")) == "+33612345678");
}

TEST_CASE("an invalid phone number is rejected with the region in the reason") {
  auto tooShort = finnish().phone("12345", "");
  CHECK_FALSE(tooShort);
  CHECK(tooShort.rejection == "phone: not a valid number for region FI");
  CHECK_FALSE(french().phone("+33 1 23", ""));
  CHECK_FALSE(french().phone("+1 555 0100", ""));
}

TEST_CASE("a phone value that is not a number is rejected") {
  CHECK_FALSE(french().phone("n/a", "FR"));
  CHECK_FALSE(french().phone("", "FR"));
  CHECK_FALSE(french().phone("   ", "FR"));
}

TEST_CASE("the default region is kept upper-case") {
  IdentifierNormaliser lower("fi");
  CHECK(lower.defaultRegion() == "FI");
  CHECK(valueOf(lower.phone("040 123 4567", "")) == "+358401234567");
}

// ---------------------------------------------------------------------------------
// Names

TEST_CASE("a name with or without accents and in any case is one name") {
  CHECK(valueOf(french().name("Hélène")) == "helene");
  CHECK(valueOf(french().name("HELENE")) == "helene");
  CHECK(valueOf(french().name("Helene")) == "helene");
  CHECK(valueOf(french().name("  HÉLÈNE ")) == "helene");
}

TEST_CASE("Nordic, Iberian and other European letters become plain ASCII") {
  CHECK(valueOf(french().name("Åsa")) == "asa");
  CHECK(valueOf(french().name("Jääskeläinen")) == "jaaskelainen");
  CHECK(valueOf(french().name("João")) == "joao");
  CHECK(valueOf(french().name("Muñoz")) == "munoz");
  CHECK(valueOf(french().name("Ñ")) == "n");
  CHECK(valueOf(french().name("Øyvind")) == "oyvind");
  CHECK(valueOf(french().name("Straße")) == "strasse");
  CHECK(valueOf(french().name("Œuvray")) == "oeuvray");
}

TEST_CASE("a name in another script is transliterated to Latin") {
  CHECK(valueOf(french().name("Иванов")) == "ivanov");
}

TEST_CASE("punctuation and spaces inside a name are dropped") {
  CHECK(valueOf(french().name("O'Brien")) == "obrien");
  CHECK(valueOf(french().name("Jean-Pierre")) == "jeanpierre");
  CHECK(valueOf(french().name("Jean Pierre")) == "jeanpierre");
}

TEST_CASE("a name with no letters or digits is rejected") {
  CHECK(french().name("").rejection == "name has no letters or digits");
  CHECK_FALSE(french().name(" - "));
  CHECK_FALSE(french().name("'"));
}

// ---------------------------------------------------------------------------------
// Birth dates

TEST_CASE("every accepted birth date format gives the ISO date") {
  for (const char* raw : {"1985-07-14", "19850714", "14/07/1985", "14.07.1985", "14-07-1985",
                          " 14.7.1985 "}) {
    INFO(raw);
    CHECK(valueOf(french().birthDate(raw)) == "1985-07-14");
  }
}

TEST_CASE("29 February is a date in a leap year only") {
  CHECK(valueOf(french().birthDate("29/02/1980")) == "1980-02-29");
  CHECK(valueOf(french().birthDate("2000-02-29")) == "2000-02-29");
  CHECK(french().birthDate("29/02/1981").rejection == "birth_date: not a day of the calendar");
  CHECK_FALSE(french().birthDate("1900-02-29"));  // divisible by 100, not by 400
}

TEST_CASE("a day or month outside the calendar is rejected") {
  CHECK_FALSE(french().birthDate("31/04/1990"));
  CHECK_FALSE(french().birthDate("1990-13-01"));
  CHECK_FALSE(french().birthDate("1990-00-10"));
  CHECK_FALSE(french().birthDate("00.01.1990"));
  CHECK_FALSE(french().birthDate("32.01.1990"));
}

TEST_CASE("a birth date outside 1900 to 2100 is rejected") {
  CHECK_FALSE(french().birthDate("1899-12-31"));
  CHECK_FALSE(french().birthDate("2101-01-01"));
  CHECK(valueOf(french().birthDate("1900-01-01")) == "1900-01-01");
  CHECK(valueOf(french().birthDate("2100-12-31")) == "2100-12-31");
}

TEST_CASE("a birth date in an unlisted format is rejected") {
  for (const char* raw : {"", "1985/07/14", "07/14/85", "14/07/85", "14.07-1985",
                          "198507140", "July 14, 1985", "1985-7"}) {
    INFO(raw);
    CHECK_FALSE(french().birthDate(raw));
  }
  CHECK(french().birthDate("").rejection == "birth_date: is empty");
}

TEST_CASE("a birth date written as an ISO date-time keeps its date") {
  CHECK(valueOf(french().birthDate("1985-07-14T00:00")) == "1985-07-14");
  CHECK(valueOf(french().birthDate("1985-07-14 23:30:00+02:00")) == "1985-07-14");
}

TEST_CASE("a birth date that only month-first can read is read month-first") {
  CHECK(valueOf(french().birthDate("07/14/1985")) == "1985-07-14");
}

TEST_CASE("a birth date that could be day-first or month-first is rejected, never guessed") {
  auto n = french().birthDate("03/04/1980");
  CHECK_FALSE(n);
  CHECK(n.rejection ==
        "birth_date: 03/04-style date could be day-first or month-first; give the file's format "
        "with --date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')");
}

TEST_CASE("a birth date is read with the file's format when one is given") {
  CHECK(valueOf(french().birthDate("03/04/1980", "%d/%m/%Y")) == "1980-04-03");
  CHECK(valueOf(french().birthDate("03/04/1980", "%m/%d/%Y")) == "1980-03-04");
  CHECK(valueOf(french().birthDate("1980-03-04", "%d/%m/%Y")) == "1980-03-04");
  CHECK(french().birthDate("13/04/1980", "%m/%d/%Y").rejection ==
        "birth_date: does not match the date format '%m/%d/%Y' nor ISO YYYY-MM-DD");
  CHECK(french().birthDate("31/04/1980", "%d/%m/%Y").rejection ==
        "birth_date: not a day of the calendar");
}

TEST_CASE("a birth date with a two-digit year before 1969 lands in 20xx") {
  // strptime's rule, documented in text/date-reading.h: 45 is 2045, not 1945.
  CHECK(valueOf(french().birthDate("05/06/45", "%d/%m/%y")) == "2045-06-05");
  CHECK(valueOf(french().birthDate("05/06/75", "%d/%m/%y")) == "1975-06-05");
}

// ---------------------------------------------------------------------------------
// Country and postal code

TEST_CASE("a country code is trimmed and upper-cased") {
  CHECK(valueOf(french().country(" fi ")) == "FI");
  CHECK(valueOf(french().country("Es")) == "ES");
}

TEST_CASE("a country written as an alpha-3 code or a name gives its alpha-2 code") {
  CHECK(valueOf(french().country("FRA")) == "FR");
  CHECK(valueOf(french().country("Allemagne")) == "DE");
  CHECK(valueOf(french().country("Suomi")) == "FI");
  CHECK(valueOf(french().country("ESPAÑA")) == "ES");
  CHECK(valueOf(french().country("Estados Unidos")) == "US");
}

TEST_CASE("a country that is no ISO code nor known name is rejected with the rule") {
  for (const char* raw : {"F1", "Ñ", "XX", "Narnia"}) {
    INFO(raw);
    CHECK(french().country(raw).rejection ==
          "country: not an ISO 3166 code or a country name in English, French, Spanish, "
          "Portuguese, Finnish or German");
  }
  CHECK(french().country("").rejection == "country: is empty");
  CHECK(french().country("Congo").rejection ==
        "country: a name that ICU gives to more than one country; give its ISO 3166 code");
}

TEST_CASE("a phone number is read in the region of a country written as a name") {
  CHECK(valueOf(french().phone("040 123 4567", "Finlande")) == "+358401234567");
}

TEST_CASE("postal codes lose their spaces and dashes") {
  CHECK(valueOf(french().postalCode("75 001")) == "75001");
  CHECK(valueOf(french().postalCode("28-013")) == "28013");
  CHECK(valueOf(french().postalCode("00100")) == "00100");
  CHECK(valueOf(french().postalCode("1000\xe2\x80\x93" "001")) == "1000001");  // en dash
  CHECK(valueOf(french().postalCode(" sw1a 1aa ")) == "SW1A1AA");
}

TEST_CASE("a postal code with other characters or none is rejected") {
  CHECK_FALSE(french().postalCode(""));
  CHECK_FALSE(french().postalCode(" - "));
  CHECK_FALSE(french().postalCode("75001#"));
  CHECK_FALSE(french().postalCode("7500é"));
}

// ---------------------------------------------------------------------------------
// name_dob_postal

TEST_CASE("one person written two ways gives one name_dob_postal value") {
  PersonFields crmA{"Hélène", "Jääskeläinen", "1980-02-29", "00100", "FI"};
  PersonFields crmB{"HELENE", " JAASKELAINEN", "29.02.1980", "00 100", "fi"};
  auto a = french().nameDobPostal(crmA);
  auto b = french().nameDobPostal(crmB);
  CHECK(valueOf(a) == valueOf(b));
  CHECK(valueOf(a) == "helene\x1fjaaskelainen\x1f" "1980-02-29\x1f" "00100\x1f" "FI");
}

TEST_CASE("a Spanish person with and without accents gives one name_dob_postal value") {
  PersonFields a{"José María", "Muñoz", "03/11/1975", "28-013", "España", "%d/%m/%Y"};
  PersonFields b{"JOSE-MARIA", "MUNOZ", "19751103", "28013", "es"};
  CHECK(valueOf(french().nameDobPostal(a)) == valueOf(french().nameDobPostal(b)));
}

TEST_CASE("name_dob_postal rejects a birth date it would have to guess") {
  PersonFields noFormat{"José María", "Muñoz", "03/11/1975", "28-013", "ES"};
  CHECK(french().nameDobPostal(noFormat).rejection ==
        "name_dob_postal: birth_date: 03/04-style date could be day-first or month-first; give "
        "the file's format with --date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')");
  PersonFields monthFirst{"John", "Smith", "03/11/1975", "10001", "US", "%m/%d/%Y"};
  CHECK(valueOf(french().nameDobPostal(monthFirst)) ==
        "john\x1fsmith\x1f" "1975-03-11\x1f" "10001\x1f" "US");
}

TEST_CASE("different people give different name_dob_postal values") {
  PersonFields a{"Anna", "Virtanen", "1990-01-02", "00100", "FI"};
  PersonFields b{"Anna", "Virtanen", "1990-02-01", "00100", "FI"};
  CHECK(valueOf(french().nameDobPostal(a)) != valueOf(french().nameDobPostal(b)));
}

TEST_CASE("name_dob_postal is rejected with the failing part named") {
  PersonFields badDate{"Anna", "Virtanen", "1981-02-29", "00100", "FI"};
  CHECK(french().nameDobPostal(badDate).rejection ==
        "name_dob_postal: birth_date: not a day of the calendar");
  PersonFields noFirst{"", "Virtanen", "1980-02-29", "00100", "FI"};
  CHECK(french().nameDobPostal(noFirst).rejection ==
        "name_dob_postal: first name has no letters or digits");
  PersonFields noLast{"Anna", "--", "1980-02-29", "00100", "FI"};
  CHECK(french().nameDobPostal(noLast).rejection ==
        "name_dob_postal: last name has no letters or digits");
  PersonFields noPostal{"Anna", "Virtanen", "1980-02-29", "", "FI"};
  CHECK(french().nameDobPostal(noPostal).rejection == "name_dob_postal: postal code is empty");
  PersonFields noCountry{"Anna", "Virtanen", "1980-02-29", "00100", ""};
  CHECK(french().nameDobPostal(noCountry).rejection == "name_dob_postal: country: is empty");
}

}  // namespace
}  // namespace entente::text
