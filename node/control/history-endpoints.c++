#include "node/control/history-endpoints.h"

#include "node/import/event-date.h"
#include "node/import/history-facts.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"

#include <fmt/core.h>


namespace entente::node {
namespace {

// The facts a person reads for one customer: every fact of history-facts.h with a
// value, the per-category and per-currency ones for the categories and currencies the
// customer has.
std::vector<std::pair<std::string, std::string>> factsOf(const HistoryFacts& facts) {
  std::vector<std::string> names = {"purchases.last_3m",  "purchases.last_12m", "purchases.last_24m",
                                     "returns.last_12m",   "complaints.last_12m", "contacts.last_12m",
                                     "spend.last_12m",     "days_since_last_purchase", "days_since_last_contact",
                                     "complaint.open"};
  for (auto& [currency, spend] : facts.last24m.spendMinor) names.push_back("spend." + currency + ".last_12m");
  for (auto& [category, day] : facts.lastPurchaseByCategory) {
    names.push_back("purchases.category." + category + ".last_12m");
    names.push_back("days_since_last_purchase.category." + category);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& name : names) {
    auto fact = factValue(facts, name);
    out.emplace_back(name, fact.value ? fmt::format("{:g}", *fact.value) : "- (" + fact.reason + ")");
  }
  return out;
}

}  // namespace

void customerHistory(NodeContext& context, const std::string& actor, CustomerHistoryCall call) {
  auto out = call.getResults().initHistory();
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  auto key = storage::CustomerStore::keyOf(txn, call.getParams().getCustomerId().cStr());
  // The message repeats nothing: an unknown id may be someone's e-mail pasted in.
  if (!key) failWith("no customer with that customer_id on this node");
  // Reading what is held about a person is itself worth a trace.
  context.gate.record("history.show", actor, "ok", Details{{"customer_key", std::to_string(*key)}});
  {
    std::vector<storage::HistoryEvent> events;
    storage::HistoryStore::forCustomer(
        txn, *key, [&](storage::schema::HistoryEvent::Reader e) { events.push_back(storage::decodeHistoryEvent(e)); });
    auto list = out.initEvents(static_cast<unsigned>(events.size()));
    for (unsigned i = 0; i < events.size(); ++i) {
      auto& e = events[i];
      list[i].setEventId(e.eventId);
      list[i].setDate(isoDate(e.dateDays));
      list[i].setType(storage::historyEventTypeName(e.type));
      list[i].setCategory(e.category);
      list[i].setAmountMinor(e.amountMinor.value_or(0));
      list[i].setCurrency(e.currency);
      list[i].setChannel(e.channel);
      list[i].setSource(e.source);
    }
    auto facts = factsOf(historyFacts(txn, *key, context.clock()));
    auto factList = out.initFacts(static_cast<unsigned>(facts.size()));
    for (unsigned i = 0; i < facts.size(); ++i) {
      factList[i].setName(facts[i].first);
      factList[i].setValue(facts[i].second);
    }
  }
}

}  // namespace entente::node
