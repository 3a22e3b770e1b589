#include "node/import/row-check.h"

#include "node/import/field-text.h"
#include "node/import/import-columns.h"
#include "node/import/special-categories.h"

#include <algorithm>
#include <set>

namespace entente::node {
namespace {

// The documented maximums (docs/operations.md, "Limits of an import").
constexpr size_t kMaxCustomerIdBytes = 128;
constexpr size_t kMaxFieldBytes = 4096;
constexpr size_t kMaxColumnNameBytes = 128;

// The stored value of a canonical column.
std::string storedField(storage::schema::Customer::Reader c, std::string_view column) {
  if (column == "email") return c.getEmail();
  if (column == "phone") return c.getPhone();
  if (column == "first_name") return c.getFirstName();
  if (column == "last_name") return c.getLastName();
  if (column == "birth_date") return c.getBirthDate();
  if (column == "postal_code") return c.getPostalCode();
  if (column == "country") return c.getCountry();
  return {};
}

}  // namespace

std::string_view customerIdIn(protocol::control::ImportRow::Reader row) {
  for (auto field : row.getFields()) {
    if (fieldText(field.getName()) == "customer_id") return trimField(fieldText(field.getValue()));
  }
  return {};
}

std::optional<std::string> checkRow(protocol::control::ImportRow::Reader row, bool consentOnly,
                                    std::string_view& customerId) {
  customerId = {};
  for (auto field : row.getFields()) {
    std::string_view name = fieldText(field.getName());
    std::string_view value = trimField(fieldText(field.getValue()));
    bool consent = isConsentColumn(name);
    bool canonical = isCanonicalColumn(name);
    if (consentOnly && name != "customer_id" && !consent) continue;
    if (name.size() > kMaxColumnNameBytes) return "a column name is longer than 128 bytes";
    if (auto bad = controlCharacterIn("a column name", name, false)) return bad;
    if (value.size() > kMaxFieldBytes) return std::string(name) + " is longer than 4096 bytes";
    if (auto bad = controlCharacterIn(name, value, !canonical)) return bad;
    if (name == "customer_id") customerId = value;
  }
  if (customerId.empty()) return "customer_id is empty; every row needs the firm's own customer id";
  if (customerId.size() > kMaxCustomerIdBytes) return "customer_id is longer than 128 bytes";
  return std::nullopt;
}

void copyRow(protocol::control::ImportRow::Reader row, bool consentOnly, CheckedRow& out) {
  for (auto field : row.getFields()) {
    std::string_view name = fieldText(field.getName());
    std::string_view value = trimField(fieldText(field.getValue()));
    bool consent = isConsentColumn(name);
    if (consentOnly && name != "customer_id" && !consent) continue;
    if (consent) {
      out.consent.insert_or_assign(std::string(name), value);
    } else if (isCanonicalColumn(name)) {
      out.canonical.insert_or_assign(std::string(name), value);
    } else {
      out.attributes.emplace_back(name, value);
    }
  }
  out.customerId = out.canonical["customer_id"];
  // Attributes in name order so that a re-import with reordered columns is unchanged.
  std::sort(out.attributes.begin(), out.attributes.end());
}

void keepAbsentFields(storage::schema::Customer::Reader stored, CheckedRow& row) {
  for (auto column : kCanonicalColumns) {
    if (!row.canonical.count(column)) row.canonical[column] = storedField(stored, column);
  }
  std::set<std::string_view> inFile;
  for (auto& [name, value] : row.attributes) inFile.insert(name);
  for (auto attribute : stored.getAttributes()) {
    std::string name = attribute.getName();
    if (!inFile.count(name)) row.attributes.emplace_back(name, attribute.getValue());
  }
  std::sort(row.attributes.begin(), row.attributes.end());
}

std::optional<std::string> normaliseRow(const text::IdentifierNormaliser& normaliser, const ImportRules& rules,
                                        CheckedRow& row) {
  auto get = [&](std::string_view column) -> std::string_view {
    auto it = row.canonical.find(column);
    return it == row.canonical.end() ? std::string_view() : std::string_view(it->second);
  };
  auto format = [&](std::string_view column) -> std::string_view {
    auto it = rules.dateFormats.find(column);
    return it == rules.dateFormats.end() ? std::string_view() : std::string_view(it->second);
  };
  // Each check either keeps the field (normalised where stored so) or drops it.
  auto drop = [&](const std::string& column, const std::string& reason) {
    row.dropped.push_back({column, reason});
    row.canonical[column].clear();
  };

  std::string country = normaliser.defaultRegion();
  bool countryUnknown = false;
  if (!get("country").empty()) {
    auto code = normaliser.country(get("country"));
    if (code) {
      country = *code.value;
      row.canonical["country"] = country;
    } else {
      drop("country", code.rejection);
      countryUnknown = true;
    }
  }
  if (!get("email").empty()) {
    auto email = normaliser.email(get("email"));
    if (email) {
      row.identifiers.emplace_back(crypto::IdentifierKind::EMAIL, *email.value);
    } else {
      drop("email", email.rejection);
    }
  }
  if (!get("phone").empty()) {
    // A national number read with the node's region instead of the row's own country
    // would be another person's number: without a country it is dropped.
    if (countryUnknown && get("phone").front() != '+') {
      drop("phone", "phone: a national number needs the row's country, which could not be read");
    } else if (auto phone = normaliser.phone(get("phone"), country)) {
      row.identifiers.emplace_back(crypto::IdentifierKind::PHONE, *phone.value);
    } else {
      drop("phone", phone.rejection);
    }
  }
  if (!get("birth_date").empty()) {
    auto date = normaliser.birthDate(get("birth_date"), format("birth_date"));
    if (date) {
      row.canonical["birth_date"] = *date.value;
    } else {
      drop("birth_date", date.rejection);
    }
  }
  for (const char* column : {"first_name", "last_name"}) {
    if (!get(column).empty() && !normaliser.name(get(column))) {
      drop(column, std::string(column) + ": has no letter or digit once transliterated");
    }
  }
  if (!get("postal_code").empty()) {
    auto postal = normaliser.postalCode(get("postal_code"));
    if (!postal) drop("postal_code", postal.rejection);
  }
  if (rules.strict && !row.dropped.empty()) return row.dropped.front().reason + " (--strict rejects the row)";
  // name_dob_postal needs all four personal fields; a row with only some of them
  // simply has no such identifier. The birth date is ISO by now.
  if (!get("first_name").empty() && !get("last_name").empty() && !get("birth_date").empty() &&
      !get("postal_code").empty()) {
    auto person = normaliser.nameDobPostal(
        {get("first_name"), get("last_name"), get("birth_date"), get("postal_code"), country});
    if (person) row.identifiers.emplace_back(crypto::IdentifierKind::NAME_DOB_POSTAL, *person.value);
  }
  return std::nullopt;
}

void buildCustomer(const CheckedRow& row, SpecialCategories& categories, storage::schema::Customer::Builder customer) {
  auto get = [&](const char* name) {
    auto it = row.canonical.find(name);
    return it == row.canonical.end() ? std::string() : it->second;
  };
  customer.setCustomerId(row.customerId);
  customer.setEmail(get("email"));
  customer.setPhone(get("phone"));
  customer.setFirstName(get("first_name"));
  customer.setLastName(get("last_name"));
  customer.setBirthDate(get("birth_date"));
  customer.setPostalCode(get("postal_code"));
  customer.setCountry(get("country"));
  std::vector<const std::pair<std::string, std::string>*> kept;
  for (auto& attribute : row.attributes) {
    if (!attribute.second.empty()) kept.push_back(&attribute);
  }
  auto attributes = customer.initAttributes(static_cast<unsigned>(kept.size()));
  for (unsigned i = 0; i < kept.size(); ++i) {
    attributes[i].setName(kept[i]->first);
    attributes[i].setValue(kept[i]->second);
    attributes[i].setSpecialCategory(!categories.categoryOfColumn(kept[i]->first).empty());
  }
  auto identifiers = customer.initIdentifiers(static_cast<unsigned>(row.identifiers.size()));
  for (unsigned i = 0; i < row.identifiers.size(); ++i) {
    identifiers[i].setKind(static_cast<uint8_t>(row.identifiers[i].first));
    identifiers[i].setValue(row.identifiers[i].second);
  }
}

}  // namespace entente::node
