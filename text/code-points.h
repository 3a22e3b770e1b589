// Walking the code points of UTF-8 text, for the normalisers of text/.
#pragma once

#include <unicode/utf8.h>

#include <cstdint>
#include <string_view>

namespace entente::text {

// Calls visit(c) for each code point of `utf8`, stopping at the first false or at
// bytes that are not valid UTF-8; true when every code point was visited and passed.
template <typename Visit>
bool eachCodePoint(std::string_view utf8, Visit visit) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  auto length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0 || !visit(c)) return false;
  }
  return true;
}

}  // namespace entente::text
