// The terms both roles of a session agree on at its start, in plain types.
#pragma once

#include "crypto/identifier-kind.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::protocol {

// count: how many; ids: which of the requester's customers; enrich: which, and the
// attributes the responder offers about each (sealed, labelled PSI).
enum class MatchMode { COUNT, IDS, ENRICH };

// Whether the requester learns which of its customers matched (ids and enrich).
inline bool learnsWhich(MatchMode mode) { return mode != MatchMode::COUNT; }

struct SessionTerms {
  MatchMode mode = MatchMode::COUNT;
  std::vector<crypto::IdentifierKind> kinds;  // order fixes each value's place in a group
  std::string purpose;
  // Enrich mode: the responder's attributes asked for, in this order (at most 16).
  std::vector<std::string> attributes;
};

// The outcome of a session at the requester.
struct MatchedGroup {
  uint64_t customerKey = 0;
  uint8_t kindsMask = 0;  // bit i set when kinds[i] matched (ids mode only)
  // Enrich mode: the partner's values of terms.attributes, absent where it holds none
  // it may share (not offered, not consented, special category, or simply empty).
  std::vector<std::optional<std::string>> attributes;
};

struct MatchOutcome {
  uint64_t overlap = 0;               // requester customers that matched, each once
  std::vector<MatchedGroup> matched;  // ids mode only, in the requester's key order
};

}  // namespace entente::protocol
