// Conversions between the wire schemas' session terms and the plain types that the
// session logic uses, checked on the way in.
#pragma once

#include "protocol/partner.capnp.h"
#include "protocol/session-terms.h"

#include <capnp/list.h>

#include <string>
#include <vector>

namespace entente::node {

protocol::MatchMode modeFromWire(protocol::wire::MatchMode mode);
protocol::wire::MatchMode modeToWire(protocol::MatchMode mode);
std::string modeName(protocol::MatchMode mode);
// Enrichment attribute names: 1 to 64 characters each, none repeated, at most 16.
std::vector<std::string> attributesFromWire(capnp::List<capnp::Text>::Reader names);

// Parses kind names; fails with a user message on an unknown or repeated kind.
std::vector<crypto::IdentifierKind> kindsFromWire(capnp::List<capnp::Text>::Reader kinds);
void kindsToWire(const std::vector<crypto::IdentifierKind>& kinds, capnp::List<capnp::Text>::Builder out);
std::string joinKinds(const std::vector<crypto::IdentifierKind>& kinds);

}  // namespace entente::node
