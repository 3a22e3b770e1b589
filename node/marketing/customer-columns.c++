#include "node/marketing/customer-columns.h"

#include "node/server/node-context.h"

#include <fmt/core.h>

namespace entente::node {

ColumnKind kindOfColumn(const std::string& name) {
  static const char* const kProfile[] = {"customer_id", "email",       "phone",  "first_name",
                                         "last_name",   "birth_date",  "postal_code", "country"};
  for (auto p : kProfile) {
    if (name == p) return ColumnKind::PROFILE;
  }
  return isFactName(name) ? ColumnKind::FACT : ColumnKind::ATTRIBUTE;
}

std::string numberText(double value) {
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::optional<std::string> CustomerColumns::value(const std::string& name, bool forTargeting) {
  auto text = [](capnp::Text::Reader t) -> std::optional<std::string> {
    if (t.size() == 0) return std::nullopt;
    return std::string(t.cStr());
  };
  switch (kindOfColumn(name)) {
    case ColumnKind::PROFILE:
      if (name == "customer_id") return text(record_.getCustomerId());
      if (name == "email") return text(record_.getEmail());
      if (name == "phone") return text(record_.getPhone());
      if (name == "first_name") return text(record_.getFirstName());
      if (name == "last_name") return text(record_.getLastName());
      if (name == "birth_date") return text(record_.getBirthDate());
      if (name == "postal_code") return text(record_.getPostalCode());
      return text(record_.getCountry());
    case ColumnKind::FACT: {
      auto n = number(name);
      if (!n) return std::nullopt;
      return numberText(*n);
    }
    case ColumnKind::ATTRIBUTE:
      for (auto a : record_.getAttributes()) {
        if (name != a.getName().cStr()) continue;
        if (a.getSpecialCategory() && forTargeting) {
          failWith("'" + name + "' is special-category data (GDPR Art. 9): it cannot be used to choose whom to " +
                   "market to; filter or break down by another column");
        }
        return text(a.getValue());
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> CustomerColumns::number(const std::string& name) {
  if (!facts_) facts_ = historyFacts(txn_, key_, now_);
  auto v = factValue(*facts_, name);
  return v.value;
}

}  // namespace entente::node
