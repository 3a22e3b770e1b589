#include "storage/customer-sources.h"

#include "storage/record-codec.h"
#include "storage/records.capnp.h"

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
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<schema::CustomerSources>().initSources(static_cast<unsigned>(entries.size()));
  for (unsigned i = 0; i < entries.size(); ++i) {
    list[i].setSource(entries[i].source);
    list[i].setMapping(entries[i].mapping);
    list[i].setActor(entries[i].actor);
    list[i].setFirstAtUnix(entries[i].firstAtUnix);
    list[i].setLastAtUnix(entries[i].lastAtUnix);
    list[i].setLastLine(entries[i].lastLine);
  }
  auto words = encodeRecord(message.getRoot<schema::CustomerSources>().asReader());
  auto key = encodeKey(customerKey);
  txn.put(Table::CUSTOMER_SOURCES, {key.data(), key.size()}, bytesOf(words));
}

std::vector<CustomerSourceEntry> CustomerSources::read(const Transaction& txn, uint64_t customerKey) {
  std::vector<CustomerSourceEntry> out;
  auto key = encodeKey(customerKey);
  Bytes value;
  if (!txn.get(Table::CUSTOMER_SOURCES, {key.data(), key.size()}, value)) return out;
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
