// What the parts of a running node share: its settings, its store, its action log
// and its partner transport. Owned by the node server for the life of the process;
// services hold a reference.
#pragma once

#include "crypto/group.h"
#include "crypto/node-identity.h"
#include "node/audit/action-gate.h"
#include "node/audit/audit-chain.h"
#include "node/server/node-config.h"
#include "protocol/transport.h"
#include "storage/environment.h"

#include <kj/async.h>
#include <kj/exception.h>

#include <chrono>
#include <string>

namespace entente::node {

class ConnectionRegistry;  // node/partners/connection-registry.h

struct NodeContext {
  NodeConfig config;
  NodePaths paths;
  storage::Environment& store;
  ActionGate& gate;  // every action passes here (node/audit/action-gate.h)
  const AuditChain& audit;
  protocol::PartnerTransport& transport;
  const crypto::NodeIdentity& identity;
  ConnectionRegistry& connections;
  crypto::HashDomain domain;
  std::chrono::steady_clock::time_point startedAt;
  // Fulfilled by the control interface's `stop`.
  kj::Own<kj::PromiseFulfiller<void>> stopRequested;
};

// An error to show the other side as is: a refusal or a failed request, worded for
// the person who reads it (what failed, on what, what to do next).
[[noreturn]] void failWith(std::string message);

// Runs `body`, turning a std::exception (from the session logic or the store) into a
// KJ exception whose text the other side shows as is.
template <typename Body>
auto userFacing(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const kj::Exception&) {
    throw;
  } catch (const std::exception& e) {
    failWith(e.what());
  }
}

// The message of an exception without KJ's decorations ("remote exception: ...",
// file and line), fit for a user.
std::string userMessage(const kj::Exception& e);

// A fresh random id for a session (16 hex digits).
std::string newSessionId();

}  // namespace entente::node
