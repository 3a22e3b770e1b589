#include "node/server/purposes.h"

namespace entente::node {

const std::vector<PurposeDefinition>& defaultPurposes() {
  static const std::vector<PurposeDefinition> purposes = {
      {"overlap-analysis",
       "Counting how many customers we share with a partner firm, without either firm learning who they are."},
      {"cross-selling",
       "Being recognised as a customer of both firms, so that either may make you an offer."},
      {"enrichment", "Sharing parts of your profile (such as your interests) with a partner firm you are also a "
                     "customer of."},
  };
  return purposes;
}

bool isValidPurposeName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace entente::node
