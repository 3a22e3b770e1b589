// The control methods of the audit log, for admin and compliance tokens: verify (the
// chain, its checkpoints, and the partners' receipts against the log) and export (the
// JSON lines of node/audit/audit-export.h, streamed to the CLI). Each is recorded
// through the gate as a read.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"

#include <string>

namespace entente::node {

using AuditVerifyCall = capnp::CallContext<protocol::control::ControlSession::AuditVerifyParams,
                                           protocol::control::ControlSession::AuditVerifyResults>;
using AuditExportCall = capnp::CallContext<protocol::control::ControlSession::AuditExportParams,
                                           protocol::control::ControlSession::AuditExportResults>;

void auditVerify(NodeContext& context, const std::string& actor, AuditVerifyCall call);
kj::Promise<void> auditExport(NodeContext& context, const std::string& actor, AuditExportCall call);

}  // namespace entente::node
