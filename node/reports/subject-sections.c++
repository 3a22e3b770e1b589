#include "node/reports/subject-sections.h"

#include "node/reports/report-basis.h"
#include "storage/consent-store.h"

namespace entente::node {

std::string controllerName(const NodeContext& context) {
  return context.config.controller.name.empty() ? "the firm" : context.config.controller.name;
}

ReportSection aboutThisReport(const NodeContext& context) {
  ReportSection s{"About this report", {}, {}, {}, {}};
  s.paragraphs.push_back(
      "This report answers a request of access under Article 15 of the General Data Protection Regulation. It lists "
      "everything " + controllerName(context) + " holds about you in its Entente node \"" + context.config.name +
      "\", a system that lets partner firms find the customers they share without handing their customer files to "
      "each other.");
  s.paragraphs.push_back("Partner firms never receive your e-mail address, phone number or name: only values "
                         "blinded with a secret of each comparison, which they cannot turn back into your details.");
  return s;
}

ReportSection purposesAndConsent(const NodeContext& context, const storage::Transaction& txn, uint64_t key,
                                 bool brief) {
  ReportSection s{"Purposes, legal bases and consent", {}, {}, {}, {}};
  if (!brief) {
    s.paragraphs.push_back("Your data is used in comparisons with partners only for a purpose you agreed to (or on "
                           "the legal basis shown), and only while that agreement stands. A withdrawal applies to "
                           "every later comparison.");
  }
  ReportTable purposes{"purposes", "Purposes and your current choice",
                       {"purpose", "description", "legal basis", "state"}, {}, "None."};
  ReportTable changes{"consent-changes", "Every change of your consent, oldest first",
                      {"purpose", "change", "effective", "recorded", "source", "legal basis", "notice version",
                       "expires"},
                      {}, "No consent was ever recorded."};
  int64_t now = context.clock();
  for (auto& p : context.config.purposes) {
    auto history = storage::ConsentStore::history(txn, key, p.name);
    auto state = storage::ConsentStore::state(txn, key, p.name, now);
    std::string basis = history.empty() ? "none (never asked)" : history.back().basis;
    purposes.rows.push_back({p.name, p.description, basis, storage::consentStateName(state)});
    for (auto& c : history) {
      changes.rows.push_back({p.name, c.granted ? "granted" : "withdrawn", isoTime(c.atUnix), isoTime(c.recordedAtUnix),
                              c.source, c.basis, c.noticeVersion, c.expiresAtUnix ? isoTime(c.expiresAtUnix) : "never"});
    }
  }
  s.tables.push_back(std::move(purposes));
  s.tables.push_back(std::move(changes));
  return s;
}

namespace {

std::string disclosed(const storage::CustomerSession& c) {
  const auto& s = c.session;
  if (s.role == "responder") {
    return s.mode == "ids"
               ? "Your blinded identifiers were offered; the partner could learn only whether you are also its "
                 "customer, never your identifiers."
               : "Your blinded identifiers were offered; the partner learned only a count of shared customers.";
  }
  std::string text = "Your blinded identifiers were sent; the partner cannot turn them back into your details.";
  if (c.matched) {
    text += " This node learned that you are also the partner's customer.";
    if (!s.attributes.empty()) {
      text += " It received about you: ";
      for (size_t i = 0; i < s.attributes.size(); ++i) text += (i ? ", " : "") + s.attributes[i];
      text += ".";
    }
  }
  return text;
}

}  // namespace

ReportSection recipients(const NodeContext& context, const std::vector<storage::CustomerSession>& sessions) {
  ReportSection s{"Recipients", {}, {}, {}, {}};
  s.paragraphs.push_back("Each comparison with a partner firm in which your blinded identifiers took part, whichever "
                         "firm asked.");
  ReportTable t{"recipients", "Comparisons you took part in",
                {"session", "when", "partner", "partner's country", "asked by", "purpose", "mode", "outcome",
                 "what was disclosed"},
                {}, "None: your data was never part of a comparison."};
  for (auto& c : sessions) {
    std::string region = context.config.partnerRegion(c.session.partner);
    t.rows.push_back({c.session.sessionId, isoTime(c.session.atUnix), c.session.partner,
                      region.empty() ? "not recorded" : region,
                      c.session.role == "requester" ? "this firm" : "the partner", c.session.purpose, c.session.mode,
                      c.session.outcome, disclosed(c)});
  }
  s.tables.push_back(std::move(t));
  return s;
}

std::vector<ReportSection> rightsAndRetention(const NodeContext& context) {
  const auto& c = context.config.controller;
  std::vector<ReportSection> out;
  ReportSection retention{"How long your data is kept", {}, {}, {}, {}};
  retention.paragraphs.push_back(c.retention.empty()
                                     ? "The retention period is not set in this node's settings ([controller] "
                                       "retention in node.toml); ask the controller below."
                                     : "Your data is kept " + c.retention + ".");
  out.push_back(std::move(retention));
  ReportSection rights{"Your rights", {}, {}, {}, {}};
  rights.paragraphs = {
      "Rectification (Art. 16): you may have inaccurate data corrected.",
      "Erasure (Art. 17): you may have your data erased; the node then keeps only the fact that an erasure took "
      "place, and when.",
      "Restriction (Art. 18): you may have the use of your data restricted while a question is settled.",
      "Objection (Art. 21) and withdrawal of consent (Art. 7(3)): you may object, or withdraw any consent above, at "
      "any time; it applies to every later comparison and does not affect earlier ones.",
      "Portability (Art. 20): you may receive the data you provided in a machine-readable form (this report exists "
      "as JSON and CSV too).",
      "Complaint (Art. 77): you may complain to a supervisory authority" +
          (c.supervisoryAuthority.empty() ? std::string(".") : ": " + c.supervisoryAuthority + "."),
  };
  out.push_back(std::move(rights));
  ReportSection automated{"Automated decisions", {}, {}, {}, {}};
  automated.paragraphs.push_back(
      "No decision based solely on automated processing, including profiling, that produces legal effects or "
      "similarly significantly affects you (Art. 22) is made with this data. Comparisons only find which customers "
      "two firms share.");
  out.push_back(std::move(automated));
  ReportSection controller{"Who is responsible", {}, {}, {}, {}};
  auto fact = [&](const char* label, const std::string& value) {
    controller.facts.emplace_back(label, value.empty() ? "not set" : value);
  };
  fact("Controller", c.name);
  fact("Address", c.address);
  fact("Contact", c.email);
  fact("Data protection officer", c.dpoName + (c.dpoEmail.empty() ? "" : " <" + c.dpoEmail + ">"));
  if (!c.representative.empty()) fact("Representative in the EU", c.representative);
  out.push_back(std::move(controller));
  return out;
}

}  // namespace entente::node
