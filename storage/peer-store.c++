#include "storage/peer-store.h"

#include "storage/record-codec.h"

#include <capnp/message.h>

#include <algorithm>

namespace entente::storage {
namespace {

std::vector<std::string> texts(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

void setTexts(capnp::List<capnp::Text>::Builder out, const std::vector<std::string>& in) {
  for (unsigned i = 0; i < in.size(); ++i) out.set(i, in[i]);
}

PeerEntry decode(Bytes bytes) {
  StoredRecord<schema::Peer> record(bytes);
  auto peer = record.get();
  PeerEntry entry;
  entry.name = peer.getName().cStr();
  entry.address = peer.getAddress().cStr();
  entry.addedAtUnix = peer.getAddedAtUnix();
  auto key = peer.getPublicKey();
  if (key.size() == entry.publicKey.size()) std::copy(key.begin(), key.end(), entry.publicKey.begin());
  entry.revoked = peer.getRevoked();
  entry.revokedAtUnix = peer.getRevokedAtUnix();
  if (peer.hasPolicy()) {
    auto p = peer.getPolicy();
    entry.policy.purposes = texts(p.getPurposes());
    entry.policy.modes = texts(p.getModes());
    entry.policy.minQueryCustomers = p.getMinQueryCustomers();
    entry.policy.maxQueryCustomers = p.getMaxQueryCustomers();
    entry.policy.sessionsPerDay = p.getSessionsPerDay();
    entry.policy.customersPerDay = p.getCustomersPerDay();
    entry.policy.minReportableOverlap = p.getMinReportableOverlap();
    entry.policy.offeredAttributes = texts(p.getOfferedAttributes());
    entry.policy.requireNoise = p.getRequireNoise();
    if (p.getHasMonthlyEpsilon()) entry.policy.monthlyEpsilon = p.getMonthlyEpsilon();
  }
  entry.offeredPurposes = texts(peer.getOfferedPurposes());
  switch (peer.getInvitedBy()) {
    case schema::Peer::Inviter::THIS_NODE: entry.invitedBy = PeerEntry::Inviter::THIS_NODE; break;
    case schema::Peer::Inviter::PARTNER: entry.invitedBy = PeerEntry::Inviter::PARTNER; break;
    default: entry.invitedBy = PeerEntry::Inviter::UNKNOWN; break;
  }
  return entry;
}

std::string usageKey(std::string_view name, std::string_view day) {
  std::string key(name);
  key.push_back('\0');
  key.append(day);
  return key;
}

}  // namespace

void PeerStore::put(Transaction& txn, const PeerEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto peer = message.initRoot<schema::Peer>();
  peer.setName(entry.name);
  peer.setAddress(entry.address);
  peer.setAddedAtUnix(entry.addedAtUnix);
  peer.setPublicKey(capnp::Data::Reader(entry.publicKey.data(), entry.publicKey.size()));
  peer.setRevoked(entry.revoked);
  peer.setRevokedAtUnix(entry.revokedAtUnix);
  auto p = peer.initPolicy();
  setTexts(p.initPurposes(static_cast<unsigned>(entry.policy.purposes.size())), entry.policy.purposes);
  setTexts(p.initModes(static_cast<unsigned>(entry.policy.modes.size())), entry.policy.modes);
  p.setMinQueryCustomers(entry.policy.minQueryCustomers);
  p.setMaxQueryCustomers(entry.policy.maxQueryCustomers);
  p.setSessionsPerDay(entry.policy.sessionsPerDay);
  p.setCustomersPerDay(entry.policy.customersPerDay);
  p.setMinReportableOverlap(entry.policy.minReportableOverlap);
  setTexts(p.initOfferedAttributes(static_cast<unsigned>(entry.policy.offeredAttributes.size())),
           entry.policy.offeredAttributes);
  p.setRequireNoise(entry.policy.requireNoise);
  p.setMonthlyEpsilon(entry.policy.monthlyEpsilon);
  p.setHasMonthlyEpsilon(true);
  setTexts(peer.initOfferedPurposes(static_cast<unsigned>(entry.offeredPurposes.size())), entry.offeredPurposes);
  peer.setInvitedBy(entry.invitedBy == PeerEntry::Inviter::THIS_NODE ? schema::Peer::Inviter::THIS_NODE
                    : entry.invitedBy == PeerEntry::Inviter::PARTNER ? schema::Peer::Inviter::PARTNER
                                                                     : schema::Peer::Inviter::UNKNOWN);
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

std::optional<PeerEntry> PeerStore::findByKey(const Transaction& txn, const std::array<uint8_t, 32>& publicKey) {
  // Partners number in the tens: a scan is simpler than a second index to keep in step.
  for (auto& peer : list(txn)) {
    if (peer.publicKey == publicKey) return peer;
  }
  return std::nullopt;
}

std::vector<PeerEntry> PeerStore::list(const Transaction& txn) {
  std::vector<PeerEntry> peers;
  Cursor cursor(txn, Table::PEERS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) peers.push_back(decode(cursor.value()));
  return peers;
}

DailyUsage PeerStore::usage(const Transaction& txn, std::string_view name, std::string_view day) {
  Bytes stored;
  if (!txn.get(Table::PEER_USAGE, bytesOf(usageKey(name, day)), stored)) return {};
  StoredRecord<schema::DailyUsage> record(stored);
  return {record.get().getSessions(), record.get().getCustomers()};
}

void PeerStore::addUsage(Transaction& txn, std::string_view name, std::string_view day, uint64_t customers) {
  auto current = usage(txn, name, day);
  capnp::MallocMessageBuilder message;
  auto u = message.initRoot<schema::DailyUsage>();
  u.setSessions(current.sessions + 1);
  u.setCustomers(current.customers + customers);
  auto encoded = encodeRecord(u.asReader());
  txn.put(Table::PEER_USAGE, bytesOf(usageKey(name, day)), bytesOf(encoded));
}

}  // namespace entente::storage
