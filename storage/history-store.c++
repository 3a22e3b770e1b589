#include "storage/history-store.h"

#include <capnp/message.h>

#include <algorithm>
#include <vector>

namespace entente::storage {
namespace {

constexpr size_t kPlaceBytes = 12;  // customer key || day

// The day with its sign bit flipped, big-endian: unsigned byte order is then date
// order, dates before 1970 included.
void appendDay(std::string& out, int32_t day) {
  uint32_t biased = static_cast<uint32_t>(day) ^ 0x80000000u;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(biased >> shift));
}

int32_t readDay(Bytes b) {
  uint32_t biased = 0;
  for (uint8_t byte : b) biased = biased << 8 | byte;
  return static_cast<int32_t>(biased ^ 0x80000000u);
}

std::string placeBytes(uint64_t customerKey, int32_t day) {
  auto prefix = encodeKey(customerKey);
  std::string out(prefix.begin(), prefix.end());
  appendDay(out, day);
  return out;
}

// customer key || day || event id, padded with NUL bytes to a multiple of 8. Event ids
// hold no NUL, so the padding cannot make two ids one key, and the order of the padded
// keys is the order of the ids.
std::string historyKey(uint64_t customerKey, int32_t day, std::string_view eventId) {
  std::string key = placeBytes(customerKey, day);
  key.append(eventId);
  key.resize((key.size() + 7) / 8 * 8, '\0');
  return key;
}

void checkEvent(const HistoryEvent& event) {
  if (event.eventId.empty()) throw StoreError("a history event without event_id cannot be stored");
  if (event.eventId.size() > kMaxEventIdBytes) {
    throw StoreError("an event_id is longer than " + std::to_string(kMaxEventIdBytes) + " bytes");
  }
  if (event.eventId.find('\0') != std::string::npos) throw StoreError("an event_id holds a NUL byte");
  if (event.amountMinor && *event.amountMinor < 0) {
    throw StoreError("a history event's amount is negative (a return is stored with a positive amount)");
  }
  auto type = static_cast<uint8_t>(event.type);
  if (type < static_cast<uint8_t>(HistoryEventType::PURCHASE) || type > static_cast<uint8_t>(HistoryEventType::CONTACT)) {
    throw StoreError("a history event has an unknown type");
  }
}

bool sameContent(schema::HistoryEvent::Reader stored, const HistoryEvent& event) {
  auto text = [](capnp::Text::Reader t) { return std::string_view(t.begin(), t.size()); };
  return text(stored.getEventId()) == event.eventId && stored.getDateDays() == event.dateDays &&
         stored.getType() == static_cast<uint8_t>(event.type) && stored.getHasAmount() == event.amountMinor.has_value() &&
         stored.getAmountMinor() == event.amountMinor.value_or(0) && text(stored.getCurrency()) == event.currency &&
         text(stored.getCategory()) == event.category && text(stored.getChannel()) == event.channel;
}

kj::Array<capnp::word> encodeEvent(const HistoryEvent& event) {
  capnp::MallocMessageBuilder message;
  auto record = message.initRoot<schema::HistoryEvent>();
  record.setEventId(event.eventId);
  record.setDateDays(event.dateDays);
  record.setType(static_cast<uint8_t>(event.type));
  record.setHasAmount(event.amountMinor.has_value());
  record.setAmountMinor(event.amountMinor.value_or(0));
  record.setCurrency(event.currency);
  record.setCategory(event.category);
  record.setChannel(event.channel);
  record.setImportedAtUnix(event.importedAtUnix);
  record.setSource(event.source);
  return encodeRecord(record.asReader());
}

[[noreturn]] void damaged() {
  throw StoreError("the history's event index points to a missing event: the store is damaged; restore it from a "
                   "backup");
}

}  // namespace

const char* historyEventTypeName(HistoryEventType type) {
  switch (type) {
    case HistoryEventType::PURCHASE: return "purchase";
    case HistoryEventType::RETURN: return "return";
    case HistoryEventType::COMPLAINT: return "complaint";
    case HistoryEventType::COMPLAINT_RESOLVED: return "complaint_resolved";
    case HistoryEventType::CONTACT: return "contact";
  }
  return "?";
}

