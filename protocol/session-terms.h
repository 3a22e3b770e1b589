// The terms both roles of a session agree on at its start, in plain types.
#pragma once

#include "crypto/identifier-kind.h"

#include <cstdint>
#include <string>
#include <vector>

namespace entente::protocol {

enum class MatchMode { COUNT, IDS };

struct SessionTerms {
  MatchMode mode = MatchMode::COUNT;
  std::vector<crypto::IdentifierKind> kinds;  // order fixes each value's place in a group
  std::string purpose;
};

// The outcome of a session at the requester.
struct MatchedGroup {
  uint64_t customerKey = 0;
  uint8_t kindsMask = 0;  // bit i set when kinds[i] matched (ids mode only)
};

struct MatchOutcome {
  uint64_t overlap = 0;               // requester customers that matched, each once
  std::vector<MatchedGroup> matched;  // ids mode only, in the requester's key order
};

}  // namespace entente::protocol
