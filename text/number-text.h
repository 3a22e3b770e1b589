// Numbers as people read them in tables and messages.
#pragma once

#include <cstdint>
#include <string>

namespace entente::text {

// "1,234,567": digits grouped by thousands with commas.
std::string thousands(uint64_t n);

}  // namespace entente::text
