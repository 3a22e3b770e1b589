#include "node/import/history-import.h"

#include "node/import/event-date.h"
#include "node/import/field-text.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"
#include "text/date-reading.h"

#include <algorithm>
#include <map>
#include <optional>

namespace entente::node {
namespace {

// The documented maximums (docs/operations.md, "A daily ERP feed").
constexpr size_t kMaxCustomerIdBytes = 128;
constexpr size_t kMaxTextBytes = 256;
// More would not fit an Int64 of hundredths; no purchase comes near.
constexpr size_t kMaxAmountDigits = 15;

using Columns = std::map<std::string, std::string_view, std::less<>>;

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool allDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<storage::HistoryEventType> readType(std::string_view text) {
  using T = storage::HistoryEventType;
  auto name = lowerAscii(text);
  for (auto type : {T::PURCHASE, T::RETURN, T::COMPLAINT, T::COMPLAINT_RESOLVED, T::CONTACT}) {
    if (name == storage::historyEventTypeName(type)) return type;
  }
  return std::nullopt;
}

// "1234", "1234.5", "1234,50" -> hundredths. One separator at most, with digits on
// both sides: "1.234,56" and "1,234" (thousands separators) are refused, not guessed.
std::optional<std::string> readAmount(std::string_view text, int64_t& hundredths) {
  auto separator = text.find_first_of(".,");
  auto units = text.substr(0, separator);
  auto decimals = separator == std::string_view::npos ? std::string_view() : text.substr(separator + 1);
  bool wellFormed = !units.empty() && allDigits(units) && allDigits(decimals) &&
                    (separator == std::string_view::npos || !decimals.empty());
  if (!wellFormed) {
    return std::string("amount must be digits with at most two decimals after '.' or ',' (e.g. 1234.50), without "
                       "sign, currency symbol or thousands separator; correct the file and import the row again");
  }
  if (decimals.size() > 2) {
    return std::string("amount has more than two digits after its decimal separator (or a thousands separator); "
                       "write it with at most two decimals, e.g. 1234.50");
  }
  if (units.size() > kMaxAmountDigits) return std::string("amount is longer than 15 digits before its decimals");
  int64_t value = 0;
  for (char c : units) value = value * 10 + (c - '0');
  int64_t cents = 0;
  for (size_t i = 0; i < 2; ++i) cents = cents * 10 + (i < decimals.size() ? decimals[i] - '0' : 0);
  hundredths = value * 100 + cents;
  return std::nullopt;
}

std::optional<std::string> check(protocol::control::ImportRow::Reader row, std::string_view dateFormat, std::string& customerId,
                                 storage::HistoryEvent& event) {
  Columns columns;
  for (auto field : row.getFields()) {
    auto name = fieldText(field.getName());
    if (!isHistoryColumn(name)) continue;  // an ERP export has many more columns
    auto value = trimField(fieldText(field.getValue()));
    if (auto bad = controlCharacterIn(name, value, false)) return bad;
    columns[std::string(name)] = value;
  }
  auto get = [&](std::string_view name) {
    auto it = columns.find(name);
    return it == columns.end() ? std::string_view() : it->second;
  };

  customerId = get("customer_id");
  if (customerId.empty()) return "customer_id is empty; every row needs the firm's own customer id";
  if (customerId.size() > kMaxCustomerIdBytes) return "customer_id is longer than 128 bytes";

  event.eventId = get("event_id");
  if (event.eventId.empty()) return "event_id is empty; every row needs the ERP's id of the event";
  if (event.eventId.size() > storage::kMaxEventIdBytes) return "event_id is longer than 128 bytes";

  if (get("date").empty()) return "date is empty; every event needs its date (YYYY-MM-DD)";
  // ISO 8601 always; the file's own pattern when the import gives one.
  auto date = text::readDate(get("date"), "date", dateFormat);
  auto day = date ? readEventDate(*date.iso) : std::nullopt;
  if (!day) return date ? "date: not a year from 1000 to 9999" : date.rejection;
  event.dateDays = *day;

  auto type = readType(get("type"));
  if (!type) return "type must be one of purchase, return, complaint, complaint_resolved, contact";
  event.type = *type;

  bool needsAmount = *type == storage::HistoryEventType::PURCHASE || *type == storage::HistoryEventType::RETURN;
  if (!get("amount").empty()) {
    int64_t hundredths = 0;
    if (auto bad = readAmount(get("amount"), hundredths)) return bad;
    event.amountMinor = hundredths;
  } else if (needsAmount) {
    return "amount is empty; a purchase or a return needs its amount";
  }

  auto currency = get("currency");
  if (!currency.empty()) {
    bool letters = currency.size() == 3 && std::all_of(currency.begin(), currency.end(), [](char c) {
                     return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                   });
    if (!letters) return "currency must be a three-letter ISO 4217 code such as EUR";
    for (char c : currency) event.currency.push_back(static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c));
  } else if (event.amountMinor) {
    return "currency is empty; an amount needs its currency (a three-letter ISO 4217 code such as EUR)";
  }

