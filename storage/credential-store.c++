#include "storage/credential-store.h"

#include "storage/record-codec.h"
#include "storage/records.capnp.h"

#include <capnp/message.h>

namespace entente::storage {
namespace {

TokenEntry decodeToken(Bytes bytes) {
  StoredRecord<schema::Token> record(bytes);
  auto t = record.get();
  return {t.getName().cStr(), t.getRole().cStr(), t.getCreatedAtUnix(), t.getRevoked()};
}

}  // namespace

void TokenStore::put(Transaction& txn, Bytes secretHash, const TokenEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto t = message.initRoot<schema::Token>();
  t.setName(entry.name);
  t.setRole(entry.role);
  t.setCreatedAtUnix(entry.createdAtUnix);
  t.setRevoked(entry.revoked);
  auto encoded = encodeRecord(t.asReader());
  txn.put(Table::TOKENS, secretHash, bytesOf(encoded));
}

std::optional<TokenEntry> TokenStore::find(const Transaction& txn, Bytes secretHash) {
  Bytes stored;
  if (!txn.get(Table::TOKENS, secretHash, stored)) return std::nullopt;
  return decodeToken(stored);
}

std::vector<TokenEntry> TokenStore::list(const Transaction& txn) {
  std::vector<TokenEntry> tokens;
  Cursor cursor(txn, Table::TOKENS);
  for (bool ok = cursor.first(); ok; ok = cursor.next()) tokens.push_back(decodeToken(cursor.value()));
  return tokens;
}

size_t TokenStore::revokeByName(Transaction& txn, std::string_view name) {
  std::vector<std::pair<std::string, TokenEntry>> matching;
  {
    Cursor cursor(txn, Table::TOKENS);
    for (bool ok = cursor.first(); ok; ok = cursor.next()) {
      auto token = decodeToken(cursor.value());
      if (token.name == name && !token.revoked) matching.emplace_back(std::string(textOf(cursor.key())), token);
    }
  }
  for (auto& [key, token] : matching) {
    token.revoked = true;
    put(txn, bytesOf(key), token);
  }
  return matching.size();
}

void InvitationStore::put(Transaction& txn, Bytes secretHash, const InvitationEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto i = message.initRoot<schema::Invitation>();
  auto purposes = i.initPurposes(static_cast<unsigned>(entry.purposes.size()));
  for (unsigned k = 0; k < entry.purposes.size(); ++k) purposes.set(k, entry.purposes[k]);
  i.setCreatedAtUnix(entry.createdAtUnix);
  i.setExpiresAtUnix(entry.expiresAtUnix);
  i.setUsedBy(entry.usedBy);
  auto encoded = encodeRecord(i.asReader());
  txn.put(Table::INVITATIONS, secretHash, bytesOf(encoded));
}

std::optional<InvitationEntry> InvitationStore::find(const Transaction& txn, Bytes secretHash) {
  Bytes stored;
  if (!txn.get(Table::INVITATIONS, secretHash, stored)) return std::nullopt;
  StoredRecord<schema::Invitation> record(stored);
  auto i = record.get();
  InvitationEntry entry;
  for (auto p : i.getPurposes()) entry.purposes.emplace_back(p.cStr());
  entry.createdAtUnix = i.getCreatedAtUnix();
  entry.expiresAtUnix = i.getExpiresAtUnix();
  entry.usedBy = i.getUsedBy().cStr();
  return entry;
}

}  // namespace entente::storage
