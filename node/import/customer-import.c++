#include "node/import/customer-import.h"

#include "crypto/identifier-kind.h"
#include "node/import/field-text.h"
#include "node/import/import-columns.h"
#include "storage/consent-store.h"
#include "storage/customer-store.h"

#include <capnp/message.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>

namespace entente::node {
namespace {

// The documented maximums (docs/operations.md, "Limits of an import").
constexpr size_t kMaxCustomerIdBytes = 128;
constexpr size_t kMaxFieldBytes = 4096;
constexpr size_t kMaxColumnNameBytes = 128;

// The checked content of one row, ready to become a record.
struct CheckedRow {
  std::map<std::string, std::string, std::less<>> canonical;
  std::map<std::string, std::string, std::less<>> consent;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::pair<crypto::IdentifierKind, std::string>> identifiers;
};

std::optional<std::string> check(const text::IdentifierNormaliser& normaliser,
                                 protocol::control::ImportRow::Reader row, CheckedRow& out) {
  for (auto field : row.getFields()) {
    std::string name(fieldText(field.getName()));
    std::string_view value = trimField(fieldText(field.getValue()));
    if (name.size() > kMaxColumnNameBytes) return "a column name is longer than 128 bytes";
    if (auto bad = controlCharacterIn("a column name", name, false)) return bad;
    if (value.size() > kMaxFieldBytes) return name + " is longer than 4096 bytes";
    bool attribute = !isConsentColumn(name) && !isCanonicalColumn(name);
    if (auto bad = controlCharacterIn(name, value, attribute)) return bad;
    if (isConsentColumn(name)) {
      out.consent[name] = value;
    } else if (isCanonicalColumn(name)) {
      out.canonical[name] = value;
    } else if (!value.empty()) {
      out.attributes.emplace_back(name, value);
    }
  }
  auto get = [&](std::string_view name) -> std::string_view {
    auto it = out.canonical.find(name);
    return it == out.canonical.end() ? std::string_view() : std::string_view(it->second);
  };
  std::string_view id = get("customer_id");
  if (id.empty()) return "customer_id is empty; every row needs the firm's own customer id";
  if (id.size() > kMaxCustomerIdBytes) return "customer_id is longer than 128 bytes";

  std::string country = normaliser.defaultRegion();
  if (!get("country").empty()) {
    auto c = normaliser.country(get("country"));
    if (!c) return c.rejection;
    country = *c.value;
    out.canonical["country"] = country;
  }
  if (!get("email").empty()) {
    auto email = normaliser.email(get("email"));
    if (!email) return email.rejection;
    out.identifiers.emplace_back(crypto::IdentifierKind::EMAIL, *email.value);
  }
  if (!get("phone").empty()) {
    auto phone = normaliser.phone(get("phone"), country);
    if (!phone) return phone.rejection;
    out.identifiers.emplace_back(crypto::IdentifierKind::PHONE, *phone.value);
  }
  if (!get("birth_date").empty()) {
    auto date = normaliser.birthDate(get("birth_date"));
    if (!date) return date.rejection;
    out.canonical["birth_date"] = *date.value;
  }
  // name_dob_postal needs all four personal fields; a row with only some of them
  // simply has no such identifier. The country defaults to the node's region.
  if (!get("first_name").empty() && !get("last_name").empty() && !get("birth_date").empty() &&
      !get("postal_code").empty()) {
    auto person = normaliser.nameDobPostal(
        {get("first_name"), get("last_name"), get("birth_date"), get("postal_code"), country});
    if (!person) return person.rejection;
    out.identifiers.emplace_back(crypto::IdentifierKind::NAME_DOB_POSTAL, *person.value);
  }
  // Attributes in name order so that a re-import with reordered columns is unchanged.
  std::sort(out.attributes.begin(), out.attributes.end());
  return std::nullopt;
}

void build(const CheckedRow& row, storage::schema::Customer::Builder customer) {
  auto get = [&](const char* name) {
    auto it = row.canonical.find(name);
    return it == row.canonical.end() ? std::string() : it->second;
  };
  customer.setCustomerId(get("customer_id"));
  customer.setEmail(get("email"));
  customer.setPhone(get("phone"));
  customer.setFirstName(get("first_name"));
  customer.setLastName(get("last_name"));
  customer.setBirthDate(get("birth_date"));
  customer.setPostalCode(get("postal_code"));
  customer.setCountry(get("country"));
  auto attributes = customer.initAttributes(static_cast<unsigned>(row.attributes.size()));
  for (unsigned i = 0; i < row.attributes.size(); ++i) {
    attributes[i].setName(row.attributes[i].first);
    attributes[i].setValue(row.attributes[i].second);
  }
  auto identifiers = customer.initIdentifiers(static_cast<unsigned>(row.identifiers.size()));
  for (unsigned i = 0; i < row.identifiers.size(); ++i) {
    identifiers[i].setKind(static_cast<uint8_t>(row.identifiers[i].first));
    identifiers[i].setValue(row.identifiers[i].second);
  }
}

std::optional<std::string> checkConsentOnly(protocol::control::ImportRow::Reader row, CheckedRow& out) {
  for (auto field : row.getFields()) {
    std::string name(fieldText(field.getName()));
    std::string_view value = trimField(fieldText(field.getValue()));
    if (name != "customer_id" && !isConsentColumn(name)) continue;
    if (value.size() > kMaxFieldBytes) return name + " is longer than 4096 bytes";
    if (auto bad = controlCharacterIn(name, value, false)) return bad;
    if (isConsentColumn(name)) out.consent[name] = value;
    if (name == "customer_id") out.canonical[name] = value;
  }
  if (out.canonical["customer_id"].empty()) return "customer_id is empty; every row needs the firm's own customer id";
  return std::nullopt;
}

}  // namespace

CustomerImport::CustomerImport(storage::Environment& env, const NodeConfig& config, std::string source,
                               bool consentOnly)
    : env_(env), config_(config), source_(std::move(source)), consentOnly_(consentOnly), normaliser_(config.region) {}

ImportTotals CustomerImport::storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                                        std::vector<RowRejection>& rejections) {
  storage::Transaction txn(env_, storage::Transaction::Mode::WRITE);
  auto totals = storeBatch(txn, rows, rejections);
  txn.commit();
  return totals;
}

