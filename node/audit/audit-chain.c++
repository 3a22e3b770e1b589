#include "node/audit/audit-chain.h"

#include "storage/audit-store.h"
#include "text/utc-time.h"

#include <ctime>

namespace entente::node {

using storage::AuditStore;
using storage::Bytes;
using storage::StoreError;
using storage::Transaction;

namespace {

void writeCheckpoint(Transaction& txn, const crypto::NodeIdentity& identity, uint64_t count, const AuditHash& head,
                     int64_t timeUnix) {
  AuditCheckpoint c{count, head, timeUnix, {}, identity.publicKey()};
  c.signature = identity.sign(storage::bytesOf(checkpointMessage(count, head, timeUnix)));
  auto bytes = encodeCheckpoint(c);
  AuditStore::putCheckpoint(txn, count, storage::bytesOf(bytes));
}

// The hash that entry count + 1 links to. Recomputed from the entry, not taken from it.
// Refuses to continue a log that has lost entries a checkpoint covers: new entries
// would take their numbers.
AuditHash storedHead(const Transaction& txn, uint64_t count) {
  uint64_t covered = 0;
  Bytes stored;
  if (AuditStore::lastCheckpoint(txn, covered, stored) && covered > count) {
    throw StoreError("the audit log holds " + std::to_string(count) + " entries but its last checkpoint covers " +
                     std::to_string(covered) + ": entries were deleted; run `entente audit verify`" +
                     std::string(kRestoreAdvice));
  }
  if (count == 0) return {};
  if (!AuditStore::read(txn, count, stored) || stored.size() < 32) {
    throw StoreError("the audit log holds " + std::to_string(count) + " entries but entry " + std::to_string(count) +
                     " is missing or truncated; run `entente audit verify`" + std::string(kRestoreAdvice));
  }
  return recomputedHash(stored);
}

// Why stored entry `seq` does not verify after an entry whose hash is `prev`.
std::optional<std::string> checkStoredEntry(Bytes stored, uint64_t seq, const AuditHash& prev, AuditHash& hash) {
  std::string n = "entry " + std::to_string(seq), why;
  if (stored.size() < 32) return n + " is truncated";
  hash = recomputedHash(stored);
  if (!std::equal(hash.begin(), hash.end(), stored.end() - 32)) {
    return n + " was altered: its content does not match the hash stored with it";
  }
  AuditEntry e;
  if (!decodeStoredEntry(stored, e, why)) return n + " is not a well-formed audit entry: " + why;
  if (e.seq != seq) return n + " says it is entry " + std::to_string(e.seq) + ": entries were moved";
  if (e.prevHash != prev) {
    return n + " does not follow entry " + std::to_string(seq - 1) + " (its previous hash differs): one of the two "
           "was rewritten";
  }
  return std::nullopt;
}

// Why a stored checkpoint under key `key` is bad; `head` is the recomputed hash of
// entry `key` when the log has it.
std::optional<std::string> checkStoredCheckpoint(Bytes stored, uint64_t key, const crypto::PublicKey& nodeKey,
                                                 const AuditHash* head) {
  std::string n = "the checkpoint at entry " + std::to_string(key);
  AuditCheckpoint c;
  if (!decodeCheckpoint(stored, c)) return n + " is bad: it has the wrong size";
  if (c.count != key || key == 0) return n + " is bad: it says it covers " + std::to_string(c.count) + " entries";
  if (c.signer != nodeKey) {
    return n + " is bad: it was signed by another key (fingerprint " + crypto::fingerprintOf(c.signer) +
           "), not this node's";
  }
  if (!signatureHolds(c)) return n + " is bad: its signature does not verify, so it was altered or forged";
  if (head != nullptr && *head != c.headHash) {
    return n + " is bad: it signed another head hash, so entries up to " + std::to_string(key) +
           " were rewritten after it was signed";
  }
  return std::nullopt;
}

}  // namespace

AuditChain::AuditChain(storage::Environment& env, const crypto::NodeIdentity& identity, uint64_t checkpointEvery,
                       Clock clock)
    : env_(env), identity_(identity), checkpointEvery_(checkpointEvery), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

AuditEntry AuditChain::append(Transaction& txn, std::string_view action, std::string_view actor,
                              std::string_view outcome, const Details& details) const {
  AuditEntry e{0, 0, std::string(action), std::string(actor), std::string(outcome), details, {}, {}};
  cleanEntryText(e);
  try {
    uint64_t count = AuditStore::count(txn);
    e.seq = count + 1;
    e.timeUnix = clock_();
    e.prevHash = storedHead(txn, count);
    std::string bytes = encodeEntry(e);
    e.hash = crypto::blake2b256(bytes);
    bytes.append(reinterpret_cast<const char*>(e.hash.data()), e.hash.size());
    AuditStore::append(txn, e.seq, storage::bytesOf(bytes));
    if (checkpointEvery_ != 0 && e.seq % checkpointEvery_ == 0) {
      writeCheckpoint(txn, identity_, e.seq, e.hash, e.timeUnix);
    }
  } catch (const StoreError& error) {
    throw StoreError("cannot record " + e.action + " in the audit log, so it must not proceed: " + error.what());
  }
  return e;
}

void AuditChain::checkpoint() {
  Transaction txn(env_, Transaction::Mode::WRITE);
  uint64_t count = AuditStore::count(txn);
  uint64_t last = 0;
  Bytes ignored;
  if (count == 0 || (AuditStore::lastCheckpoint(txn, last, ignored) && last == count)) return;
  writeCheckpoint(txn, identity_, count, storedHead(txn, count), clock_());
  txn.commit();
}

VerifyReport AuditChain::verify() const {
  VerifyReport report;
  report.firstEntry = 1;
  std::optional<std::string> problem;
  uint64_t expected = 1, covered = 0;
  try {
    Transaction txn(env_, Transaction::Mode::READ);
    report.entries = AuditStore::count(txn);
    report.checkpoints = AuditStore::checkpointCount(txn);
    std::vector<std::pair<uint64_t, Bytes>> checkpoints;
    AuditStore::forEachCheckpoint(txn, [&](uint64_t key, Bytes value) {
      checkpoints.emplace_back(key, value);
      return true;
    });
    size_t next = 0;
    AuditHash prev{};
    AuditStore::forEach(txn, 1, [&](uint64_t seq, Bytes value) {
      if (seq != expected) {
        problem = "entries " + std::to_string(expected) + " to " + std::to_string(seq - 1) + " are missing";
        return false;
      }
      AuditHash hash;
      if ((problem = checkStoredEntry(value, seq, prev, hash))) return false;
      for (; next < checkpoints.size() && checkpoints[next].first <= seq; ++next) {
        auto [key, bytes] = checkpoints[next];
        if ((problem = checkStoredCheckpoint(bytes, key, identity_.publicKey(), key == seq ? &hash : nullptr))) {
          expected = key;
          return false;
        }
        covered = key;
      }
      prev = hash;
      ++expected;
      return true;
    });
    if (!problem && next < checkpoints.size()) {
      auto [key, bytes] = checkpoints[next];
      AuditCheckpoint c;
      if ((problem = checkStoredCheckpoint(bytes, key, identity_.publicKey(), nullptr))) {
        expected = key;
      } else if (decodeCheckpoint(bytes, c)) {
        problem = "entries " + std::to_string(expected) + " to " + std::to_string(key) +
                  " are missing, though the checkpoint signed at " + text::utcTimestamp(c.timeUnix) +
                  " covers them: they were deleted after it was signed";
      }
    }
  } catch (const StoreError& error) {
    problem = error.what();
  }
  if (problem) {
    report.firstBadEntry = expected;
    report.reason = *problem + std::string(kRestoreAdvice);
    return report;
  }
  report.ok = true;
  report.uncoveredEntries = report.entries - covered;
  if (report.uncoveredEntries > 0) {
    report.reason = std::to_string(report.uncoveredEntries) + " entries after the last checkpoint (" +
                    std::to_string(covered + 1) + " to " + std::to_string(report.entries) +
                    ") are not covered by a signature yet: had the last of them been removed, this check could not "
                    "tell. The next checkpoint covers them.";
  }
  return report;
}

std::optional<AuditEntry> AuditChain::read(uint64_t seq) const {
  Transaction txn(env_, Transaction::Mode::READ);
  Bytes stored;
  if (!AuditStore::read(txn, seq, stored)) return std::nullopt;
  AuditEntry e;
  std::string why;
  if (!decodeStoredEntry(stored, e, why)) {
    throw StoreError("audit entry " + std::to_string(seq) + " is damaged (" + why + "); run `entente audit verify`");
  }
  return e;
}

std::vector<AuditCheckpoint> AuditChain::checkpoints() const {
  Transaction txn(env_, Transaction::Mode::READ);
  std::vector<AuditCheckpoint> out;
  AuditStore::forEachCheckpoint(txn, [&](uint64_t key, Bytes value) {
    if (!decodeCheckpoint(value, out.emplace_back())) {
      throw StoreError("the audit checkpoint at entry " + std::to_string(key) +
                       " is damaged; run `entente audit verify`");
    }
    return true;
  });
  return out;
}

}  // namespace entente::node