  event.category = get("category");
  if (event.category.size() > kMaxTextBytes) return "category is longer than 256 bytes";
  event.channel = get("channel");
  if (event.channel.size() > kMaxTextBytes) return "channel is longer than 256 bytes";
  return std::nullopt;
}

}  // namespace

bool isHistoryColumn(std::string_view name) {
  return std::find(std::begin(kHistoryColumns), std::end(kHistoryColumns), name) != std::end(kHistoryColumns);
}

HistoryImport::HistoryImport(storage::Environment& env, std::string source, int64_t importedAtUnix,
                             std::string dateFormat)
    : env_(env), source_(std::move(source)), importedAtUnix_(importedAtUnix), dateFormat_(std::move(dateFormat)) {}

ImportTotals HistoryImport::storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                                       std::vector<RowRejection>& rejections) {
  storage::Transaction txn(env_, storage::Transaction::Mode::WRITE);
  auto totals = storeBatch(txn, rows, rejections);
  txn.commit();
  return totals;
}

ImportTotals HistoryImport::storeBatch(storage::Transaction& txn,
                                       capnp::List<protocol::control::ImportRow>::Reader rows,
                                       std::vector<RowRejection>& rejections) {
  ImportTotals totals;
  for (auto row : rows) {
    std::string customerId;
    storage::HistoryEvent event;
    auto why = check(row, dateFormat_, customerId, event);
    std::optional<uint64_t> key;
    if (!why) {
      key = storage::CustomerStore::keyOf(txn, customerId);
      if (!key) why = "no customer with this customer_id; import the customer first";
    }
    if (why) {
      rejections.push_back({row.getLine(), *why});
      ++totals.rejected;
      continue;
    }
    event.importedAtUnix = importedAtUnix_;
    event.source = source_ + ":" + std::to_string(row.getLine());
    // Each row in a transaction nested in the batch's: a row the store refuses at
    // write time is rejected alone, with its line, and the rest of the batch commits.
    try {
      storage::Transaction rowTxn(txn);
      auto outcome = storage::HistoryStore::upsert(rowTxn, *key, event);
      rowTxn.commit();
      switch (outcome) {
        case storage::UpsertOutcome::INSERTED: ++totals.inserted; break;
        case storage::UpsertOutcome::UPDATED: ++totals.updated; break;
        case storage::UpsertOutcome::UNCHANGED: ++totals.unchanged; break;
      }
    } catch (const storage::StoreError& e) {
      // A full disk or a damaged store fails every row alike: that is the batch's
      // failure, not this row's.
      if (env_.diskIsFull()) throw;
      rejections.push_back({row.getLine(), std::string("could not be stored: ") + e.what()});
      ++totals.rejected;
    }
  }
  return totals;
}

}  // namespace entente::node
