#include "node/audit/audit-export.h"

#include "storage/audit-store.h"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

namespace entente::node {

using storage::AuditStore;
using storage::Bytes;
using storage::StoreError;
using storage::Transaction;
using Json = nlohmann::ordered_json;

namespace {

std::string dump(const Json& line) { return line.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string headerLine(std::string_view node, const crypto::PublicKey& key) {
  Json line = {{"type", "header"}, {"version", 1}, {"node", node}, {"publicKey", crypto::hexOf(key)},
               {"fingerprint", crypto::fingerprintOf(key)}};
  return dump(line);
}

std::string entryLine(const AuditEntry& e) {
  Json details = Json::object();
  for (auto& [key, value] : e.details) details[key] = value;
  Json line = {{"type", "entry"},          {"seq", e.seq},
               {"time", e.timeUnix},       {"action", e.action},
               {"actor", e.actor},         {"outcome", e.outcome},
               {"details", details},       {"prevHash", crypto::hexOf(e.prevHash)},
               {"hash", crypto::hexOf(e.hash)}};
  return dump(line);
}

std::string checkpointLine(const AuditCheckpoint& c) {
  Json line = {{"type", "checkpoint"}, {"count", c.count}, {"headHash", crypto::hexOf(c.headHash)},
               {"time", c.timeUnix}, {"signature", crypto::hexOf(c.signature)}};
  return dump(line);
}

// Typed access to the members of one parsed line; each getter sets `why` when it fails.
class LineFields {
 public:
  LineFields(const Json& line, std::string& why) : line_(line), why_(why) {}

  bool text(const char* name, std::string& out) {
    auto at = line_.find(name);
    if (at == line_.end() || !at->is_string()) return missing(name);
    out = at->get<std::string>();
    return true;
  }
  bool u64(const char* name, uint64_t& out) {
    auto at = line_.find(name);
    if (at == line_.end() || !at->is_number_unsigned()) return missing(name);
    out = at->get<uint64_t>();
    return true;
  }
  bool i64(const char* name, int64_t& out) {
    auto at = line_.find(name);
    if (at == line_.end() || !at->is_number_integer()) return missing(name);
    out = at->get<int64_t>();
    return true;
  }
  bool hex(const char* name, std::span<uint8_t> out) {
    std::string digits;
    if (!text(name, digits)) return false;
    if (parseHex(digits, out)) return true;
    why_ = std::string("a malformed \"") + name + "\"";
    return false;
  }
  bool members(const char* name, Details& out) {
    auto at = line_.find(name);
    if (at == line_.end() || !at->is_object()) return missing(name);
    for (auto& [key, value] : at->items()) {
      if (!value.is_string()) return missing(name);
      out.emplace_back(key, value.get<std::string>());
    }
    return true;
  }

 private:
  bool missing(const char* name) {
    why_ = std::string("no valid \"") + name + "\"";
    return false;
  }
  const Json& line_;
  std::string& why_;
};

// Parses one line; on failure says where (nlohmann's message names the byte).
bool parseLine(const std::string& text, Json& out, std::string& why) {
  try {
    out = Json::parse(text);
  } catch (const Json::parse_error& e) {
    why = "not JSON at byte " + std::to_string(e.byte);
    return false;
  } catch (const Json::exception& e) {
    // A number too large for any type, say (found by the export fuzzer): bad data,
    // reported like any other, never thrown at the caller.
    why = "a value JSON cannot hold";
    return false;
  }
  if (!out.is_object()) return why = "not a JSON object", false;
  return true;
}

// Where an unreadable line belongs: a checkpoint line keeps at least two of these
// after any one changed byte; an entry line has none unless its details name them.
bool looksLikeCheckpoint(std::string_view line) {
  int marks = 0;
  for (std::string_view mark : {R"({"type":"checkpoint",)", R"(,"headHash":")", R"(,"signature":")"}) {
    marks += line.find(mark) != std::string_view::npos;
  }
  return marks >= 2;
}

template <typename Visit>
void forEachStoredEntry(const Transaction& txn, Visit&& visit) {
  AuditStore::forEach(txn, 1, [&](uint64_t seq, Bytes value) {
    AuditEntry e;
    std::string why;
    if (!decodeStoredEntry(value, e, why)) {
      throw StoreError("audit entry " + std::to_string(seq) + " is damaged (" + why +
                       "); run `entente audit verify`");
    }
    return visit(e);
  });
}

}  // namespace

void writeAuditExport(const AuditChain& chain, std::ostream& out, int64_t sinceUnix) {
  Transaction txn(chain.store(), Transaction::Mode::READ);
  std::map<uint64_t, AuditCheckpoint> checkpoints;
  AuditStore::forEachCheckpoint(txn, [&](uint64_t key, Bytes value) {
    if (!decodeCheckpoint(value, checkpoints[key])) {
      throw StoreError("the audit checkpoint at entry " + std::to_string(key) +
                       " is damaged and cannot be exported; run `entente audit verify`");
    }
    return true;
  });
  auto writeCheckpointAt = [&](uint64_t key) {
    if (auto c = checkpoints.find(key); c != checkpoints.end()) out << checkpointLine(c->second) << '\n';
  };
  out << headerLine(chain.identity().nodeName(), chain.identity().publicKey()) << '\n';
  bool started = false;
  forEachStoredEntry(txn, [&](const AuditEntry& e) {
    if (!started) {
      if (e.timeUnix < sinceUnix) return true;
      started = true;
      writeCheckpointAt(e.seq - 1);
    }
    out << entryLine(e) << '\n';
    writeCheckpointAt(e.seq);
    return true;
  });
}

std::string auditExportText(const AuditChain& chain, int64_t sinceUnix) {
  std::ostringstream out;
  writeAuditExport(chain, out, sinceUnix);
  return out.str();
}

std::set<std::string> sessionsInLog(const AuditChain& chain) {
  Transaction txn(chain.store(), Transaction::Mode::READ);
  std::set<std::string> sessions;
  forEachStoredEntry(txn, [&](const AuditEntry& e) {
    for (auto& [key, value] : e.details) {
      if (key == "session") sessions.insert(value);
    }
    return true;
  });
  return sessions;
}

VerifyReport verifyAuditExport(std::istream& in, std::optional<crypto::PublicKey> expectedKey) {
  VerifyReport report;
  std::optional<uint64_t> nextSeq;  // known after the first entry, or an anchoring checkpoint
  auto fail = [&](std::optional<uint64_t> at, std::string why) {
    report.ok = false;
    report.firstBadEntry = at;
    report.reason = std::move(why);
    return report;
  };

  std::string line, why;
  Json object;
  crypto::PublicKey key;
  {
    std::string node;
    if (!std::getline(in, line)) {
      return fail(std::nullopt, "the export is empty; write it again with `entente audit export`");
    }
    LineFields fields(object, why);
    if (!parseLine(line, object, why) || !fields.text("node", node) || !fields.hex("publicKey", key) ||
        headerLine(node, key) != line) {
      return fail(std::nullopt, "line 1 is not the header of an audit export (" + (why.empty() ? "altered" : why) +
                                    "): the file was damaged or is not an export");
    }
  }
  if (expectedKey && *expectedKey != key) {
    return fail(std::nullopt, "the export was signed by the key with fingerprint " + crypto::fingerprintOf(key) +
                                  ", not by the expected key " + crypto::fingerprintOf(*expectedKey) +
                                  ": it comes from another node or was altered");
  }

  std::optional<AuditHash> prev;
  uint64_t lastSeq = 0, covered = 0, lineNumber = 1;
  bool anchored = false;
  while (std::getline(in, line)) {
    std::string n = "line " + std::to_string(++lineNumber);
    why.clear();
    LineFields fields(object, why);
    std::string type;
    auto unreadableAt = report.entries > 0 && looksLikeCheckpoint(line) ? std::optional(lastSeq) : nextSeq;
    if (!parseLine(line, object, why) || !fields.text("type", type)) {
      return fail(unreadableAt, n + " is not an export line (" + why + "): the export was altered or damaged");
    }
    if (type == "entry") {
      AuditEntry e;
      if (!fields.u64("seq", e.seq) || !fields.i64("time", e.timeUnix) || !fields.text("action", e.action) ||
          !fields.text("actor", e.actor) || !fields.text("outcome", e.outcome) ||
          !fields.members("details", e.details) || !fields.hex("prevHash", e.prevHash) || !fields.hex("hash", e.hash)) {
        return fail(nextSeq, n + " is not a valid entry (" + why + "): the export was altered");
      }
      uint64_t at = nextSeq.value_or(e.seq);
      std::string entry = "entry " + std::to_string(at);
      if (entryLine(e) != line) return fail(at, n + " (" + entry + ") is not as exported: it was altered");
      if (nextSeq && e.seq != *nextSeq) {
        return fail(at, n + " holds entry " + std::to_string(e.seq) + " where " + entry +
                            " belongs: entries were removed, repeated or reordered");
      }
      if (prev && e.prevHash != *prev) {
        return fail(at, entry + " does not follow the " + (report.entries == 0 ? "checkpoint" : "entry") +
                            " before it (its previous hash differs): one of the two was altered");
      }
      if (crypto::blake2b256(encodeEntry(e)) != e.hash) {
        return fail(at, entry + " was altered: its fields do not match its hash");
      }
      if (report.entries++ == 0) report.firstEntry = e.seq;
      prev = e.hash;
      nextSeq = e.seq + 1;
      lastSeq = e.seq;
    } else if (type == "checkpoint") {
      AuditCheckpoint c;
      c.signer = key;
      bool valid = fields.u64("count", c.count) && fields.hex("headHash", c.headHash) &&
                   fields.i64("time", c.timeUnix) && fields.hex("signature", c.signature);
      std::optional<uint64_t> at = report.entries > 0 ? std::optional(lastSeq)
                                   : valid             ? std::optional(c.count)
                                                       : nextSeq;
      std::string checkpoint = at ? "the checkpoint at entry " + std::to_string(*at) : "a checkpoint";
      if (!valid || checkpointLine(c) != line) {
        return fail(at, n + " (" + checkpoint + ") is not as exported" + (why.empty() ? "" : " (" + why + ")") +
                            ": it was altered");
      }
      if (report.entries == 0) {
        // Before the first entry: the checkpoint of the entry before it, which the
        // first entry must link to.
        if (anchored) return fail(at, n + " is a second checkpoint before the first entry: the export was altered");
        anchored = true;
        nextSeq = c.count + 1;
        prev = c.headHash;
      } else if (c.count != lastSeq) {
        return fail(at, n + " follows entry " + std::to_string(lastSeq) + " but says it covers " +
                            std::to_string(c.count) + " entries: the export was altered");
      } else if (c.headHash != *prev) {
        return fail(at, checkpoint + " signed another head hash: entries up to it were altered");
      }
      if (!signatureHolds(c)) {
        return fail(at, checkpoint + " has a signature that does not verify with the header's key: it was altered "
                                     "or forged");
      }
      ++report.checkpoints;
      covered = c.count;
    } else {
      return fail(unreadableAt, n + " is of an unexpected type: the export was altered");
    }
  }
  if (in.bad()) return fail(nextSeq, "the export could not be read to its end");

  report.ok = true;
  report.uncoveredEntries = lastSeq > covered ? lastSeq - covered : 0;
  if (report.entries > 0 && report.firstEntry > 1 && !anchored) {
    report.reason = "entry " + std::to_string(report.firstEntry) +
                    " is the first in this export and no checkpoint anchors it: its link to earlier entries is "
                    "taken as given. ";
  }
  if (report.uncoveredEntries > 0) {
    report.reason += std::to_string(report.uncoveredEntries) +
                     " entries after the last checkpoint are not covered by a signature: had the last of them been "
                     "removed, this check could not tell.";
  }
  return report;
}

}  // namespace entente::node
