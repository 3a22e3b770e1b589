#include "node/marketing/match-filter.h"

#include "protocol/user-error.h"

#include <catch2/catch.hpp>

using namespace entente::node;

TEST_CASE("filters are read with their column, operator and values") {
  auto eq = parseFilter("ours:segment=boat-owner");
  CHECK(eq.column == "segment");
  CHECK(eq.op == FilterTerm::Op::EQ);
  CHECK(eq.values == std::vector<std::string>{"boat-owner"});
  CHECK(parseFilter("ours:segment!=family").op == FilterTerm::Op::NE);
  auto fact = parseFilter("ours:purchases.last_12m>0");
  CHECK(fact.column == "purchases.last_12m");
  CHECK(fact.op == FilterTerm::Op::GT);
  CHECK(parseFilter("ours:spend.last_12m >= 100").op == FilterTerm::Op::GE);
  CHECK(parseFilter("ours:days_since_last_purchase<=90").op == FilterTerm::Op::LE);
  auto in = parseFilter("ours:country in (FR, ES,PT)");
  CHECK(in.op == FilterTerm::Op::IN);
  CHECK(in.values == std::vector<std::string>{"FR", "ES", "PT"});
  CHECK(parseFilter("ours:country not in (FI)").op == FilterTerm::Op::NOT_IN);
}

TEST_CASE("a malformed filter is refused naming the filter and the form to use") {
  for (const char* bad : {"segment=boat-owner", "theirs:segment=x", "ours:segment", "ours:=x", "ours:segment=",
                          "ours:country in FR", "ours:country in (FR,,ES)", "ours:segment>abc"}) {
    INFO(bad);
    try {
      parseFilter(bad);
      FAIL("accepted");
    } catch (const kj::Exception& e) {
      std::string message = e.getDescription().cStr();
      CHECK(message.find(std::string("'") + bad + "'") != std::string::npos);
    }
  }
}
