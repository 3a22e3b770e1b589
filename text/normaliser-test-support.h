// What the identifier normaliser's tests share: one normaliser per default region for
// the whole run (building one sets up an ICU transliterator, which is costly), and the
// value of a normalisation that must succeed.
#pragma once

#include "text/identifier-normaliser.h"

#include <catch2/catch.hpp>

#include <string>

namespace entente::text::testing {

inline const IdentifierNormaliser& french() {
  static const IdentifierNormaliser normaliser("FR");
  return normaliser;
}
inline const IdentifierNormaliser& finnish() {
  static const IdentifierNormaliser normaliser("FI");
  return normaliser;
}

// The value; the test stops, with the rejection's reason, when there is none.
inline std::string valueOf(const Normalisation& n) {
  INFO("rejection: " << n.rejection);
  REQUIRE(n);
  return *n.value;
}

}  // namespace entente::text::testing
