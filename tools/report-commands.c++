// entente report KIND, entente customer show, entente consent receipt: the compliance
// officer's reports. The node renders them (node/reports/), so a report reads the same
// here, in a file and on the admin address; this file only asks and writes.
#include "crypto/private-file.h"
#include "node/import/import-columns.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>

#include <iostream>
#include <memory>

namespace entente::tools {
namespace {

struct ReportOptions {
  std::string kind, node, since, until, format, out, customer, email, phone;
  std::string firstName, lastName, birthDate, postalCode, country;
  bool force = false;
  bool json = false;
};

int64_t dateOption(const std::string& text, const char* option, bool endOfDay) {
  auto unix = node::isoDateToUnix(text);
  if (!unix) throw CliError(fmt::format("{} takes a date, YYYY-MM-DD (UTC), not '{}'", option, text), 2);
  return endOfDay ? *unix + 86399 : *unix;
}

void fillQuery(const ReportOptions& o, protocol::control::ReportQuery::Builder q) {
  q.setKind(o.kind);
  q.setFormat(o.json ? "json" : o.format);
  if (!o.since.empty()) {
    q.setHasSince(true);
    q.setSinceUnix(dateOption(o.since, "--since", false));
  }
  if (!o.until.empty()) {
    q.setHasUntil(true);
    q.setUntilUnix(dateOption(o.until, "--until", true));
  }
  q.setCustomerId(o.customer);
  q.setEmail(o.email);
  q.setPhone(o.phone);
  q.setFirstName(o.firstName);
  q.setLastName(o.lastName);
  q.setBirthDate(o.birthDate);
  q.setPostalCode(o.postalCode);
  q.setCountry(o.country);
}

// The --out file, opened (0600, under a temporary name) before anything is asked, so a
// refused report leaves an existing file as it was; null for standard output.
std::unique_ptr<crypto::PrivateFile> outputOf(const ReportOptions& o) {
  return o.out.empty() ? nullptr : openOutputFile(o.out, o.force);
}

void deliver(const ReportOptions& o, std::unique_ptr<crypto::PrivateFile> file, capnp::Data::Reader document) {
  std::string_view text(reinterpret_cast<const char*>(document.begin()), document.size());
  if (!file) {
    std::cout << text;
    std::cout.flush();
    return;
  }
  file->out() << text;
  try {
    file->commit();
  } catch (const crypto::FileError& e) {
    throw CliError(e.what());
  }
  fmt::print(stderr, "wrote the {} report to {} ({} bytes)\n", o.kind.empty() ? "customer" : o.kind, o.out,
             document.size());
}

// Asks the node for one document (the three methods take the same query and answer
// with the document) and writes it where --out says.
template <typename MakeRequest>
void fetch(const ReportOptions& o, MakeRequest makeRequest) {
  auto file = outputOf(o);
  ControlClient client(resolveNodeDir(o.node));
  auto request = makeRequest(client.control());
  fillQuery(o, request.initQuery());
  auto response = client.wait(request.send());
  deliver(o, std::move(file), response.getDocument());
}

void runReport(const ReportOptions& o) {
  if (o.kind == "subject" && o.customer.empty() && o.email.empty() && o.phone.empty() && o.lastName.empty()) {
    throw CliError("a subject report needs the person: --customer ID, --email ADDRESS or --phone NUMBER", 2);
  }
  fetch(o, [](auto control) { return control.reportRequest(); });
}

void showCustomer(const ReportOptions& o) {
  fetch(o, [](auto control) { return control.showCustomerRequest(); });
}

void receipt(const ReportOptions& o) {
  fetch(o, [](auto control) { return control.consentReceiptRequest(); });
}

void addPersonOptions(CLI::App& cmd, ReportOptions& o, bool withNames) {
  cmd.add_option("--email", o.email, "The person's e-mail address (found through the normalised identifier index)");
  cmd.add_option("--phone", o.phone, "The person's phone number, national or international");
  if (!withNames) return;
  cmd.add_option("--first-name", o.firstName, "With --last-name, --birth-date and --postal-code: find by name_dob_postal");
  cmd.add_option("--last-name", o.lastName, "The person's last name (name_dob_postal)");
  cmd.add_option("--birth-date", o.birthDate, "The person's date of birth, YYYY-MM-DD (name_dob_postal)");
  cmd.add_option("--postal-code", o.postalCode, "The person's postal code (name_dob_postal)");
  cmd.add_option("--country", o.country, "The person's country (default: the node's region)");
}

void addOutputOptions(CLI::App& cmd, ReportOptions& o) {
  cmd.add_option("--out", o.out, "File to write, mode 0600 (default: standard output)");
  cmd.add_flag("--force", o.force, "Replace the --out file if it exists (else an existing file is kept)");
  addNodeOption(cmd, o.node);
}

}  // namespace

void addReportCommands(CLI::App& app) {
  auto r = std::make_shared<ReportOptions>();
  r->format = "text";
  auto* cmd = app.add_subcommand("report", "Compliance reports: subject access, consent, audit, record of processing");
  cmd->add_option("KIND", r->kind, "subject, consent, audit or processing")
      ->required()
      ->check(CLI::IsMember({"subject", "consent", "audit", "processing"}));
  cmd->add_option("--since", r->since, "Start of the period, YYYY-MM-DD (UTC); default: the beginning");
  cmd->add_option("--until", r->until, "End of the period, YYYY-MM-DD (UTC, the whole day); default: now");
  cmd->add_option("--format", r->format, "text, html (one self-contained file), csv or json")
      ->check(CLI::IsMember({"text", "html", "csv", "json"}));
  cmd->add_option("--customer", r->customer, "subject: the person's customer_id");
  addPersonOptions(*cmd, *r, true);
  addOutputOptions(*cmd, *r);
  cmd->footer(
      "Every report states the node, the period, when it was generated and the audit head it was read at.\n"
      "Examples: entente report subject --email jean.dupont@example.fr --format html --out dsar.html\n"
      "          entente report audit --since 2026-11-01 --until 2026-11-30 --format csv --out audit-nov.csv\n"
      "          entente report processing --format html --out ropa.html");
  cmd->callback([r] { runReport(*r); });

  auto s = std::make_shared<ReportOptions>();
  s->kind = "subject";
  s->format = "text";
  auto* customer = app.get_subcommand("customer");
  auto* showCmd = customer->add_subcommand("show", "Everything held about one customer: data, history, sources, "
                                                    "consent, sessions");
  showCmd->add_option("CUSTOMER", s->customer, "The customer's customer_id (or give --email, --phone, ...)");
  addPersonOptions(*showCmd, *s, true);
  showCmd->add_flag("--json", s->json, "Print the record as one JSON document (docs/compliance.md)");
  addOutputOptions(*showCmd, *s);
  showCmd->footer("Examples: entente customer show C-1042\n          entente customer show --email jean.dupont@example.fr");
  showCmd->callback([s] { showCustomer(*s); });

  auto c = std::make_shared<ReportOptions>();
  auto* consent = app.get_subcommand("consent");
  auto* receiptCmd = consent->add_subcommand("receipt", "A customer's consent records as JSON (ISO/IEC TS 27560 fields)");
  receiptCmd->add_option("CUSTOMER", c->customer, "The customer's customer_id (or give --email or --phone)");
  addPersonOptions(*receiptCmd, *c, false);
  addOutputOptions(*receiptCmd, *c);
  receiptCmd->footer("Example: entente consent receipt C-1042 --out C-1042-consent.json");
  receiptCmd->callback([c] { receipt(*c); });
}

}  // namespace entente::tools
