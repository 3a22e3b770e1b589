// The audit log as JSON lines, for an auditor who checks it offline with the node's
// public key alone, and the checker itself (used by `entente audit verify --from-export`).
//
// One JSON object a line (nlohmann-json's compact form: no spaces, members in this
// order, strings in UTF-8, control characters escaped):
//   {"type":"header","version":1,"node":..,"publicKey":"<hex>","fingerprint":".."}
//   {"type":"entry","seq":..,"time":..,"action":..,"actor":..,"outcome":..,
//    "details":{"k":"v",..},"prevHash":"<hex>","hash":"<hex>"}
//   {"type":"checkpoint","count":..,"headHash":"<hex>","time":..,"signature":"<hex>"}
// A checkpoint follows the entry it covers. An export from a later entry starts with
// the checkpoint of the entry before it when there is one, which anchors the first
// entry's prevHash; without it that link is taken as given. The order of "details"
// matters (the hash covers it), and verifyAuditExport() accepts only lines exactly as
// writeAuditExport() writes them: re-formatting the file breaks it.
#pragma once

#include "node/audit/audit-chain.h"

#include <istream>
#include <limits>
#include <ostream>
#include <set>
#include <string>

namespace entente::node {

// Entries from the first one at or after `sinceUnix`, with their checkpoints. Throws
// StoreError when an entry or checkpoint is too damaged to export.
void writeAuditExport(const AuditChain& chain, std::ostream& out,
                      int64_t sinceUnix = std::numeric_limits<int64_t>::min());
std::string auditExportText(const AuditChain& chain, int64_t sinceUnix = std::numeric_limits<int64_t>::min());

// Checks an export with the key in its header; refuses it when `expectedKey` is given
// and the header's key is another. Never throws on bad data: it reports.
VerifyReport verifyAuditExport(std::istream& jsonl, std::optional<crypto::PublicKey> expectedKey);

// The session ids that entries of the log name (detail "session"), for checking the
// partners' receipts against the log. Throws StoreError on a damaged entry.
std::set<std::string> sessionsInLog(const AuditChain& chain);

}  // namespace entente::node
