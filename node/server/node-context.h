// What the parts of a running node share: its settings, its store, its gate and audit
// chain, and its partner transport. Owned by the node server for the life of the process;
// services hold a reference.
#pragma once

#include "crypto/group.h"
#include "crypto/node-identity.h"
#include "node/audit/action-gate.h"
#include "node/audit/audit-chain.h"
#include "node/server/node-config.h"
#include "protocol/transport.h"
#include "protocol/user-error.h"
#include "storage/environment.h"

#include <kj/async.h>
#include <kj/timer.h>
#include <kj/exception.h>

#include <chrono>
#include <functional>
#include <string>

namespace entente::node {

// The RPC edge's error helpers, used by every service of the node.
using protocol::failWith;
using protocol::userFacing;
using protocol::userMessage;

class ConnectionRegistry;  // node/partners/connection-registry.h
class RefusalLog;          // node/partners/refusal-log.h

struct NodeContext {
  NodeConfig config;
  NodePaths paths;
  storage::Environment& store;
  ActionGate& gate;  // every action passes here (node/audit/action-gate.h)
  const AuditChain& audit;
  protocol::PartnerTransport& transport;
  const crypto::NodeIdentity& identity;
  ConnectionRegistry& connections;
  // Refusals of parties that have not proved who they are, counted per source.
  RefusalLog& refusals;
  crypto::HashDomain domain;
  std::chrono::steady_clock::time_point startedAt;
  // Unix seconds: every time-dependent rule (daily budgets, invitation expiry, consent
  // times) reads this clock, so that tests can move it.
  std::function<int64_t()> clock;
  // For timeouts of the event loop (a partner that makes no progress).
  kj::Timer& timer;
  // Fulfilled by the control interface's `stop`.
  kj::Own<kj::PromiseFulfiller<void>> stopRequested;
};

// A fresh random id for a session (16 hex digits).
std::string newSessionId();

}  // namespace entente::node
