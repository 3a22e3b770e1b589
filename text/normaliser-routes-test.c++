// The identifier normaliser's fast route (ASCII and Latin letters folded by
// latin-fold.h) against ICU alone: for every field, every answer, value or rejection,
// must be the same, whatever the input's script, marks, spaces or bytes.

#include "text/identifier-normaliser.h"

#include "text/normaliser-test-support.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace entente::text {
namespace {

using testing::french;
using testing::valueOf;

// ICU for every field; french() and finnish() take the fast route, the default.
const IdentifierNormaliser& icuOnly() {
  static const IdentifierNormaliser normaliser("FR", IdentifierNormaliser::Route::icuOnly);
  return normaliser;
}

// A value or a rejection as one comparable string.
std::string outcome(const Normalisation& n) {
  return n ? "value " + *n.value : "rejected " + n.rejection;
}

std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  const char* digits = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out += "\\x";
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

// Runs `of` (one normalisation) on each input with both routes; the inputs whose
// outcomes differ, hex-escaped with both outcomes, at most 20 of them.
template <typename Of>
std::vector<std::string> routeMismatches(const std::vector<std::string>& inputs, Of of) {
  std::vector<std::string> mismatches;
  for (const auto& input : inputs) {
    std::string fast = outcome(of(french(), input));
    std::string icu = outcome(of(icuOnly(), input));
    if (fast != icu && mismatches.size() < 20) {
      mismatches.push_back(hex(input) + ": fast " + fast + ", ICU " + icu);
    }
  }
  return mismatches;
}

auto byName = [](const IdentifierNormaliser& n, const std::string& s) { return n.name(s); };
auto byEmail = [](const IdentifierNormaliser& n, const std::string& s) { return n.email(s); };
auto byPostalCode = [](const IdentifierNormaliser& n, const std::string& s) {
  return n.postalCode(s);
};
auto byCountry = [](const IdentifierNormaliser& n, const std::string& s) { return n.country(s); };
auto byBirthDate = [](const IdentifierNormaliser& n, const std::string& s) {
  return n.birthDate(s);
};
auto byPhone = [](const IdentifierNormaliser& n, const std::string& s) { return n.phone(s, "FR"); };

std::vector<char32_t> latinTable() {
  std::vector<char32_t> table;
  for (char32_t c = 0; c < 0x250; ++c) table.push_back(c);
  for (char32_t c = 0x1E00; c < 0x1F00; ++c) table.push_back(c);
  return table;
}

TEST_CASE("each Latin code point alone or between letters is named as ICU names it") {
  std::vector<std::string> inputs;
  for (char32_t c : latinTable()) {
    inputs.push_back(utf8(c));
    inputs.push_back("a" + utf8(c) + "Z");
    inputs.push_back("Q" + utf8(c) + "q");
    inputs.push_back(" " + utf8(c) + " ");
  }
  auto mismatches = routeMismatches(inputs, byName);
  CAPTURE(mismatches);
  CHECK(mismatches.empty());
}

TEST_CASE("each pair of Latin letters is named as ICU names it") {
  std::vector<std::string> inputs;
  for (char32_t a = 0xC0; a < 0x180; ++a) {
    for (char32_t b = 0xC0; b < 0x180; ++b) inputs.push_back(utf8(a) + utf8(b));
  }
  // A sample of the whole table's pairs, Latin Extended-B and Additional included.
  auto table = latinTable();
  for (size_t i = 0; i < table.size(); ++i) {
    for (size_t j = i % 11; j < table.size(); j += 11) {
      inputs.push_back(utf8(table[i]) + utf8(table[j]));
    }
  }
  auto mismatches = routeMismatches(inputs, byName);
  CAPTURE(mismatches);
  CHECK(mismatches.empty());
}

TEST_CASE("a name with decomposed accents is named as the composed one, by both routes") {
  // "e" + COMBINING ACUTE ACCENT, "e" + COMBINING GRAVE, "n" + COMBINING TILDE.
  std::string decomposed = "Le\xcc\x81" "a Lefe\xcc\x80vre Mun\xcc\x83oz";
  CHECK(valueOf(french().name(decomposed)) == "lealefevremunoz");
  CHECK(valueOf(icuOnly().name(decomposed)) == "lealefevremunoz");
  CHECK(valueOf(french().name("Léa Lefèvre Muñoz")) == "lealefevremunoz");
  // An accent that composes with no letter stays a combining mark: ICU's route.
  CHECK(valueOf(french().name("q\xcc\x81" "a")) == valueOf(icuOnly().name("q\xcc\x81" "a")));
  CHECK(valueOf(french().name("Le\xcc\x81" "a")) == "lea");
}

TEST_CASE("real names of Western European customers are named as ICU names them") {
  std::vector<std::string> names = {
      "Léa", "Lefèvre", "Jesús", "de la Fuente", "Jean-Pierre", "O'Brien", "D’Alembert",
      "Œdipe", "Lætitia", "Æsa", "Straße", "Weiß", "Øyvind", "Søren", "Łukasz", "Wałęsa",
      "Guðrún", "Þórður", "Jääskeläinen", "Väinö", "Åsa", "João", "Conceição", "Müller",
      "Ñúñez", "Çelik", "Dvořák", "Šimon", "Žofia", "Nguyễn", "Trần Thị", "İsmail", "ıla",
      "ＪＯＨＮ", "ｌéａ", "Marie\xc2\xa0" "Claire", "\xc2\xa0" "Anne\xc2\xa0", "ﬁona", "Ĳsbrand",
      "ǅemal", "Ǉubica", "Ǳ", "Straẞe", "Ångström", "Đorđe", "Hồ Chí Minh", "Ŧ", "Ŋ",
      "Xavier II", "Louis XIV", "Jörg-Ülrich", "Mc Donald's", "Ana  María", "\tJosé\t",
      "Иванов", "Léa Иванова", "王", "Ηλίας", "ß", "ẞ", "ſ", "ﬀ"};
  auto mismatches = routeMismatches(names, byName);
  CAPTURE(mismatches);
  CHECK(mismatches.empty());
  // And what they are, so that both routes being wrong alike would show too.
  CHECK(valueOf(french().name("Lætitia")) == "laetitia");
  CHECK(valueOf(french().name("Œdipe")) == "oedipe");
  CHECK(valueOf(french().name("Weiß")) == "weiss");
  CHECK(valueOf(french().name("Søren")) == "soren");
  CHECK(valueOf(french().name("Łukasz")) == "lukasz");
  CHECK(valueOf(french().name("Guðrún")) == "gudrun");
  CHECK(valueOf(french().name("Þórður")) == "thordur");
  CHECK(valueOf(french().name("Dvořák")) == "dvorak");
  CHECK(valueOf(french().name("Nguyễn")) == "nguyen");
  CHECK(valueOf(french().name("de la Fuente")) == "delafuente");
  CHECK(valueOf(french().name("Jesús")) == "jesus");
  CHECK(valueOf(french().name("ｌéａ")) == "lea");
  CHECK(valueOf(french().name("Marie\xc2\xa0" "Claire")) == "marieclaire");
  CHECK(valueOf(french().name("Ĳsbrand")) == "ijsbrand");
}

TEST_CASE("a long Latin name keeps the length limit on both routes") {
  std::string tooMany;
  for (int i = 0; i < 50; ++i) tooMany += "é-ß";  // 50 x "ess" = 150 letters
  CHECK(french().name(tooMany).rejection == "name has more than 100 letters and digits");
  CHECK(icuOnly().name(tooMany).rejection == "name has more than 100 letters and digits");
  std::string ninetyNine(33, 'a');
  for (int i = 0; i < 33; ++i) ninetyNine += "ß";
  CHECK(valueOf(french().name(ninetyNine)).size() == 99);
  std::string tooManyBytes(1025, 'a');
  CHECK(french().name(tooManyBytes).rejection == "name is not valid UTF-8 or too long");
  CHECK(french().name("L\xc3" "a").rejection == "name is not valid UTF-8 or too long");
}

TEST_CASE("random mixtures of scripts, marks and spaces give the same answer both ways") {
  // ASCII, Latin letters, combining marks, spaces that NFKC or trimming change,
  // fullwidth, Greek and Cyrillic: each route change of the fast route meets them.
  const std::vector<char32_t> alphabet = {
      'a', 'Z', '0', ' ', '-', '\'', '\t', '@', '.', 0xE9, 0xC6, 0xDF, 0xF8, 0x141, 0xF0,
      0xFE, 0x153, 0x1C5, 0x133, 0x17F, 0xAA, 0xB9, 0xA0, 0xAD, 0x2D9, 0x301, 0x308, 0x327,
      0x1EBF, 0x1E9E, 0x200B, 0xFEFF, 0x2013, 0xFF21, 0xFF41, 0x3B1, 0x416, 0x2002, 0x24F};
  std::mt19937 random(20240601);
  std::vector<std::string> inputs;
  for (int i = 0; i < 6000; ++i) {
    std::string s;
    for (size_t n = 1 + random() % 7; n > 0; --n) s += utf8(alphabet[random() % alphabet.size()]);
    inputs.push_back(s);
  }
  for (auto [what, mismatches] : {std::pair{"name", routeMismatches(inputs, byName)},
                                  {"email", routeMismatches(inputs, byEmail)},
                                  {"postal code", routeMismatches(inputs, byPostalCode)},
                                  {"country", routeMismatches(inputs, byCountry)}}) {
    INFO(what);
    CAPTURE(mismatches);
    CHECK(mismatches.empty());
  }
}

// Every ASCII byte at the ends and in the middle of each kind of field: the fast
// route's own ASCII trimming, lower-casing and character tests must agree with ICU's.
TEST_CASE("every ASCII byte around or inside a field gives the same answer both ways") {
  std::vector<std::string> emails, postal, countries, dates, names, phones;
  for (int b = 0; b < 0x80; ++b) {
    std::string c(1, static_cast<char>(b));
    emails.push_back(c + "Jo.Smith@Example.COM" + c);
    emails.push_back("jo" + c + "x@EXAMPLE.com");
    emails.push_back(c + c);
    postal.push_back(c + "75 0-01" + c);
    postal.push_back("sw1a" + c + "1aa");
    countries.push_back(c + "fR" + c);
    countries.push_back(c + "Allemagne" + c);
    dates.push_back(c + "1985-07-14" + c);
    dates.push_back(c + "14/07/1985" + c);
    names.push_back(c + "Léa" + c);
    names.push_back(c + "Jo" + c + "hn" + c);
    phones.push_back(c + "06 12 34 56 78" + c);
  }
  for (auto [what, mismatches] : {std::pair{"email", routeMismatches(emails, byEmail)},
                                  {"postal code", routeMismatches(postal, byPostalCode)},
                                  {"country", routeMismatches(countries, byCountry)},
                                  {"birth date", routeMismatches(dates, byBirthDate)},
                                  {"name", routeMismatches(names, byName)},
                                  {"phone", routeMismatches(phones, byPhone)}}) {
    INFO(what);
    CAPTURE(mismatches);
    CHECK(mismatches.empty());
  }
}

TEST_CASE("ASCII fields with whitespace and mixed case give real values both ways") {
  for (const auto* n : {&french(), &icuOnly()}) {
    CHECK(valueOf(n->email(" \t Jo.Smith@Example.COM\r\n")) == "jo.smith@example.com");
    CHECK(valueOf(n->email("\x0b" "ANNA@example.FI" "\x0c")) == "anna@example.fi");
    CHECK(n->email("\x1f" "anna@example.fi").rejection ==
          "email: contains whitespace or control characters");
    CHECK(n->email("anna@example.fi\x7f").rejection ==
          "email: contains whitespace or control characters");
    CHECK(n->email(" \t ").rejection == "email: empty");
    CHECK(valueOf(n->postalCode("\t sw1a-1aa \n")) == "SW1A1AA");
    CHECK(n->postalCode("75_001").rejection ==
          "postal code has characters other than letters, digits, spaces and dashes");
    CHECK(valueOf(n->country("\tfR ")) == "FR");
    CHECK(valueOf(n->country(" deu\t")) == "DE");
    CHECK(valueOf(n->birthDate("\t1985-07-14 ")) == "1985-07-14");
    CHECK(valueOf(n->phone(" 06 12 34 56 78\t", "FR")) == "+33612345678");
  }
}

TEST_CASE("non-ASCII fields go through ICU and give the same values as before") {
  auto sameBothWays = [](auto of, const std::vector<std::string>& inputs) {
    auto mismatches = routeMismatches(inputs, of);
    CAPTURE(mismatches);
    CHECK(mismatches.empty());
  };
  sameBothWays(byEmail, {"ÉLISE@EXEMPLE.FR", "ＪＯＨＮ＠ｅｘａｍｐｌｅ．ｃｏｍ", "İSTANBUL@ÖRNEK.TR",
                         "\xef\xbb\xbf\xc2\xa0" "anna@example.fi\xe2\x80\x83",
                         "a\xc2\xa0" "b@c.d"});
  sameBothWays(byPostalCode, {"1000\xe2\x80\x93" "001", "７５００１", "\xc2\xa0" "75001\xe2\x80\x8b",
                              "7500é"});
  sameBothWays(byCountry, {"ESPAÑA", "Ｆｒ", "\xc2\xa0" "fi", "Österreich"});
  sameBothWays(byBirthDate, {"１９８５-０７-１４", "\xc2\xa0" "1985-07-14"});
  CHECK(valueOf(french().email("ÉLISE@EXEMPLE.FR")) == "élise@exemple.fr");
  CHECK(valueOf(french().postalCode("７５００１")) == "75001");
  CHECK(valueOf(french().country("Ｆｒ")) == "FR");
  CHECK(valueOf(french().birthDate("１９８５-０７-１４")) == "1985-07-14");
}

}  // namespace
}  // namespace entente::text
