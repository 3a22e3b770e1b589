#include "node/marketing/query-plan.h"

#include "node/server/node-context.h"

#include <algorithm>
#include <cmath>

namespace entente::node {

ByTerm parseColumnRef(const std::string& text, const char* option) {
  ByTerm term{false, text, text};
  if (text.rfind("theirs:", 0) == 0) {
    term.theirs = true;
    term.name = text.substr(7);
  } else if (text.rfind("ours:", 0) == 0) {
    term.name = text.substr(5);
  }
  if (term.name.empty() || term.name.find(':') != std::string::npos) {
    failWith(std::string(option) + " '" + text + "': name a column as ours:COLUMN or a partner attribute as " +
             "theirs:ATTRIBUTE");
  }
  return term;
}

QueryPlan planQuery(protocol::control::MatchRequest::Reader request) {
  QueryPlan plan;
  for (auto w : request.getWhere()) plan.filters.push_back(parseFilter(w.cStr()));
  auto addAttribute = [&](const std::string& name) {
    if (name.empty() || name.size() > 64) failWith("an attribute name must have 1 to 64 characters");
    if (std::find(plan.attributes.begin(), plan.attributes.end(), name) == plan.attributes.end()) {
      plan.attributes.push_back(name);
    }
  };
  for (auto a : request.getAttributes()) addAttribute(a.cStr());
  for (auto b : request.getBy()) {
    auto term = parseColumnRef(b.cStr(), "--by");
    if (term.theirs) addAttribute(term.name);
    if (term.name == "customer_id" || term.name == "email" || term.name == "phone") {
      failWith("--by " + term.text + " would make one group per customer; break down by a column that many "
               "customers share (segment, country, a purchase fact)");
    }
    plan.by.push_back(std::move(term));
  }
  if (plan.by.size() > 3) failWith("--by takes at most 3 columns at once");
  for (auto c : request.getColumns()) {
    auto term = parseColumnRef(c.cStr(), "--columns");
    if (term.theirs) addAttribute(term.name);
    plan.columns.push_back(std::move(term));
  }
  if (plan.attributes.size() > 16) failWith("a match asks for at most 16 partner attributes");
  auto asked = request.getMode() == protocol::wire::MatchMode::COUNT ? protocol::MatchMode::COUNT
               : request.getMode() == protocol::wire::MatchMode::IDS ? protocol::MatchMode::IDS
                                                                      : protocol::MatchMode::ENRICH;
  // Ids and enrich mode are asked for to see the customers; count mode shows counts only.
  plan.listCustomers = request.getListCustomers() || asked != protocol::MatchMode::COUNT;
  plan.epsilon = request.getNoiseEpsilon();
  plan.queryName = request.getQueryName();
  if (plan.epsilon < 0 || plan.epsilon > 10 || std::isnan(plan.epsilon)) {
    failWith("--noise takes an epsilon above 0 and at most 10 (smaller is noisier; 0.1 to 1 is usual)");
  }
  if (plan.epsilon > 0 && plan.listCustomers) {
    failWith("--noise protects counts; a list of customers (ids or enrich mode) would show the exact answer: "
             "use --noise with count mode, and --by for breakdowns");
  }
  if (!plan.columns.empty() && !plan.listCustomers) {
    failWith("--columns chooses the columns of a customer list: use it with --mode ids or --mode enrich");
  }
  if (asked == protocol::MatchMode::ENRICH && plan.attributes.empty()) {
    failWith("--mode enrich needs --attributes (the partner's attributes to ask for, e.g. segment,income_band)");
  }
  if (!plan.attributes.empty()) {
    plan.wireMode = protocol::MatchMode::ENRICH;
  } else if (asked != protocol::MatchMode::COUNT || !plan.by.empty() || plan.listCustomers) {
    // A breakdown by our own columns needs to know which customers matched, which
    // count mode hides from this node: it runs in ids mode and shows only the table.
    plan.wireMode = protocol::MatchMode::IDS;
  }
  return plan;
}

}  // namespace entente::node
