#include "node/match/wire-terms.h"

#include "node/server/node-context.h"

#include <algorithm>

namespace entente::node {

protocol::MatchMode modeFromWire(protocol::wire::MatchMode mode) {
  switch (mode) {
    case protocol::wire::MatchMode::COUNT: return protocol::MatchMode::COUNT;
    case protocol::wire::MatchMode::IDS: return protocol::MatchMode::IDS;
    case protocol::wire::MatchMode::ENRICH: return protocol::MatchMode::ENRICH;
  }
  failWith("unknown match mode; this node supports count, ids and enrich");
}

protocol::wire::MatchMode modeToWire(protocol::MatchMode mode) {
  switch (mode) {
    case protocol::MatchMode::IDS: return protocol::wire::MatchMode::IDS;
    case protocol::MatchMode::ENRICH: return protocol::wire::MatchMode::ENRICH;
    case protocol::MatchMode::COUNT: break;
  }
  return protocol::wire::MatchMode::COUNT;
}

std::string modeName(protocol::MatchMode mode) {
  switch (mode) {
    case protocol::MatchMode::IDS: return "ids";
    case protocol::MatchMode::ENRICH: return "enrich";
    case protocol::MatchMode::COUNT: break;
  }
  return "count";
}

std::vector<std::string> attributesFromWire(capnp::List<capnp::Text>::Reader names) {
  std::vector<std::string> attributes;
  for (auto name : names) {
    std::string a = name.cStr();
    if (a.empty() || a.size() > 64) failWith("an attribute name must have 1 to 64 characters");
    if (std::find(attributes.begin(), attributes.end(), a) != attributes.end()) {
      failWith("attribute '" + a + "' is listed twice");
    }
    attributes.push_back(std::move(a));
  }
  if (attributes.size() > 16) failWith("a match asks for at most 16 attributes");
  return attributes;
}

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