UpsertOutcome HistoryStore::upsert(Transaction& txn, uint64_t customerKey, const HistoryEvent& event) {
  checkEvent(event);
  auto newKey = historyKey(customerKey, event.dateDays, event.eventId);
  auto place = locate(txn, event.eventId);
  if (place) {
    auto oldKey = historyKey(place->customerKey, place->dateDays, event.eventId);
    Bytes old;
    if (!txn.get(Table::HISTORY, bytesOf(oldKey), old)) damaged();
    if (oldKey == newKey) {
      StoredRecord<schema::HistoryEvent> stored(old);
      if (sameContent(stored.get(), event)) return UpsertOutcome::UNCHANGED;
    } else {
      // The ERP moved the event to another customer or date: one event, one entry.
      txn.erase(Table::HISTORY, bytesOf(oldKey));
    }
  }
  auto encoded = encodeEvent(event);
  txn.put(Table::HISTORY, bytesOf(newKey), bytesOf(encoded));
  txn.put(Table::HISTORY_EVENT_IDS, bytesOf(event.eventId), bytesOf(placeBytes(customerKey, event.dateDays)));
  return place ? UpsertOutcome::UPDATED : UpsertOutcome::INSERTED;
}

std::optional<HistoryEventPlace> HistoryStore::locate(const Transaction& txn, std::string_view eventId) {
  if (eventId.empty() || eventId.size() > kMaxEventIdBytes) return std::nullopt;
  Bytes stored;
  if (!txn.get(Table::HISTORY_EVENT_IDS, bytesOf(eventId), stored)) return std::nullopt;
  if (stored.size() != kPlaceBytes) damaged();
  return HistoryEventPlace{decodeKey(stored.first(8)), readDay(stored.subspan(8))};
}

void HistoryStore::forCustomer(const Transaction& txn, uint64_t customerKey,
                               const std::function<void(schema::HistoryEvent::Reader)>& visit) {
  auto prefix = encodeKey(customerKey);
  Cursor cursor(txn, Table::HISTORY);
  for (bool ok = cursor.seek(Bytes(prefix)); ok; ok = cursor.next()) {
    auto key = cursor.key();
    if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
    StoredRecord<schema::HistoryEvent> record(cursor.value());
    visit(record.get());
  }
}

uint64_t HistoryStore::eraseCustomer(Transaction& txn, uint64_t customerKey) {
  // Collected first: the cursor would not survive the deletes under it.
  std::vector<std::string> keys, eventIds;
  auto prefix = encodeKey(customerKey);
  {
    Cursor cursor(txn, Table::HISTORY);
    for (bool ok = cursor.seek(Bytes(prefix)); ok; ok = cursor.next()) {
      auto key = cursor.key();
      if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
      StoredRecord<schema::HistoryEvent> record(cursor.value());
      keys.emplace_back(textOf(key));
      auto id = record.get().getEventId();
      eventIds.emplace_back(id.begin(), id.size());
    }
  }
  for (auto& key : keys) txn.erase(Table::HISTORY, bytesOf(key));
  for (auto& id : eventIds) txn.erase(Table::HISTORY_EVENT_IDS, bytesOf(id));
  return keys.size();
}

uint64_t HistoryStore::count(const Transaction& txn) { return txn.entries(Table::HISTORY); }

HistoryEvent decodeHistoryEvent(schema::HistoryEvent::Reader record) {
  auto text = [](capnp::Text::Reader t) { return std::string(t.begin(), t.size()); };
  HistoryEvent event;
  event.eventId = text(record.getEventId());
  event.dateDays = record.getDateDays();
  event.type = static_cast<HistoryEventType>(record.getType());
  if (record.getHasAmount()) event.amountMinor = record.getAmountMinor();
  event.currency = text(record.getCurrency());
  event.category = text(record.getCategory());
  event.channel = text(record.getChannel());
  event.importedAtUnix = record.getImportedAtUnix();
  event.source = text(record.getSource());
  return event;
}

}  // namespace entente::storage
