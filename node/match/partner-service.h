// The responder: serves one partner connection. The transport has already proved
// who is on the other end (TLS, pinned identity key); this service checks what that
// peer may ask (its policy and daily budget), then runs a ResponderSession against
// this node's selection of customers. Every session opened, refused, completed or
// failed is recorded through the gate (node/audit/action-gate.h). On a pairing
// connection it serves only the completion of a pairing.
#pragma once

#include "node/server/node-context.h"
#include "protocol/partner.capnp.h"
#include "storage/peer-store.h"

#include <optional>
#include <string>

namespace entente::node {

// One per accepted connection. `remote` is the connection's address for logs; `peer`
// is the paired peer the TLS key belongs to (absent on a pairing connection from a
// node not yet paired); `key` is that TLS key.
kj::Own<protocol::wire::Partner::Server> makePartnerService(NodeContext& context, std::string remote,
                                                            std::optional<storage::PeerEntry> peer,
                                                            crypto::PublicKey key, protocol::Channel channel);

}  // namespace entente::node
