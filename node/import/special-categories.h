// Special categories of personal data (GDPR Art. 9: health, religion, political
// opinions, ethnic origin, trade-union membership, sex life or sexual orientation,
// genetic and biometric data), as CRMs hold them in ordinary attribute columns.
//
// A column is special-category when node.toml lists it (`special_category_attributes`)
// or when its name holds one of the usual words for these data in English, French,
// Spanish, Portuguese, Finnish or German (below), unless node.toml lists it under
// `ordinary_attributes`. Such attributes are stored marked, shown to the firm's own
// users, and never offered to a partner.
//
// A column not declared so whose values hold such words ("diabetes", "catholique") is
// a suspect: the import warns once, naming the column, and the firm decides.
#pragma once

#include "node/server/node-config.h"
#include "text/identifier-normaliser.h"

#include <map>
#include <string>
#include <string_view>

namespace entente::node {

class SpecialCategories {
 public:
  SpecialCategories(const NodeConfig& config, const text::IdentifierNormaliser& normaliser);

  // The category ("health", "religion", ...) of an attribute column, or empty when
  // the column is an ordinary one.
  const std::string& categoryOfColumn(const std::string& column);
  // The category a value of an ordinary column looks like, or empty: a word of the
  // value is one of the usual words for such data.
  std::string categoryOfValue(std::string_view value) const;

 private:
  const NodeConfig& config_;
  const text::IdentifierNormaliser& normaliser_;
  std::map<std::string, std::string, std::less<>> columns_;  // decided once per column name
};

}  // namespace entente::node
