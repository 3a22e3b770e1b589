#include "node/import/field-changes.h"

namespace entente::node {

void FieldChanges::count(const std::string& field, std::string_view before, std::string_view after) {
  if (before == after) return;
  auto& c = counts_[field];
  if (before.empty()) {
    ++c.added;
  } else if (after.empty()) {
    ++c.removed;
  } else {
    ++c.changed;
  }
}

void FieldChanges::add(const FieldChanges& other) {
  for (auto& [field, c] : other.counts_) {
    auto& into = counts_[field];
    into.changed += c.changed;
    into.added += c.added;
    into.removed += c.removed;
  }
}

void FieldChanges::compare(storage::schema::Customer::Reader before, storage::schema::Customer::Reader after) {
  auto text = [](capnp::Text::Reader t) { return std::string_view(t.begin(), t.size()); };
  count("email", text(before.getEmail()), text(after.getEmail()));
  count("phone", text(before.getPhone()), text(after.getPhone()));
  count("first_name", text(before.getFirstName()), text(after.getFirstName()));
  count("last_name", text(before.getLastName()), text(after.getLastName()));
  count("birth_date", text(before.getBirthDate()), text(after.getBirthDate()));
  count("postal_code", text(before.getPostalCode()), text(after.getPostalCode()));
  count("country", text(before.getCountry()), text(after.getCountry()));
  // Attributes are stored in name order: walk both lists together.
  auto a = before.getAttributes(), b = after.getAttributes();
  unsigned i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    std::string_view nameA = i < a.size() ? text(a[i].getName()) : std::string_view();
    std::string_view nameB = j < b.size() ? text(b[j].getName()) : std::string_view();
    if (j >= b.size() || (i < a.size() && nameA < nameB)) {
      count(std::string(nameA), text(a[i].getValue()), {});
      ++i;
    } else if (i >= a.size() || nameB < nameA) {
      count(std::string(nameB), {}, text(b[j].getValue()));
      ++j;
    } else {
      count(std::string(nameA), text(a[i].getValue()), text(b[j].getValue()));
      ++i;
      ++j;
    }
  }
}

}  // namespace entente::node
