#include "node/match/wire-terms.h"

#include "node/server/node-context.h"

#include <algorithm>

namespace entente::node {

protocol::MatchMode modeFromWire(protocol::wire::MatchMode mode) {
  switch (mode) {
    case protocol::wire::MatchMode::COUNT: return protocol::MatchMode::COUNT;
    case protocol::wire::MatchMode::IDS: return protocol::MatchMode::IDS;
  }
  failWith("unknown match mode; this node supports count and ids");
}

protocol::wire::MatchMode modeToWire(protocol::MatchMode mode) {
  return mode == protocol::MatchMode::IDS ? protocol::wire::MatchMode::IDS : protocol::wire::MatchMode::COUNT;
}

std::string modeName(protocol::MatchMode mode) { return mode == protocol::MatchMode::IDS ? "ids" : "count"; }

std::vector<crypto::IdentifierKind> kindsFromWire(capnp::List<capnp::Text>::Reader names) {
  std::vector<crypto::IdentifierKind> kinds;
  for (auto name : names) {
    auto kind = crypto::parseKind(name.cStr());
    if (!kind) {
      failWith(std::string("unknown identifier kind '") + name.cStr() + "'; known kinds: email, phone, name_dob_postal");
    }
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      failWith(std::string("identifier kind '") + name.cStr() + "' is listed twice");
    }
    kinds.push_back(*kind);
  }
  if (kinds.empty()) failWith("a match needs at least one identifier kind");
  return kinds;
}

void kindsToWire(const std::vector<crypto::IdentifierKind>& kinds, capnp::List<capnp::Text>::Builder out) {
  for (unsigned i = 0; i < kinds.size(); ++i) out.set(i, std::string(crypto::kindName(kinds[i])));
}

std::string joinKinds(const std::vector<crypto::IdentifierKind>& kinds) {
  std::string joined;
  for (auto kind : kinds) {
    if (!joined.empty()) joined += ',';
    joined += crypto::kindName(kind);
  }
  return joined;
}

}  // namespace entente::node
