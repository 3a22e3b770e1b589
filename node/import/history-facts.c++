#include "node/import/history-facts.h"

#include "node/import/event-date.h"
#include "storage/history-store.h"

#include <algorithm>
#include <array>

namespace entente::node {
namespace {

using storage::HistoryEventType;

constexpr std::string_view kCategoryPrefix = "purchases.category.";
constexpr std::string_view kSpendPrefix = "spend.";
constexpr std::string_view kDaysSincePurchase = "days_since_last_purchase";
constexpr std::string_view kCategoryInfix = ".category.";

std::array<HistoryWindow*, 3> windowsOf(HistoryFacts& facts) { return {&facts.last3m, &facts.last12m, &facts.last24m}; }

void keepLatest(std::optional<int32_t>& latest, int32_t day) {
  if (!latest || *latest < day) latest = day;
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "purchases.last_12m" -> stem "purchases", the 12-month window.
const HistoryWindow* splitWindow(const HistoryFacts& facts, std::string_view name, std::string_view& stem) {
  for (auto* window : {&facts.last3m, &facts.last12m, &facts.last24m}) {
    std::string suffix = ".last_" + std::to_string(window->months) + "m";
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      stem = name.substr(0, name.size() - suffix.size());
      return window;
    }
  }
  return nullptr;
}

bool isCurrencyCode(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

FactValue unknown() {
  return {std::nullopt,
          "not a fact name; facts are purchases, returns, complaints, contacts, spend, spend.<CURRENCY> and "
          "purchases.category.<CATEGORY> with .last_3m, .last_12m or .last_24m, days_since_last_purchase "
          "(optionally .category.<CATEGORY>), days_since_last_contact and complaint.open"};
}

FactValue windowFact(const HistoryWindow& window, std::string_view stem) {
  if (stem == "purchases") return {static_cast<double>(window.purchases), {}};
  if (stem == "returns") return {static_cast<double>(window.returns), {}};
  if (stem == "complaints") return {static_cast<double>(window.complaints), {}};
  if (stem == "contacts") return {static_cast<double>(window.contacts), {}};
  if (stem == "spend") {
    if (window.spendMinor.size() > 1) {
      return {std::nullopt, "spend over the window is in more than one currency for this customer; name the "
                            "currency, as in spend.EUR.last_12m"};
    }
    int64_t minor = window.spendMinor.empty() ? 0 : window.spendMinor.begin()->second;
    return {static_cast<double>(minor) / 100.0, {}};
  }
  if (startsWith(stem, kSpendPrefix) && isCurrencyCode(stem.substr(kSpendPrefix.size()))) {
    auto it = window.spendMinor.find(stem.substr(kSpendPrefix.size()));
    return {it == window.spendMinor.end() ? 0.0 : static_cast<double>(it->second) / 100.0, {}};
  }
  if (startsWith(stem, kCategoryPrefix) && stem.size() > kCategoryPrefix.size()) {
    auto it = window.purchasesByCategory.find(stem.substr(kCategoryPrefix.size()));
    return {it == window.purchasesByCategory.end() ? 0.0 : static_cast<double>(it->second), {}};
  }
  return unknown();
}

FactValue daysSince(const HistoryFacts& facts, std::optional<int32_t> day, const char* none) {
  if (!day) return {std::nullopt, none};
  return {static_cast<double>(facts.today - *day), {}};
}

}  // namespace

HistoryFacts historyFacts(const storage::Transaction& txn, uint64_t customerKey, int64_t nowUnix) {
  HistoryFacts facts;
  facts.today = dayOfUnix(nowUnix);
  auto windows = windowsOf(facts);
  std::array<int32_t, 3> after{};  // a window holds the days after this one, up to today
  for (size_t i = 0; i < windows.size(); ++i) after[i] = monthsBefore(facts.today, windows[i]->months);
  std::optional<int32_t> lastComplaint, lastResolved;

  storage::HistoryStore::forCustomer(txn, customerKey, [&](storage::schema::HistoryEvent::Reader event) {
    int32_t day = event.getDateDays();
    if (day > facts.today) return;
    auto type = static_cast<HistoryEventType>(event.getType());
    std::string_view category(event.getCategory().begin(), event.getCategory().size());
    std::string_view currency(event.getCurrency().begin(), event.getCurrency().size());
    int64_t amount = event.getHasAmount() ? event.getAmountMinor() : 0;
    if (type == HistoryEventType::PURCHASE) {
      keepLatest(facts.lastPurchase, day);
      if (!category.empty()) {
        auto [it, added] = facts.lastPurchaseByCategory.emplace(category, day);
        if (!added) it->second = std::max(it->second, day);
      }
    } else if (type == HistoryEventType::COMPLAINT) {
      keepLatest(lastComplaint, day);
    } else if (type == HistoryEventType::COMPLAINT_RESOLVED) {
      keepLatest(lastResolved, day);
    } else if (type == HistoryEventType::CONTACT) {
      keepLatest(facts.lastContact, day);
    }
    for (size_t i = 0; i < windows.size(); ++i) {
      if (day <= after[i]) continue;
      auto& w = *windows[i];
      switch (type) {
        case HistoryEventType::PURCHASE:
          ++w.purchases;
          if (!category.empty()) ++w.purchasesByCategory[std::string(category)];
          if (event.getHasAmount()) w.spendMinor[std::string(currency)] += amount;
          break;
        case HistoryEventType::RETURN:
          ++w.returns;
          if (event.getHasAmount()) w.spendMinor[std::string(currency)] -= amount;
          break;
        case HistoryEventType::COMPLAINT: ++w.complaints; break;
        case HistoryEventType::CONTACT: ++w.contacts; break;
        case HistoryEventType::COMPLAINT_RESOLVED: break;
      }
    }
  });
  // A resolution dated the same day as the complaint closes it: the ERP gives no time.
  facts.complaintOpen = lastComplaint && (!lastResolved || *lastResolved < *lastComplaint);
  return facts;
}

FactValue factValue(const HistoryFacts& facts, std::string_view name) {
  if (name == "complaint.open") return {facts.complaintOpen ? 1.0 : 0.0, {}};
  if (name == kDaysSincePurchase) return daysSince(facts, facts.lastPurchase, "no purchase in this customer's history");
  if (name == "days_since_last_contact") return daysSince(facts, facts.lastContact, "no contact in this customer's history");
  if (startsWith(name, kDaysSincePurchase) && startsWith(name.substr(kDaysSincePurchase.size()), kCategoryInfix) &&
      name.size() > kDaysSincePurchase.size() + kCategoryInfix.size()) {
    auto it = facts.lastPurchaseByCategory.find(name.substr(kDaysSincePurchase.size() + kCategoryInfix.size()));
    return daysSince(facts, it == facts.lastPurchaseByCategory.end() ? std::nullopt : std::optional(it->second),
                     "no purchase of this category in this customer's history");
  }
  std::string_view stem;
  if (auto* window = splitWindow(facts, name, stem)) return windowFact(*window, stem);
  return unknown();
}

bool isFactName(std::string_view name) {
  // Asked of empty facts, a known name has a value or a reason other than "not a fact".
  static const HistoryFacts kEmpty;
  auto value = factValue(kEmpty, name);
  return value.value || value.reason != unknown().reason;
}

}  // namespace entente::node
