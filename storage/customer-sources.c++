#include "storage/customer-sources.h"

#include "storage/compact-codec.h"
#include "storage/record-codec.h"
#include "storage/records.capnp.h"
#include "storage/terms.h"

namespace entente::storage {

void CustomerSources::note(Transaction& txn, uint64_t customerKey, const CustomerSourceEntry& entry) {
  auto entries = read(txn, customerKey);
  bool known = false;
  for (auto& e : entries) {
    if (e.source != entry.source) continue;
    known = true;
    e.lastAtUnix = entry.lastAtUnix;
    e.lastLine = entry.lastLine;
    e.mapping = entry.mapping;
    e.actor = entry.actor;
  }
  if (!known) {
    entries.push_back(entry);
    entries.back().firstAtUnix = entry.lastAtUnix;
  }
  CompactWriter w;
  w.unsignedNumber(entries.size());
  for (auto& e : entries) {
    writeTerm(txn, w, e.source);
    writeTerm(txn, w, e.mapping);
    writeTerm(txn, w, e.actor);
    w.signedNumber(e.firstAtUnix);
    w.signedNumber(e.lastAtUnix);
    w.unsignedNumber(e.lastLine);
  }
  auto key = encodeKey(customerKey);
  txn.put(Table::CUSTOMER_SOURCES, {key.data(), key.size()}, bytesOf(w.bytes()));
}

std::vector<CustomerSourceEntry> CustomerSources::read(const Transaction& txn, uint64_t customerKey) {
  std::vector<CustomerSourceEntry> out;
  auto key = encodeKey(customerKey);
  Bytes value;
  if (!txn.get(Table::CUSTOMER_SOURCES, {key.data(), key.size()}, value)) return out;
  if (isCompact(value)) {
    CompactReader r(value, "customer's sources");
    for (uint64_t n = r.count(6); n > 0; --n) {
      CustomerSourceEntry& e = out.emplace_back();
      e.source = readTerm(txn, r);
      e.mapping = readTerm(txn, r);
      e.actor = readTerm(txn, r);
      e.firstAtUnix = r.signedNumber();
      e.lastAtUnix = r.signedNumber();
      e.lastLine = r.unsignedNumber();
    }
    if (!r.done()) r.damaged();
    return out;
  }
  // Written by an earlier release as canonical Cap'n Proto; compact from its next change.
  StoredRecord<schema::CustomerSources> stored(value);
  for (auto s : stored.get().getSources()) {
    out.push_back({s.getSource(), s.getMapping(), s.getActor(), s.getFirstAtUnix(), s.getLastAtUnix(),
                   s.getLastLine()});
  }
  return out;
}

void CustomerSources::erase(Transaction& txn, uint64_t customerKey) {
  auto key = encodeKey(customerKey);
  txn.erase(Table::CUSTOMER_SOURCES, {key.data(), key.size()});
}

}  // namespace entente::storage
