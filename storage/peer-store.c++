#include "storage/peer-store.h"

#include "storage/record-codec.h"

#include <capnp/message.h>

namespace entente::storage {
namespace {

PeerEntry decode(Bytes bytes) {
  StoredRecord<schema::Peer> record(bytes);
  auto peer = record.get();
  return PeerEntry{peer.getName().cStr(), peer.getAddress().cStr(), peer.getAddedAtUnix()};
}

}  // namespace

void PeerStore::put(Transaction& txn, const PeerEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto peer = message.initRoot<schema::Peer>();
  peer.setName(entry.name);
  peer.setAddress(entry.address);
  peer.setAddedAtUnix(entry.addedAtUnix);
  auto encoded = encodeRecord(peer.asReader());
  txn.put(Table::PEERS, bytesOf(entry.name), bytesOf(encoded));
}

bool PeerStore::remove(Transaction& txn, std::string_view name) {
  return txn.erase(Table::PEERS, bytesOf(name));
}

std::optional<PeerEntry> PeerStore::find(const Transaction& txn, std::string_view name) {
  Bytes stored;
  if (!txn.get(Table::PEERS, bytesOf(name), stored)) return std::nullopt;
  return decode(stored);
}

std::vector<PeerEntry> PeerStore::list(const Transaction& txn) {
  std::vector<PeerEntry> peers;
  Cursor cursor(txn, Table::PEERS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) peers.push_back(decode(cursor.value()));
  return peers;
}

}  // namespace entente::storage
