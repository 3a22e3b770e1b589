// A marketer's match request, read and checked before anything is sent: its filters,
// breakdowns, campaign columns, partner attributes and noise, and the session mode
// they need on the wire. Checks come before work: a malformed filter, a breakdown by
// a partner attribute that is not asked for, or noise with a customer list is refused
// here, on this node, not by the partner.
#pragma once

#include "node/marketing/match-filter.h"
#include "protocol/control.capnp.h"
#include "protocol/session-terms.h"

#include <string>
#include <vector>

namespace entente::node {

struct ByTerm {
  bool theirs = false;
  std::string name;  // column (ours) or attribute (theirs)
  std::string text;  // as written: "ours:segment"
};

struct QueryPlan {
  protocol::MatchMode wireMode = protocol::MatchMode::COUNT;
  std::vector<std::string> attributes;  // asked of the partner (enrich mode)
  std::vector<FilterTerm> filters;
  std::vector<ByTerm> by;
  std::vector<ByTerm> columns;  // campaign list columns
  bool listCustomers = false;
  double epsilon = 0;
  std::string queryName;
};

// Fails (failWith) with what to change when the request cannot be met.
QueryPlan planQuery(protocol::control::MatchRequest::Reader request);

// A `by` or `columns` entry: "ours:NAME", "theirs:NAME", or a bare NAME (ours).
ByTerm parseColumnRef(const std::string& text, const char* option);

}  // namespace entente::node
