#include "node/audit/audit-entry.h"

#include <algorithm>
#include <map>

namespace entente::node {
namespace {

constexpr std::string_view kEntryVersion = "entente-audit-v1";
constexpr std::string_view kCheckpointDomain = "entente-audit-checkpoint-v1";
constexpr size_t kCheckpointSize = 8 + 32 + 8 + 64 + 32;

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

uint64_t getU64(storage::Bytes bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = value << 8 | bytes[i];
  return value;
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

}  // namespace

void cleanEntryText(AuditEntry& e) {
  e.action = validUtf8(e.action);
  e.actor = validUtf8(e.actor);
  e.outcome = validUtf8(e.outcome);
  std::map<std::string, int> seen;
  for (auto& [key, value] : e.details) {
    key = validUtf8(key);
    value = validUtf8(value);
    int n = ++seen[key];
    if (n > 1) {
      // Keep appending until the suffixed name is free too ("a.2" may be a key of its own).
      std::string renamed;
      do {
        renamed = key + "." + std::to_string(n++);
      } while (seen.count(renamed) > 0);
      seen[renamed] = 1;
      key = renamed;
    }
  }
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
  out += '\t' + crypto::hexOf(e.prevHash);
  return out;
}

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

bool decodeStoredEntry(storage::Bytes stored, AuditEntry& e, std::string& why) {
  if (stored.size() < 32) return why = "it is truncated", false;
  std::copy(stored.end() - 32, stored.end(), e.hash.begin());
  return decodeEntry(storage::textOf(stored.first(stored.size() - 32)), e, why);
}

AuditHash recomputedHash(storage::Bytes stored) {
  return crypto::blake2b256(stored.first(stored.size() < 32 ? 0 : stored.size() - 32));
}

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

bool decodeCheckpoint(storage::Bytes b, AuditCheckpoint& c) {
  if (b.size() != kCheckpointSize) return false;
  c.count = getU64(b.subspan(0, 8));
  std::copy_n(b.begin() + 8, 32, c.headHash.begin());
  c.timeUnix = static_cast<int64_t>(getU64(b.subspan(40, 8)));
  std::copy_n(b.begin() + 48, 64, c.signature.begin());
  std::copy_n(b.begin() + 112, 32, c.signer.begin());
  return true;
}

bool parseHex(std::string_view text, std::span<uint8_t> out) {
  if (text.size() != 2 * out.size()) return false;
  auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace entente::node
