// The audit log's formats, shared by the chain (audit-chain.h) and the export
// (audit-export.h): an entry's bytes, which the hash chain covers, the stored value of
// an entry, and the signed checkpoint.
//
// Entry bytes (version 1): one line of tab-separated fields,
//   "entente-audit-v1" TAB seq TAB time TAB action TAB actor TAB outcome
//       ( TAB key TAB value )* TAB prevHash
// seq and time in decimal (time in Unix seconds, may be negative), no leading zeros
// or '+'; prevHash the previous entry's hash in 64 lower-case hex digits (all zeros for
// entry 1); in text fields '\' is written "\\", TAB "\t", LF "\n" and CR "\r", and
// nothing else is escaped. Text is valid UTF-8 and detail keys are unique: the chain
// makes them so before it hashes (cleanEntryText), so that an export is valid JSON
// with one member per key.
//   hash(entry) = BLAKE2b-256(entry bytes)      (crypto/hash.h, no key)
// Stored value of entry n: entry bytes || hash (32 raw bytes). The stored hash is
// redundant; it lets verify() point at a changed entry itself, not at the next one.
//
// Checkpoint: signature = Ed25519 over
//   "entente-audit-checkpoint-v1" || count (u64 BE) || head hash || time (i64 BE)
// where head hash is the hash of entry `count`. Stored value (144 bytes):
//   count (8, BE) || head hash (32) || time (8, BE) || signature (64) || public key (32)
#pragma once

#include "crypto/hash.h"
#include "crypto/node-identity.h"
#include "storage/environment.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace entente::node {

// An action's details: names and counts, never an identifier or a key. In order.
using Details = std::vector<std::pair<std::string, std::string>>;

using AuditHash = crypto::Digest256;

struct AuditEntry {
  uint64_t seq = 0;
  int64_t timeUnix = 0;
  std::string action;
  std::string actor;
  std::string outcome;
  Details details;
  AuditHash prevHash{};
  AuditHash hash{};  // of this entry's bytes
};

struct AuditCheckpoint {
  uint64_t count = 0;
  AuditHash headHash{};
  int64_t timeUnix = 0;
  crypto::Signature signature{};
  crypto::PublicKey signer{};
};

// What verification found, in the store or in an export.
struct VerifyReport {
  bool ok = false;
  uint64_t entries = 0;           // entries in the store (or export)
  uint64_t checkpoints = 0;       // checkpoints in the store (or export)
  uint64_t uncoveredEntries = 0;  // entries after the last checkpoint
  uint64_t firstEntry = 0;        // the first entry checked: 1, or where an export starts
  std::optional<uint64_t> firstBadEntry;
  // What failed and what to do; when ok, a note on what is not covered (or empty).
  std::string reason;
};

// The end of every message about a damaged log: what to do next.
inline constexpr std::string_view kRestoreAdvice =
    ". The log was altered or damaged: keep this copy as evidence and restore the store from a backup";

// Makes action, actor, outcome and details valid UTF-8 (invalid bytes become U+FFFD)
// and detail keys unique (a repeated key gets ".2", ".3", ...).
void cleanEntryText(AuditEntry& entry);

std::string encodeEntry(const AuditEntry& entry);
// Strict: accepts only what encodeEntry() writes. Does not set entry.hash.
bool decodeEntry(std::string_view bytes, AuditEntry& entry, std::string& why);
// A stored entry: entry bytes || their hash. Decodes without judging the hash.
bool decodeStoredEntry(storage::Bytes stored, AuditEntry& entry, std::string& why);
// The hash of a stored entry's bytes, recomputed (not the one stored with it).
AuditHash recomputedHash(storage::Bytes stored);

std::string checkpointMessage(uint64_t count, const AuditHash& head, int64_t timeUnix);
bool signatureHolds(const AuditCheckpoint& checkpoint);
std::string encodeCheckpoint(const AuditCheckpoint& checkpoint);
bool decodeCheckpoint(storage::Bytes bytes, AuditCheckpoint& checkpoint);

// Lower-case hex of exactly 2N digits, and back (false for anything else).
bool parseHex(std::string_view text, std::span<uint8_t> out);

}  // namespace entente::node
