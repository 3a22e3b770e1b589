#include "node/reports/report-request.h"

#include "node/reports/report-kinds.h"
#include "node/reports/subject-sections.h"
#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "storage/participation-store.h"

#include <nlohmann/json.hpp>

namespace entente::node {

ReportDocument buildReport(NodeContext& context, const std::string& actor, const ReportRequest& request) {
  if (request.sinceUnix > request.untilUnix) protocol::failWith("--since is after --until: give a period forward in time");
  auto head = auditHead(context);
  ReportDocument document;
  Details details = {{"kind", request.brief ? "customer" : request.kind},
                     {"audit_head", std::to_string(head.entry)}};
  {
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    if (request.kind == "subject") {
      auto found = findSubject(context, txn, request.subject);
      // The entry names the customer by its internal key (never an identifier); an
      // erased person by nothing.
      details.emplace_back("customer_key", found.key ? std::to_string(*found.key) : "erased");
      document = subjectReport(context, txn, found, request, head);
    } else if (request.kind == "consent") {
      document = consentReport(context, txn, request, head);
    } else if (request.kind == "audit") {
      document = auditReport(context, txn, request, head);
    } else if (request.kind == "processing") {
      document = processingReport(context, txn, request, head);
    } else {
      protocol::failWith("unknown report '" + request.kind + "'; the reports are subject, consent, audit and processing");
    }
  }
  context.gate.record(request.brief ? "customer.show" : "report.generate", actor, "ok", details);
  return document;
}

std::string consentReceipt(NodeContext& context, const std::string& actor, const SubjectLookup& subject) {
  auto head = auditHead(context);
  nlohmann::ordered_json receipt;
  uint64_t key;
  {
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    auto found = findSubject(context, txn, subject);
    if (!found.key) {
      protocol::failWith("this person was erased on " + isoTime(*found.erasedAtUnix) +
                         ": no consent record is held any more");
    }
    key = *found.key;
    auto record = storage::CustomerStore::read(txn, key);
    auto customer = record.get();
    std::vector<std::string> categories;
    if (customer.getEmail().size()) categories.push_back("contact details: e-mail address");
    if (customer.getPhone().size()) categories.push_back("contact details: phone number");
    if (customer.getLastName().size()) categories.push_back("identity: name");
    if (customer.getBirthDate().size()) categories.push_back("identity: date of birth");
    if (customer.getPostalCode().size()) categories.push_back("address: postal code");
    const auto& c = context.config.controller;
    std::vector<std::string> recipients;
    for (auto& s : storage::ParticipationStore::involving(txn, key)) {
      if (std::find(recipients.begin(), recipients.end(), s.session.partner) == recipients.end()) {
        recipients.push_back(s.session.partner);
      }
    }
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (auto& p : context.config.purposes) {
      auto history = storage::ConsentStore::history(txn, key, p.name);
      if (history.empty()) continue;
      nlohmann::ordered_json events = nlohmann::ordered_json::array();
      for (size_t i = 0; i < history.size(); ++i) {
        auto& h = history[i];
        events.push_back({{"event_id", i + 1},
                          {"event_time", isoTime(h.atUnix)},
                          {"recorded_time", isoTime(h.recordedAtUnix)},
                          {"event_type", h.granted ? "consent given" : "consent withdrawn"},
                          {"event_by", h.source},
                          {"expiry", h.expiresAtUnix ? nlohmann::ordered_json(isoTime(h.expiresAtUnix)) : nullptr}});
      }
      auto& last = history.back();
      records.push_back({
          {"record_id", context.config.name + ":" + std::to_string(key) + ":" + p.name},
          {"pii_principal_id", customer.getCustomerId().cStr()},
          {"notice", {{"version", last.noticeVersion}, {"language", "en"}}},
          {"language", "en"},
          {"purpose", {{"id", p.name}, {"description", p.description}}},
          {"lawful_basis", last.basis},
          {"pii_categories", categories},
          {"controller", {{"name", c.name}, {"contact", c.email}, {"dpo", c.dpoEmail}}},
          {"collection_method", last.source},
          {"recipients", recipients},
          {"retention", c.retention.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.retention)},
          {"withdrawal_method", "ask " + (c.email.empty() ? std::string("the controller") : c.email) +
                                    "; a withdrawal applies to every later comparison"},
          {"event", std::move(events)},
          {"state", storage::consentStateName(storage::ConsentStore::state(txn, key, p.name, context.clock()))},
      });
    }
    receipt = {{"schema", "ISO/IEC TS 27560 consent record"},
               {"node", context.config.name},
               {"generated", isoTime(context.clock())},
               {"audit_head", {{"entry", head.entry}, {"hash", head.hash}}},
               {"records", std::move(records)}};
  }
  context.gate.record("report.generate", actor, "ok",
                      {{"kind", "consent-receipt"}, {"audit_head", std::to_string(head.entry)},
                       {"customer_key", std::to_string(key)}});
  return receipt.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace entente::node
