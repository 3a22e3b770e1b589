#include "node/marketing/match-filter.h"

#include "node/server/node-context.h"

#include <algorithm>
#include <charconv>

namespace entente::node {
namespace {

std::string trim(std::string s) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

std::optional<double> parseNumber(const std::string& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  failWith("--where '" + text + "': " + why +
           "; write it as ours:COLUMN=VALUE, ours:COLUMN!=VALUE, ours:COLUMN in (A,B) or ours:FACT>N");
}

}  // namespace

FilterTerm parseFilter(const std::string& text) {
  FilterTerm term;
  term.text = text;
  std::string rest = trim(text);
  if (rest.rfind("theirs:", 0) == 0) {
    bad(text, "a filter narrows our own customers before the session; the partner's attributes are known only "
              "after it (break down by them with --by theirs:ATTRIBUTE)");
  }
  if (rest.rfind("ours:", 0) != 0) bad(text, "it must start with ours:");
  rest = rest.substr(5);
  // " in (" / " not in (" before the comparison operators, which cannot hold spaces.
  auto lower = rest;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t in = lower.find(" not in ");
  size_t inLength = 8;
  term.op = FilterTerm::Op::NOT_IN;
  if (in == std::string::npos) {
    in = lower.find(" in ");
    inLength = 4;
    term.op = FilterTerm::Op::IN;
  }
  if (in != std::string::npos) {
    term.column = trim(rest.substr(0, in));
    std::string list = trim(rest.substr(in + inLength));
    if (list.size() < 2 || list.front() != '(' || list.back() != ')') bad(text, "the list must be in parentheses");
    list = list.substr(1, list.size() - 2);
    size_t from = 0;
    while (from <= list.size()) {
      size_t comma = list.find(',', from);
      if (comma == std::string::npos) comma = list.size();
      auto value = trim(list.substr(from, comma - from));
      if (value.empty()) bad(text, "the list has an empty value");
      term.values.push_back(value);
      from = comma + 1;
    }
  } else {
    static const std::pair<const char*, FilterTerm::Op> kOps[] = {
        {"!=", FilterTerm::Op::NE}, {">=", FilterTerm::Op::GE}, {"<=", FilterTerm::Op::LE},
        {"=", FilterTerm::Op::EQ},  {">", FilterTerm::Op::GT},  {"<", FilterTerm::Op::LT}};
    size_t at = std::string::npos;
    for (auto& [symbol, op] : kOps) {
      size_t found = rest.find(symbol);
      if (found != std::string::npos && (at == std::string::npos || found < at ||
                                         (found == at && std::string_view(symbol).size() == 2))) {
        at = found;
        term.op = op;
      }
    }
    if (at == std::string::npos) bad(text, "it has no comparison");
    size_t symbolLength = (term.op == FilterTerm::Op::NE || term.op == FilterTerm::Op::GE ||
                           term.op == FilterTerm::Op::LE) ? 2 : 1;
    term.column = trim(rest.substr(0, at));
    term.values.push_back(trim(rest.substr(at + symbolLength)));
    if (term.values[0].empty()) bad(text, "it has no value");
    bool ordered = term.op == FilterTerm::Op::LT || term.op == FilterTerm::Op::LE || term.op == FilterTerm::Op::GT ||
                   term.op == FilterTerm::Op::GE;
    if (ordered && !parseNumber(term.values[0])) bad(text, "<, <=, > and >= compare numbers");
  }
  if (term.column.empty()) bad(text, "it names no column");
  return term;
}

bool passes(const FilterTerm& term, CustomerColumns& columns) {
  auto value = columns.value(term.column, /*forTargeting=*/true);
  auto listed = [&] { return value && std::find(term.values.begin(), term.values.end(), *value) != term.values.end(); };
  auto compare = [&](auto holds) {
    if (!value) return false;
    auto a = parseNumber(*value), b = parseNumber(term.values[0]);
    return a && b && holds(*a, *b);
  };
  switch (term.op) {
    case FilterTerm::Op::EQ: {
      if (!value) return false;
      auto a = parseNumber(*value), b = parseNumber(term.values[0]);
      return *value == term.values[0] || (a && b && *a == *b);
    }
    case FilterTerm::Op::NE: {
      if (!value) return true;
      auto a = parseNumber(*value), b = parseNumber(term.values[0]);
      return !(*value == term.values[0] || (a && b && *a == *b));
    }
    case FilterTerm::Op::IN: return listed();
    case FilterTerm::Op::NOT_IN: return !listed();
    case FilterTerm::Op::LT: return compare([](double a, double b) { return a < b; });
    case FilterTerm::Op::LE: return compare([](double a, double b) { return a <= b; });
    case FilterTerm::Op::GT: return compare([](double a, double b) { return a > b; });
    case FilterTerm::Op::GE: return compare([](double a, double b) { return a >= b; });
  }
  return false;
}

bool passesAll(const std::vector<FilterTerm>& terms, CustomerColumns& columns) {
  for (const auto& t : terms) {
    if (!passes(t, columns)) return false;
  }
  return true;
}

}  // namespace entente::node