ImportTotals CustomerImport::storeBatch(storage::Transaction& txn,
                                        capnp::List<protocol::control::ImportRow>::Reader rows,
                                        std::vector<RowRejection>& rejections) {
  ImportTotals totals;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (auto row : rows) {
    CheckedRow checked;
    std::vector<ConsentUpdate> consent;
    auto why = consentOnly_ ? checkConsentOnly(row, checked) : check(normaliser_, row, checked);
    if (!why) {
      why = readConsentColumns(checked.consent, config_, source_ + ":" + std::to_string(row.getLine()), now, consent);
    }
    std::optional<uint64_t> key;
    if (!why && consentOnly_) {
      key = storage::CustomerStore::keyOf(txn, checked.canonical["customer_id"]);
      if (!key) why = "no customer with this customer_id; import the customer first";
    }
    if (why) {
      rejections.push_back({row.getLine(), *why});
      ++totals.rejected;
      continue;
    }
    // Each row in a transaction nested in the batch's: a row the store refuses at
    // write time is rejected alone, with its line, and the rest of the batch commits.
    ImportTotals counted;
    std::vector<ConsentEvent> events;
    try {
      storage::Transaction rowTxn(txn);
      if (!consentOnly_) {
        capnp::MallocMessageBuilder message;
        auto customer = message.initRoot<storage::schema::Customer>();
        build(checked, customer);
        auto result = storage::CustomerStore::upsert(rowTxn, customer.asReader());
        switch (result.outcome) {
          case storage::UpsertOutcome::INSERTED: ++counted.inserted; break;
          case storage::UpsertOutcome::UPDATED: ++counted.updated; break;
          case storage::UpsertOutcome::UNCHANGED: ++counted.unchanged; break;
        }
        counted.sharedIdentifiers += result.sharedIdentifiers;
        key = result.key;
      } else {
        ++counted.updated;
      }
      for (auto& update : consent) {
        if (storage::ConsentStore::record(rowTxn, *key, update.purpose, update.change)) {
          ++counted.consentChanges;
          events.push_back({*key, update.purpose, update.change.granted});
        }
      }
      rowTxn.commit();
    } catch (const storage::StoreError& e) {
      // A full disk or a damaged store fails every row alike: that is the batch's
      // failure, not this row's.
      if (env_.diskIsFull()) throw;
      rejections.push_back({row.getLine(), std::string("could not be stored: ") + e.what()});
      ++totals.rejected;
      continue;
    }
    totals.add(counted);
    consentEvents_.insert(consentEvents_.end(), events.begin(), events.end());
  }
  return totals;
}

}  // namespace entente::node
