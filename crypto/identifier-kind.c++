#include "crypto/identifier-kind.h"

namespace entente::crypto {

std::string_view kindName(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::EMAIL:
      return "email";
    case IdentifierKind::PHONE:
      return "phone";
    case IdentifierKind::NAME_DOB_POSTAL:
      return "name_dob_postal";
  }
  return "unknown";
}

std::optional<IdentifierKind> parseKind(std::string_view name) {
  for (IdentifierKind kind : kAllIdentifierKinds) {
    if (kindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace entente::crypto
