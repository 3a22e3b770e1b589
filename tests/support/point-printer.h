// Catch2 prints ristretto255 points in failure messages as hex, not as 32 raw bytes.
// For the unit tests of crypto/ and protocol/.
#pragma once

#include "crypto/group.h"
#include "crypto/hash.h"

#include <catch2/catch.hpp>

template <>
struct Catch::StringMaker<entente::crypto::Point> {
  static std::string convert(const entente::crypto::Point& p) { return entente::crypto::hexOf(p); }
};
