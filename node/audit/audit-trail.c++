#include "node/audit/audit-trail.h"

#include "storage/audit-store.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>

namespace entente::node {

using storage::AuditStore;
using storage::Bytes;
using storage::StoreError;
using storage::Transaction;

namespace {

constexpr std::string_view kEntryVersion = "entente-audit-v1";
constexpr std::string_view kCheckpointDomain = "entente-audit-checkpoint-v1";
constexpr size_t kCheckpointSize = 8 + 32 + 8 + 64 + 32;
constexpr std::string_view kRestore =
    ". The log was altered or damaged: keep this copy as evidence and restore the store from a backup";

// ---- small encodings -------------------------------------------------------------

AuditHash hashOf(std::string_view bytes) {
  AuditHash hash;
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  return hash;
}

template <size_t N>
std::string hexOf(const std::array<uint8_t, N>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// Lower-case only, exactly 2N digits: one spelling per value.
template <size_t N>
bool parseHex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (size_t i = 0; i < N; ++i) {
    int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// Decimal without sign, '+' or leading zeros.
bool parseU64(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t next = out * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != out) return false;
    out = next;
  }
  return true;
}

bool parseI64(std::string_view text, int64_t& out) {
  bool negative = !text.empty() && text[0] == '-';
  uint64_t magnitude;
  if (!parseU64(negative ? text.substr(1) : text, magnitude)) return false;
  if (negative && magnitude == 0) return false;
  if (magnitude > (negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return false;
  out = negative ? static_cast<int64_t>(~magnitude + 1) : static_cast<int64_t>(magnitude);
  return true;
}

void putU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift);
}

uint64_t getU64(Bytes bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = value << 8 | bytes[i];
  return value;
}

std::string isoTime(int64_t unix) {
  std::time_t t = static_cast<std::time_t>(unix);
  std::tm utc;
  char text[32];
  if (gmtime_r(&t, &utc) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) {
    return std::to_string(unix);
  }
  return text;
}

// Replaces each byte that does not start a valid UTF-8 sequence with U+FFFD.
std::string validUtf8(std::string_view in) {
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<uint8_t>(in[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool good = length != 0 && i + length <= in.size();
    uint32_t point = c & (0xFF >> (length + 1));
    for (size_t k = 1; good && k < length; ++k) {
      auto d = static_cast<uint8_t>(in[i + k]);
      good = (d & 0xC0) == 0x80;
      point = point << 6 | (d & 0x3F);
    }
    good = good && point >= kMinimum[length] && point <= 0x10FFFF && (point < 0xD800 || point > 0xDFFF);
    if (good) {
      out.append(in.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// ---- entry bytes (see the header) ----------------------------------------------

void appendField(std::string& out, std::string_view text) {
  out += '\t';
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

bool parseField(std::string_view raw, std::string& out) {
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\n' || c == '\r') return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == raw.size()) return false;
    switch (raw[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: return false;
    }
  }
  return true;
}

std::string encodeEntry(const AuditEntry& e) {
  std::string out(kEntryVersion);
  out += '\t' + std::to_string(e.seq) + '\t' + std::to_string(e.timeUnix);
  appendField(out, e.action);
  appendField(out, e.actor);
  appendField(out, e.outcome);
  for (auto& [key, value] : e.details) {
    appendField(out, key);
    appendField(out, value);
  }
  out += '\t' + hexOf(e.prevHash);
  return out;
}

// Strict: accepts only what encodeEntry() writes. Does not set e.hash.
bool decodeEntry(std::string_view bytes, AuditEntry& e, std::string& why) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t tab = bytes.find('\t', start);
    fields.push_back(bytes.substr(start, tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (fields.size() < 7 || fields.size() % 2 == 0) return why = "it has a wrong number of fields", false;
  if (fields[0] != kEntryVersion) return why = "it is not a version 1 entry", false;
  if (!parseU64(fields[1], e.seq)) return why = "its number is not a number", false;
  if (!parseI64(fields[2], e.timeUnix)) return why = "its time is not a number", false;
  std::string text[3];
  for (int i = 0; i < 3; ++i) {
    if (!parseField(fields[3 + i], text[i])) return why = "a field is wrongly escaped", false;
  }
  e.action = std::move(text[0]);
  e.actor = std::move(text[1]);
  e.outcome = std::move(text[2]);
  e.details.clear();
  for (size_t i = 6; i + 1 < fields.size(); i += 2) {
    std::string key, value;
    if (!parseField(fields[i], key) || !parseField(fields[i + 1], value)) {
      return why = "a detail is wrongly escaped", false;
    }
    e.details.emplace_back(std::move(key), std::move(value));
  }
  if (!parseHex(fields.back(), e.prevHash)) return why = "its previous hash is not 64 hex digits", false;
  if (encodeEntry(e) != bytes) return why = "it is not in canonical form", false;
  return true;
}

// A stored entry: entry bytes || their hash. Decodes without judging the hash.
bool decodeStored(Bytes stored, AuditEntry& e, std::string& why) {
  if (stored.size() < 32) return why = "it is truncated", false;
  std::copy(stored.end() - 32, stored.end(), e.hash.begin());
  return decodeEntry(storage::textOf(stored.first(stored.size() - 32)), e, why);
}

// ---- checkpoints -----------------------------------------------------------------

std::string checkpointMessage(uint64_t count, const AuditHash& head, int64_t timeUnix) {
  std::string message(kCheckpointDomain);
  putU64(message, count);
  message.append(reinterpret_cast<const char*>(head.data()), head.size());
  putU64(message, static_cast<uint64_t>(timeUnix));
  return message;
}

bool signatureHolds(const AuditCheckpoint& c) {
  return crypto::verifySignature(c.signer, storage::bytesOf(checkpointMessage(c.count, c.headHash, c.timeUnix)),
                                 c.signature);
}

std::string encodeCheckpoint(const AuditCheckpoint& c) {
  std::string out;
  putU64(out, c.count);
  out.append(reinterpret_cast<const char*>(c.headHash.data()), c.headHash.size());
  putU64(out, static_cast<uint64_t>(c.timeUnix));
  out.append(reinterpret_cast<const char*>(c.signature.data()), c.signature.size());
  out.append(reinterpret_cast<const char*>(c.signer.data()), c.signer.size());
  return out;
}

bool decodeCheckpoint(Bytes b, AuditCheckpoint& c) {
  if (b.size() != kCheckpointSize) return false;
  c.count = getU64(b.subspan(0, 8));
  std::copy_n(b.begin() + 8, 32, c.headHash.begin());
  c.timeUnix = static_cast<int64_t>(getU64(b.subspan(40, 8)));
  std::copy_n(b.begin() + 48, 64, c.signature.begin());
  std::copy_n(b.begin() + 112, 32, c.signer.begin());
  return true;
}

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
                     std::string(kRestore));
  }
  if (count == 0) return {};
  if (!AuditStore::read(txn, count, stored) || stored.size() < 32) {
    throw StoreError("the audit log holds " + std::to_string(count) + " entries but entry " + std::to_string(count) +
                     " is missing or truncated; run `entente audit verify`" + std::string(kRestore));
  }
  return hashOf(storage::textOf(stored.first(stored.size() - 32)));
}

// Why stored entry `seq` does not verify after an entry whose hash is `prev`.
std::optional<std::string> checkStoredEntry(Bytes stored, uint64_t seq, const AuditHash& prev, AuditHash& hash) {
  std::string n = "entry " + std::to_string(seq), why;
  if (stored.size() < 32) return n + " is truncated";
  hash = hashOf(storage::textOf(stored.first(stored.size() - 32)));
  if (!std::equal(hash.begin(), hash.end(), stored.end() - 32)) {
    return n + " was altered: its content does not match the hash stored with it";
  }
  AuditEntry e;
  if (!decodeStored(stored, e, why)) return n + " is not a well-formed audit entry: " + why;
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

// ---- JSON lines: the writer and a reader for exactly what it writes --------------

void appendJson(std::string& out, std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          out += "\\u00";
          out += kDigits[c >> 4];
          out += kDigits[c & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string headerLine(std::string_view node, const crypto::PublicKey& key) {
  std::string out = R"({"type":"header","version":1,"node":)";
  appendJson(out, node);
  out += R"(,"publicKey":")" + hexOf(key) + R"(","fingerprint":)";
  appendJson(out, crypto::fingerprintOf(key));
  return out + '}';
}

std::string entryLine(const AuditEntry& e) {
  std::string out = R"({"type":"entry","seq":)" + std::to_string(e.seq) + R"(,"time":)" + std::to_string(e.timeUnix);
  out += R"(,"action":)";
  appendJson(out, e.action);
  out += R"(,"actor":)";
  appendJson(out, e.actor);
  out += R"(,"outcome":)";
  appendJson(out, e.outcome);
  out += R"(,"details":{)";
  for (size_t i = 0; i < e.details.size(); ++i) {
    if (i > 0) out += ',';
    appendJson(out, e.details[i].first);
    out += ':';
    appendJson(out, e.details[i].second);
  }
  out += R"(},"prevHash":")" + hexOf(e.prevHash) + R"(","hash":")" + hexOf(e.hash) + R"("})";
  return out;
}

std::string checkpointLine(const AuditCheckpoint& c) {
  return R"({"type":"checkpoint","count":)" + std::to_string(c.count) + R"(,"headHash":")" + hexOf(c.headHash) +
         R"(","time":)" + std::to_string(c.timeUnix) + R"(,"signature":")" + hexOf(c.signature) + R"("})";
}

struct JsonValue {
  enum class Kind { STRING, INTEGER, OBJECT } kind = Kind::STRING;
  std::string text;  // a string's value, or an integer as written
  Details members;   // an object's string members, in order
};
using JsonObject = std::vector<std::pair<std::string, JsonValue>>;

// One object of strings, integers and objects of strings, filling the whole line.
class JsonLineReader {
 public:
  explicit JsonLineReader(std::string_view text) : text_(text) {}

  bool read(JsonObject& out, std::string& why) {
    bool ok = readObject([&](std::string key) {
      JsonValue value;
      if (!readValue(value)) return false;
      out.emplace_back(std::move(key), std::move(value));
      return true;
    });
    if (ok && pos_ != text_.size()) ok = fail("text after the object");
    why = why_;
    return ok;
  }

 private:
  bool fail(const char* what) {
    why_ = std::string(what) + " at column " + std::to_string(pos_ + 1);
    return false;
  }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool eat(char c) { return at(c) ? (++pos_, true) : false; }

  template <typename Member>
  bool readObject(Member&& member) {
    if (!eat('{')) return fail("expected '{'");
    if (eat('}')) return true;
    do {
      std::string key;
      if (!readString(key)) return false;
      if (!eat(':')) return fail("expected ':'");
      if (!member(std::move(key))) return false;
    } while (eat(','));
    return eat('}') || fail("expected ',' or '}'");
  }

  bool readValue(JsonValue& value) {
    if (at('"')) return readString(value.text);
    if (at('{')) {
      value.kind = JsonValue::Kind::OBJECT;
      return readObject([&](std::string key) {
        std::string text;
        if (!readString(text)) return false;
        value.members.emplace_back(std::move(key), std::move(text));
        return true;
      });
    }
    value.kind = JsonValue::Kind::INTEGER;
    size_t start = pos_;
    eat('-');
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    value.text = text_.substr(start, pos_ - start);
    return (pos_ > start && value.text != "-") || fail("expected a string, an integer or an object");
  }

  bool readString(std::string& out) {
    if (!eat('"')) return fail("expected '\"'");
    while (pos_ < text_.size()) {
      auto c = static_cast<uint8_t>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return fail("a control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (pos_ == text_.size()) break;
      switch (char e = text_[pos_++]) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::array<uint8_t, 2> code;
          if (pos_ + 4 > text_.size() || !parseHex(text_.substr(pos_, 4), code)) return fail("a bad \\u escape");
          pos_ += 4;
          uint32_t point = code[0] << 8 | code[1];
          if (point >= 0xD800 && point <= 0xDFFF) return fail("a surrogate \\u escape");
          if (point < 0x80) {
            out += static_cast<char>(point);
          } else if (point < 0x800) {
            out += static_cast<char>(0xC0 | point >> 6);
            out += static_cast<char>(0x80 | (point & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | point >> 12);
            out += static_cast<char>(0x80 | (point >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (point & 0x3F));
          }
          break;
        }
        default: return fail("an unknown escape");
      }
    }
    return fail("an unterminated string");
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string why_;
};

// Typed access to the members of one line; each getter sets `why` when it fails.
class JsonFields {
 public:
  JsonFields(const JsonObject& object, std::string& why) : object_(object), why_(why) {}

  const JsonValue* find(std::string_view name, JsonValue::Kind kind) {
    for (auto& [key, value] : object_) {
      if (key == name && value.kind == kind) return &value;
    }
    why_ = "no valid \"" + std::string(name) + "\"";
    return nullptr;
  }
  bool text(std::string_view name, std::string& out) {
    auto v = find(name, JsonValue::Kind::STRING);
    return v != nullptr && (out = v->text, true);
  }
  bool u64(std::string_view name, uint64_t& out) {
    auto v = find(name, JsonValue::Kind::INTEGER);
    return v != nullptr && (parseU64(v->text, out) || bad(name));
  }
  bool i64(std::string_view name, int64_t& out) {
    auto v = find(name, JsonValue::Kind::INTEGER);
    return v != nullptr && (parseI64(v->text, out) || bad(name));
  }
  template <size_t N>
  bool hex(std::string_view name, std::array<uint8_t, N>& out) {
    auto v = find(name, JsonValue::Kind::STRING);
    return v != nullptr && (parseHex(v->text, out) || bad(name));
  }
  bool members(std::string_view name, Details& out) {
    auto v = find(name, JsonValue::Kind::OBJECT);
    return v != nullptr && (out = v->members, true);
  }

 private:
  bool bad(std::string_view name) {
    why_ = "a malformed \"" + std::string(name) + "\"";
    return false;
  }
  const JsonObject& object_;
  std::string& why_;
};

// Where an unreadable line belongs: a checkpoint line keeps at least two of these
// after any one changed byte; an entry line has none unless its details name them.
bool looksLikeCheckpoint(std::string_view line) {
  int marks = 0;
  for (std::string_view mark : {R"({"type":"checkpoint",)", R"(,"headHash":")", R"(,"signature":")"}) {
    marks += line.find(mark) != std::string_view::npos;
  }
  return marks >= 2;
}

}  // namespace

// ---- the trail ---------------------------------------------------------------------

AuditTrail::AuditTrail(storage::Environment& env, const crypto::NodeIdentity& identity, uint64_t checkpointEvery,
                       Clock clock)
    : env_(env), identity_(identity), checkpointEvery_(checkpointEvery), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

uint64_t AuditTrail::append(std::string_view action, std::string_view actor, std::string_view outcome,
                            const Details& details) {
  AuditEntry e;
  e.action = validUtf8(action);
  e.actor = validUtf8(actor);
  e.outcome = validUtf8(outcome);
  for (auto& [key, value] : details) e.details.emplace_back(validUtf8(key), validUtf8(value));

  std::lock_guard<std::mutex> lock(mutex_);
  try {
    Transaction txn(env_, Transaction::Mode::WRITE);
    uint64_t count = AuditStore::count(txn);
    if (!headKnown_ || headCount_ != count) {
      head_ = storedHead(txn, count);
      headCount_ = count;
      headKnown_ = true;
    }
    e.seq = count + 1;
    e.timeUnix = clock_();
    e.prevHash = head_;
    std::string bytes = encodeEntry(e);
    e.hash = hashOf(bytes);
    bytes.append(reinterpret_cast<const char*>(e.hash.data()), e.hash.size());
    AuditStore::append(txn, e.seq, storage::bytesOf(bytes));
    if (checkpointEvery_ != 0 && e.seq % checkpointEvery_ == 0) {
      writeCheckpoint(txn, identity_, e.seq, e.hash, e.timeUnix);
    }
    txn.commit();
  } catch (const StoreError& error) {
    throw StoreError("cannot record " + e.action + " in the audit log, so it must not proceed: " + error.what());
  }
  head_ = e.hash;
  headCount_ = e.seq;
  return e.seq;
}

void AuditTrail::checkpoint() {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction txn(env_, Transaction::Mode::WRITE);
  uint64_t count = AuditStore::count(txn);
  uint64_t last = 0;
  Bytes ignored;
  if (count == 0 || (AuditStore::lastCheckpoint(txn, last, ignored) && last == count)) return;
  if (!headKnown_ || headCount_ != count) {
    head_ = storedHead(txn, count);
    headCount_ = count;
    headKnown_ = true;
  }
  writeCheckpoint(txn, identity_, count, head_, clock_());
  txn.commit();
}

VerifyReport AuditTrail::verify() const {
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
                  " are missing, though the checkpoint signed at " + isoTime(c.timeUnix) +
                  " covers them: they were deleted after it was signed";
      }
    }
  } catch (const StoreError& error) {
    problem = error.what();
  }
  if (problem) {
    report.firstBadEntry = expected;
    report.reason = *problem + std::string(kRestore);
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

void AuditTrail::exportJsonl(std::ostream& out, int64_t sinceUnix) const {
  Transaction txn(env_, Transaction::Mode::READ);
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
  out << headerLine(identity_.nodeName(), identity_.publicKey()) << '\n';
  bool started = false;
  AuditStore::forEach(txn, 1, [&](uint64_t seq, Bytes value) {
    AuditEntry e;
    std::string why;
    if (!decodeStored(value, e, why)) {
      throw StoreError("audit entry " + std::to_string(seq) + " is damaged (" + why +
                       ") and cannot be exported; run `entente audit verify`");
    }
    if (!started) {
      if (e.timeUnix < sinceUnix) return true;
      started = true;
      writeCheckpointAt(seq - 1);
    }
    out << entryLine(e) << '\n';
    writeCheckpointAt(seq);
    return true;
  });
}

std::string AuditTrail::exportJsonl(int64_t sinceUnix) const {
  std::ostringstream out;
  exportJsonl(out, sinceUnix);
  return out.str();
}

VerifyReport AuditTrail::verifyExport(std::istream& in, std::optional<crypto::PublicKey> expectedKey) {
  VerifyReport report;
  std::optional<uint64_t> nextSeq;  // known after the first entry, or an anchoring checkpoint
  auto fail = [&](std::optional<uint64_t> at, std::string why) {
    report.ok = false;
    report.firstBadEntry = at;
    report.reason = std::move(why);
    return report;
  };

  std::string line, why;
  JsonObject object;
  crypto::PublicKey key;
  {
    std::string node;
    JsonFields fields(object, why);
    if (!std::getline(in, line)) {
      return fail(std::nullopt, "the export is empty; write it again with `entente audit export`");
    }
    if (!JsonLineReader(line).read(object, why) || !fields.text("node", node) || !fields.hex("publicKey", key) ||
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
    object.clear();
    why.clear();
    JsonFields fields(object, why);
    std::string type;
    auto unreadableAt = report.entries > 0 && looksLikeCheckpoint(line) ? std::optional(lastSeq) : nextSeq;
    if (!JsonLineReader(line).read(object, why) || !fields.text("type", type)) {
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
      if (hashOf(encodeEntry(e)) != e.hash) {
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

std::optional<AuditEntry> AuditTrail::read(uint64_t seq) const {
  Transaction txn(env_, Transaction::Mode::READ);
  Bytes stored;
  if (!AuditStore::read(txn, seq, stored)) return std::nullopt;
  AuditEntry e;
  std::string why;
  if (!decodeStored(stored, e, why)) {
    throw StoreError("audit entry " + std::to_string(seq) + " is damaged (" + why + "); run `entente audit verify`");
  }
  return e;
}

std::vector<AuditCheckpoint> AuditTrail::checkpoints() const {
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
