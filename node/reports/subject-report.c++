// The subject access report (GDPR Art. 15): everything the node holds about one
// person, where it came from, what it is used for and on what basis, who received the
// person's blinded identifiers, how long it is kept, and the person's rights, in words
// the person can read. For an erased person: only that, and when, an erasure took place.
#include "node/reports/report-basis.h"
#include "node/reports/report-kinds.h"
#include "node/reports/subject-sections.h"

#include "crypto/identifier-kind.h"

#include "storage/consent-store.h"
#include "storage/customer-sources.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"
#include "storage/participation-store.h"
#include "text/utc-time.h"

#include <cstdio>

namespace entente::node {
namespace {

std::string amountText(const storage::HistoryEvent& e) {
  if (!e.amountMinor) return "";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%02lld", static_cast<long long>(*e.amountMinor / 100),
                static_cast<long long>(*e.amountMinor % 100));
  return buffer;
}

ReportSection dataHeld(storage::schema::Customer::Reader c) {
  ReportSection s{"The data held", {}, {}, {}, {}};
  s.paragraphs.push_back("These are the personal data the node holds about the person, as the firm's own systems "
                         "exported them.");
  auto add = [&](const char* label, capnp::Text::Reader value) {
    if (value.size() > 0) s.facts.emplace_back(label, value.cStr());
  };
  add("Customer id", c.getCustomerId());
  add("First name", c.getFirstName());
  add("Last name", c.getLastName());
  add("E-mail address", c.getEmail());
  add("Phone number", c.getPhone());
  add("Date of birth", c.getBirthDate());
  add("Postal code", c.getPostalCode());
  add("Country", c.getCountry());
  ReportTable attributes{"attributes", "Other information held, column by column",
                         {"attribute", "value", "category"}, {}, "None."};
  for (auto a : c.getAttributes()) {
    attributes.rows.push_back({a.getName().cStr(), a.getValue().cStr(),
                               a.getSpecialCategory() ? "special category (GDPR Art. 9): never offered to a partner"
                                                      : "ordinary"});
  }
  s.tables.push_back(std::move(attributes));
  ReportTable identifiers{"identifiers", "Identifiers used for matching, in the normalised form that is blinded",
                          {"kind", "normalised value"}, {}, "None: this person is never matched."};
  for (auto id : c.getIdentifiers()) {
    identifiers.rows.push_back(
        {std::string(crypto::kindName(static_cast<crypto::IdentifierKind>(id.getKind()))), id.getValue().cStr()});
  }
  s.tables.push_back(std::move(identifiers));
  return s;
}

ReportSection history(const storage::Transaction& txn, uint64_t key) {
  ReportSection s{"Purchase and contact history", {}, {}, {}, {}};
  ReportTable events{"history", "Events from the firm's sales and contact records",
                     {"date", "type", "category", "amount", "currency", "channel", "event id", "source"}, {}, "None."};
  storage::HistoryStore::forCustomer(txn, key, [&](storage::schema::HistoryEvent::Reader r) {
    auto e = storage::decodeHistoryEvent(r);
    events.rows.push_back({text::utcDate(int64_t{e.dateDays} * 86400), storage::historyEventTypeName(e.type),
                           e.category, amountText(e), e.currency, e.channel, e.eventId, e.source});
  });
  s.tables.push_back(std::move(events));
  return s;
}

ReportSection sources(const storage::Transaction& txn, uint64_t key) {
  ReportSection s{"Where the data came from", {}, {}, {}, {}};
  s.paragraphs.push_back("The data were imported from the firm's customer files (its CRM or ERP exports). Consent "
                         "changes name their own source in the consent history below.");
  ReportTable t{"sources", "Files that created or changed the record",
                {"file", "read with", "first written", "last changed", "line", "imported by"}, {}, "None recorded "
                "(imported before sources were kept)."};
  for (auto& e : storage::CustomerSources::read(txn, key)) {
    t.rows.push_back({e.source, e.mapping.empty() ? "Entente's own column names" : e.mapping, isoTime(e.firstAtUnix),
                      isoTime(e.lastAtUnix), std::to_string(e.lastLine), e.actor});
  }
  s.tables.push_back(std::move(t));
  return s;
}

}  // namespace

ReportDocument subjectReport(NodeContext& context, const storage::Transaction& txn, const FoundSubject& found,
                             const ReportRequest& request, const AuditHead& head) {
  ReportDocument d;
  d.kind = "subject";
  d.title = request.brief ? "Customer record" : "Subject access report";
  d.meta = reportMeta(context, request, head);
  if (!found.key) {
    ReportSection s{"Erasure", {}, {}, {}, {}};
    s.paragraphs.push_back("An erasure of this person's data took place on " + isoTime(*found.erasedAtUnix) +
                           ". Nothing else about them is held on this node.");
    d.sections.push_back(std::move(s));
    return d;
  }
  uint64_t key = *found.key;
  auto record = storage::CustomerStore::read(txn, key);
  auto customer = record.get();
  if (!request.brief) d.sections.push_back(aboutThisReport(context));
  d.sections.push_back(dataHeld(customer));
  d.sections.push_back(history(txn, key));
  d.sections.push_back(sources(txn, key));
  d.sections.push_back(purposesAndConsent(context, txn, key, request.brief));
  d.sections.push_back(recipients(context, storage::ParticipationStore::involving(txn, key)));
  if (!request.brief) {
    for (auto& s : rightsAndRetention(context)) d.sections.push_back(std::move(s));
  }
  return d;
}

}  // namespace entente::node
