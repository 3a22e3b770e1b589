// The kinds of personal identifier that partners compare. The kind's name is part of
// the hash domain (crypto/group.h), so it is cryptographic vocabulary; how a raw value
// becomes the normalised bytes of a kind is text handling (text/identifier-normaliser.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace entente::crypto {

enum class IdentifierKind : uint8_t {
  EMAIL = 0,
  PHONE = 1,
  NAME_DOB_POSTAL = 2,
};
inline constexpr IdentifierKind kAllIdentifierKinds[] = {
    IdentifierKind::EMAIL, IdentifierKind::PHONE, IdentifierKind::NAME_DOB_POSTAL};

// "email", "phone", "name_dob_postal": the names used on the command line, in the
// protocol and in the hash domain.
std::string_view kindName(IdentifierKind kind);
std::optional<IdentifierKind> parseKind(std::string_view name);

}  // namespace entente::crypto
