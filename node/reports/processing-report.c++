// The record of processing activities (GDPR Art. 30(1)), generated from the node's
// real configuration and store: the controller and its DPO, the purposes, the
// categories of data subjects and of personal data (the columns actually held, special
// categories marked), the recipients (partners and their policies), transfers outside
// the EU/EEA, the retention period, and the security measures in force.
#include "node/reports/report-kinds.h"
#include "node/reports/subject-sections.h"

#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"
#include "storage/peer-store.h"

#include <map>
#include <set>

namespace entente::node {
namespace {

// EU member states and the other EEA countries (Iceland, Liechtenstein, Norway).
const std::set<std::string> kEea = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE",
                                    "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT",
                                    "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

ReportDocument processingReport(NodeContext& context, const storage::Transaction& txn,
                                const ReportRequest& request, const AuditHead& head) {
  ReportDocument d{"processing", "Record of processing activities (GDPR Art. 30(1))",
                   reportMeta(context, request, head), {}};
  const auto& c = context.config.controller;
  ReportSection who{"Controller", {}, {}, {}, {}};
  auto fact = [&](const char* label, const std::string& value, const char* key) {
    who.facts.emplace_back(label, value.empty() ? std::string("not set ([controller] ") + key + " in node.toml)" : value);
  };
  fact("Name", c.name, "name");
  fact("Address", c.address, "address");
  fact("Contact", c.email, "email");
  fact("Data protection officer", c.dpoName, "dpo_name");
  fact("DPO contact", c.dpoEmail, "dpo_email");
  if (!c.representative.empty()) who.facts.emplace_back("Representative", c.representative);
  fact("Supervisory authority", c.supervisoryAuthority, "supervisory_authority");
  d.sections.push_back(std::move(who));

  ReportSection purposes{"Purposes of the processing", {}, {}, {}, {}};
  ReportTable p{"purposes", "Purposes a comparison with a partner may serve", {"purpose", "description"}, {}, "None."};
  for (auto& x : context.config.purposes) p.rows.push_back({x.name, x.description});
  purposes.tables.push_back(std::move(p));
  d.sections.push_back(std::move(purposes));

  // Which columns are actually held, and by how many customers.
  std::map<std::string, uint64_t> canonical;
  std::map<std::string, std::pair<uint64_t, bool>> attributes;
  uint64_t customers = 0;
  storage::CustomerStore::forEach(txn, [&](uint64_t, storage::schema::Customer::Reader r) {
    ++customers;
    auto count = [&](const char* name, capnp::Text::Reader v) {
      if (v.size() > 0) canonical[name]++;
    };
    count("email", r.getEmail());
    count("phone", r.getPhone());
    count("first_name", r.getFirstName());
    count("last_name", r.getLastName());
    count("birth_date", r.getBirthDate());
    count("postal_code", r.getPostalCode());
    count("country", r.getCountry());
    for (auto a : r.getAttributes()) {
      if (a.getValue().size() == 0) continue;
      auto& entry = attributes[a.getName()];
      entry.first++;
      entry.second = entry.second || a.getSpecialCategory();
    }
  });
  uint64_t events = txn.entries(storage::Table::HISTORY);
  ReportSection data{"Data subjects and personal data", {}, {}, {}, {}};
  data.facts.emplace_back("Data subjects", "customers of " + controllerName(context) + " (" + std::to_string(customers) +
                                               " held), imported from its CRM and ERP exports");
  ReportTable cats{"data-categories", "Categories of personal data actually held",
                   {"data", "customers holding it", "category"}, {}, "No customer is held."};
  cats.rows.push_back({"customer id", std::to_string(customers), "identification"});
  for (auto& [name, n] : canonical) {
    bool contact = name == "email" || name == "phone";
    cats.rows.push_back({fieldLabel(name), std::to_string(n), contact ? "contact details" : "identity and address"});
  }
  for (auto& [name, v] : attributes) {
    cats.rows.push_back({name, std::to_string(v.first), v.second ? "SPECIAL CATEGORY (Art. 9)" : "profile"});
  }
  if (events > 0) cats.rows.push_back({"purchase and contact history", std::to_string(events) + " events", "history"});
  cats.rows.push_back({"consent records", std::to_string(storage::ConsentStore::recordCount(txn)), "consent"});
  data.tables.push_back(std::move(cats));
  d.sections.push_back(std::move(data));

  ReportSection recipients{"Recipients and transfers", {}, {}, {}, {}};
  recipients.paragraphs.push_back(
      "Partners receive only values blinded with a secret of each session, never an identifier. A partner whose "
      "country is outside the EU/EEA is a transfer (Chapter V): it needs an adequacy decision or appropriate "
      "safeguards.");
  ReportTable r{"recipients", "Partner nodes and what their policies allow",
                {"partner", "country", "outside EU/EEA", "purposes", "modes", "minimum overlap shown", "status"}, {},
                "No partner."};
  for (auto& peer : storage::PeerStore::list(txn)) {
    std::string region = context.config.partnerRegion(peer.name);
    std::string outside = region.empty() ? "unknown: set [partner_regions] in node.toml" : kEea.count(region) ? "no" : "YES";
    r.rows.push_back({peer.name, region.empty() ? "not set" : region, outside, joined(peer.policy.purposes),
                      joined(peer.policy.modes), std::to_string(peer.policy.minReportableOverlap),
                      peer.revoked ? "revoked" : "active"});
  }
  recipients.tables.push_back(std::move(r));
  d.sections.push_back(std::move(recipients));

  ReportSection retention{"Retention", {}, {}, {}, {}};
  retention.paragraphs.push_back(c.retention.empty() ? "Not set: add `retention` to [controller] in node.toml."
                                                     : "Customer data is kept " + c.retention + ".");
  d.sections.push_back(std::move(retention));

  ReportSection security{"Technical and organisational security measures (Art. 32)", {}, {}, {}, {}};
  security.facts = {
      {"Between partners", "mutual TLS 1.3, each partner pinned to the Ed25519 identity key it showed at pairing"},
      {"Matching", "ECDH private set intersection over ristretto255: only values blinded with a per-session secret "
                   "leave the node"},
      {"Identity key", context.config.insecurePlaintextKey ? "stored UNSEALED (insecure_plaintext_key = true)"
                                                           : "sealed with a key derived by Argon2id from a passphrase"},
      {"Audit", "every action in a hash chain with Ed25519-signed checkpoints; partners' signed receipts kept"},
      {"Access", "tokens with roles (admin, marketer, compliance), stored as hashes"},
      {"Erasure", "records, identifiers, consent, history and session lists deleted; the store rewritten"},
      {"Admin address", context.config.adminListen.empty() ? "off"
                        : context.config.adminTlsCertificate.empty() ? "loopback only, " + context.config.adminListen
                                                                     : "TLS, " + context.config.adminListen},
  };
  d.sections.push_back(std::move(security));
  return d;
}

}  // namespace entente::node
