#include "node/import/special-categories.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace entente::node {
namespace {

struct Keyword {
  const char* stem;  // folded: lower-case ASCII letters and digits, no accents
  const char* category;
};

// Stems of column names, folded the way names are (ICU Any-Latin; Latin-ASCII; Lower,
// letters and digits only), so that "Santé", "SANTE" and "sante_notes" all hold
// "sante". A stem is matched anywhere in the name: "politi" finds political,
// politique, política, politisch.
constexpr std::array kColumnStems{
    // health
    Keyword{"health", "health"}, Keyword{"medical", "health"}, Keyword{"medic", "health"},
    Keyword{"diagnos", "health"}, Keyword{"illness", "health"}, Keyword{"disease", "health"},
    Keyword{"disabilit", "health"}, Keyword{"allerg", "health"}, Keyword{"pregnan", "health"},
    Keyword{"sante", "health"}, Keyword{"maladie", "health"}, Keyword{"handicap", "health"},
    Keyword{"salud", "health"}, Keyword{"enfermedad", "health"}, Keyword{"discapacidad", "health"},
    Keyword{"saude", "health"}, Keyword{"doenca", "health"}, Keyword{"deficiencia", "health"},
    Keyword{"terveys", "health"}, Keyword{"sairaus", "health"}, Keyword{"vamma", "health"},
    Keyword{"gesundheit", "health"}, Keyword{"krankheit", "health"}, Keyword{"behinderung", "health"},
    // religion or belief
    Keyword{"religi", "religion"}, Keyword{"faith", "religion"}, Keyword{"confession", "religion"},
    Keyword{"konfession", "religion"}, Keyword{"uskonto", "religion"}, Keyword{"denomination", "religion"},
    // political opinions
    Keyword{"politi", "political opinion"}, Keyword{"poliitt", "political opinion"},
    Keyword{"partei", "political opinion"}, Keyword{"puolue", "political opinion"},
    // racial or ethnic origin
    Keyword{"ethni", "ethnic origin"}, Keyword{"etni", "ethnic origin"}, Keyword{"rasse", "ethnic origin"},
    // trade-union membership
    Keyword{"tradeunion", "trade-union membership"}, Keyword{"syndica", "trade-union membership"},
    Keyword{"sindica", "trade-union membership"}, Keyword{"gewerkschaft", "trade-union membership"},
    Keyword{"ammattiliit", "trade-union membership"},
    // sex life or sexual orientation
    Keyword{"sexual", "sexual orientation"}, Keyword{"sexuel", "sexual orientation"},
    Keyword{"seksuaal", "sexual orientation"},
    // genetic and biometric data
    Keyword{"genet", "genetic data"}, Keyword{"geneet", "genetic data"}, Keyword{"biometr", "biometric data"},
};

// Whole words of values: a value is split into words, each folded, and compared
// exactly (a trailing plural "s" removed), so that "archive" does not look like "hiv".
constexpr std::array kValueWords{
    Keyword{"diabetes", "health"}, Keyword{"diabete", "health"}, Keyword{"cancer", "health"},
    Keyword{"asthma", "health"}, Keyword{"asthme", "health"}, Keyword{"hiv", "health"},
    Keyword{"depression", "health"}, Keyword{"pregnant", "health"}, Keyword{"enceinte", "health"},
    Keyword{"embarazada", "health"}, Keyword{"gravida", "health"}, Keyword{"raskaana", "health"},
    Keyword{"schwanger", "health"}, Keyword{"wheelchair", "health"}, Keyword{"rollstuhl", "health"},
    Keyword{"diabetiker", "health"},
    Keyword{"catholic", "religion"}, Keyword{"catholique", "religion"}, Keyword{"catolico", "religion"},
    Keyword{"katholisch", "religion"}, Keyword{"katolinen", "religion"}, Keyword{"muslim", "religion"},
    Keyword{"musulman", "religion"}, Keyword{"muculmano", "religion"}, Keyword{"jewish", "religion"},
    Keyword{"juif", "religion"}, Keyword{"judio", "religion"}, Keyword{"judeu", "religion"},
    Keyword{"juutalainen", "religion"}, Keyword{"judisch", "religion"}, Keyword{"protestant", "religion"},
    Keyword{"buddhist", "religion"}, Keyword{"bouddhiste", "religion"}, Keyword{"budista", "religion"},
    Keyword{"atheist", "religion"}, Keyword{"athee", "religion"}, Keyword{"ateo", "religion"},
    Keyword{"lesbian", "sexual orientation"}, Keyword{"bisexual", "sexual orientation"},
    Keyword{"homosexual", "sexual orientation"}, Keyword{"homosexuel", "sexual orientation"},
};

}  // namespace

SpecialCategories::SpecialCategories(const NodeConfig& config, const text::IdentifierNormaliser& normaliser)
    : config_(config), normaliser_(normaliser) {}

const std::string& SpecialCategories::categoryOfColumn(const std::string& column) {
  if (auto it = columns_.find(column); it != columns_.end()) return it->second;
  auto listed = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), column) != names.end();
  };
  std::string category;
  if (listed(config_.specialCategoryAttributes)) {
    category = "declared in node.toml";
  } else if (!listed(config_.ordinaryAttributes)) {
    auto folded = normaliser_.name(column);
    for (auto& keyword : kColumnStems) {
      if (folded && folded.value->find(keyword.stem) != std::string::npos) {
        category = keyword.category;
        break;
      }
    }
  }
  return columns_.emplace(column, std::move(category)).first->second;
}

std::string SpecialCategories::categoryOfValue(std::string_view value) const {
  size_t start = 0;
  while (start < value.size()) {
    size_t end = start;
    // Words end at ASCII spaces and punctuation; letters beyond ASCII stay in the word.
    while (end < value.size() && (static_cast<unsigned char>(value[end]) >= 0x80 ||
                                  std::isalnum(static_cast<unsigned char>(value[end])))) {
      ++end;
    }
    if (end > start) {
      auto folded = normaliser_.name(value.substr(start, end - start));
      if (folded) {
        std::string word = *folded.value;
        for (int plural = 0; plural < 2; ++plural) {
          for (auto& keyword : kValueWords) {
            if (word == keyword.stem) return keyword.category;
          }
          if (word.size() < 4 || word.back() != 's') break;
          word.pop_back();
        }
      }
    }
    start = end + 1;
  }
  return {};
}

}  // namespace entente::node
