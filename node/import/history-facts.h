// Facts about one customer derived from their purchase and contact history
// (storage/history-store.h) at a given moment, for a marketer to filter customers on:
// when they last bought (overall and per category), how much over the last months,
// whether a complaint is open. Facts are computed when asked, never stored: the
// history is the one record, and a fact cannot outlive an erasure or a corrected
// import.
//
// Windows are calendar months back from today's UTC date: "last 12 months" holds the
// events dated after the same day 12 months ago, up to today (on 2025-03-31, the 3
// months are 2024-12-31 exclusive to 2025-03-31). Events dated after today count for
// nothing until their day comes.
//
// Facts by name, for a filter language (factValue):
//   purchases.last_3m, purchases.last_12m, purchases.last_24m   purchases in the window
//   returns.last_Nm, complaints.last_Nm, contacts.last_Nm        the same for the other types
//   spend.last_Nm              purchases less returns, in currency units (12.5 for 12.50),
//                              when the window holds at most one currency (0 when none)
//   spend.<CURRENCY>.last_Nm   the same in one currency (spend.EUR.last_12m)
//   purchases.category.<CATEGORY>.last_Nm   purchases of one category (as the ERP writes it)
//   days_since_last_purchase, days_since_last_purchase.category.<CATEGORY>,
//   days_since_last_contact    whole days from that event's date to today
//   complaint.open             1 when the latest complaint has no complaint_resolved
//                              dated on or after it, else 0
// N is 3, 12 or 24.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace entente::node {

struct HistoryWindow {
  explicit HistoryWindow(int m) : months(m) {}
  int months;
  uint64_t purchases = 0, returns = 0, complaints = 0, contacts = 0;
  // Per currency: purchases less returns, in hundredths of the currency unit.
  std::map<std::string, int64_t, std::less<>> spendMinor;
  std::map<std::string, uint64_t, std::less<>> purchasesByCategory;
};

struct HistoryFacts {
  int32_t today = 0;  // day number (node/import/event-date.h) of the moment asked
  std::optional<int32_t> lastPurchase;
  std::map<std::string, int32_t, std::less<>> lastPurchaseByCategory;
  std::optional<int32_t> lastContact;
  bool complaintOpen = false;
  HistoryWindow last3m{3}, last12m{12}, last24m{24};
};

HistoryFacts historyFacts(const storage::Transaction& txn, uint64_t customerKey, int64_t nowUnix);

// A fact's value, or why it has none for this customer (no purchase yet, spend in
// several currencies, a name that is not a fact). The reason never holds the
// customer's data.
struct FactValue {
  std::optional<double> value;
  std::string reason;
};
FactValue factValue(const HistoryFacts& facts, std::string_view name);

// Whether `name` is one of the facts above, for a filter to check before it runs.
bool isFactName(std::string_view name);

}  // namespace entente::node
