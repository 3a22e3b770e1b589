// What a match session reads from its node: the customers that may take part in it
// and their normalised identifiers of the session's kinds.
//
// The session logic depends on this interface only. The node decides which records a
// session may see (node/match/match-selection.h is the one place that chooses them, and
// where consent filters them), so neither role of the protocol ever walks the store.
#pragma once

#include "crypto/identifier-kind.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::protocol {

struct SelectedValue {
  crypto::IdentifierKind kind;
  std::string normalised;
};

// One customer and the values it contributes: all move together through a session.
struct SelectedGroup {
  uint64_t customerKey = 0;
  std::vector<SelectedValue> values;
  // Responder, enrich mode: the customer's values of the session's attributes, absent
  // where it may not share one. Empty otherwise.
  std::vector<std::optional<std::string>> attributes;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Totals over the whole selection, known before any value is read.
  virtual uint64_t groupCount() const = 0;
  virtual uint64_t valueCount() const = 0;
  // Appends up to `maxGroups` further groups to `out`; returns how many it appended
  // (0 at the end). Every group has at least one value.
  virtual size_t read(size_t maxGroups, std::vector<SelectedGroup>& out) = 0;
  // The customer's own id, for reporting a match (requester side only).
  virtual std::string customerIdOf(uint64_t customerKey) = 0;
};

}  // namespace entente::protocol
