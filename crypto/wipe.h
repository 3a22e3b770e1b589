// Wiping secrets (passphrases, tokens, key bytes) from memory so that a core dump or a
// reused page does not hold them: sodium_memzero, which the compiler may not drop as
// a dead store the way it may drop std::fill on a buffer about to be freed.
#pragma once

#include <cstddef>
#include <string>

namespace entente::crypto {

void wipe(void* data, size_t size) noexcept;
// The whole string, and it is left empty. Its capacity is wiped too, so a string
// reserved up front and read into leaves nothing behind.
void wipe(std::string& text) noexcept;

}  // namespace entente::crypto
