// `--where` filters on the requester's own customers, applied by the selection
// (node/match/match-selection.h) before anything is blinded, so that the partner
// learns only the size of the narrowed set, as for any match.
//
//   ours:COLUMN=VALUE   ours:COLUMN!=VALUE   ours:COLUMN in (A,B,...)   ours:COLUMN not in (A,B)
//   ours:FACT>N  >=  <  <=  =  !=            (facts of node/import/history-facts.h)
//
// Several filters must all hold. A customer without the column fails `=`, `in` and
// every comparison, and passes `!=` and `not in`. Column names are those of
// node/marketing/customer-columns.h; special-category attributes are refused.
#pragma once

#include "node/marketing/customer-columns.h"

#include <string>
#include <vector>

namespace entente::node {

struct FilterTerm {
  enum class Op { EQ, NE, LT, LE, GT, GE, IN, NOT_IN };
  std::string column;
  Op op = Op::EQ;
  std::vector<std::string> values;  // one, or the `in` list
  std::string text;                 // as written, for the log and the summary
};

// Parses one `--where`; fails (failWith) naming the filter and what is wrong.
FilterTerm parseFilter(const std::string& text);

bool passes(const FilterTerm& term, CustomerColumns& columns);
bool passesAll(const std::vector<FilterTerm>& terms, CustomerColumns& columns);

}  // namespace entente::node
