// `entente import` against a real node: what IT staff see when they load exports.
#include "tests/support/entente-cli.h"
#include "tools/child-process.h"
#include "tools/commands.h"
#include "tools/sample-population.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>

using namespace entente;
using namespace entente::testing;

namespace {

uint64_t customers(TestNetwork& net, const std::string& node) {
  auto r = net.run(node, {"node", "status", "--json"});
  REQUIRE(r.exitCode == 0);
  return jsonNumber(r.out, "customers");
}

}  // namespace

TEST_CASE("a second import of the same file changes nothing") {
  TestNetwork net;
  auto set = sample::writeSampleSet({2, 300, 0.5, 5}, net.root() / "data");
  net.addNode("firm-b", "ES");
  auto args = tools::importArgsFor(set.firms[1]);
  args.push_back("--json");
  auto first = net.run("firm-b", args);
  REQUIRE(first.exitCode == 0);
  CHECK(jsonNumber(first.out, "inserted") == 300);
  auto store = readFile(net.dir("firm-b") / "store" / "data.mdb");
  auto second = net.run("firm-b", args);
  REQUIRE(second.exitCode == 0);
  CHECK(jsonNumber(second.out, "unchanged") == 300);
  CHECK(jsonNumber(second.out, "inserted") == 0);
  CHECK(jsonNumber(second.out, "updated") == 0);
  CHECK(customers(net, "firm-b") == 300);
}

TEST_CASE("bad rows are rejected with their line and reason while the good rows go in") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email,phone,segment\n"
                         "C1,ana@example.pt,+351912345678,sailing\n"
                         "C2,not-an-email,,sailing\n"                    // line 3: bad e-mail
                         "C3,\"unterminated,+33612345678,x\n"            // line 4: open quote...
                         "C4,joao@example.pt,+351912345679,family\n"
                         ",nobody@example.fr,,family\n"                  // no customer_id
                         "C5,eva@example.fi,040 123 4567,extra,field\n"  // too many fields
                         "C6,eva@example.fi,,family\n";
  auto rejects = net.root() / "rejects.csv";
  auto r = net.run("boats", {"import", file.string(), "--json", "--rejects", rejects.string()});
  CHECK(r.exitCode == 1);  // rows were rejected: a script must notice
  CHECK_THAT(r.err, Catch::Contains("3 rows rejected (--max-rejects 0); the other rows are stored"));
  CHECK_THAT(r.err, Catch::Contains("crm.csv:3: email dropped, customer kept: email"));
  CHECK_THAT(r.err, Catch::Contains("crm.csv:4: rejected"));
  CHECK_THAT(r.err, Catch::Contains("customer_id is empty"));
  CHECK_THAT(r.err, Catch::Contains("has 5 fields where the header has 4"));
  CHECK_THAT(r.err, !Catch::Contains("not-an-email"));
  CHECK(jsonNumber(r.out, "inserted") == 4);  // C1, C2 (without its e-mail), C4, C6
  CHECK(jsonNumber(r.out, "rejected") == 3);
  CHECK(customers(net, "boats") == 4);
  // The rejected rows, with their line and reason and the file's own columns.
  CHECK((std::filesystem::status(rejects).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto listed = readFile(rejects);
  CHECK_THAT(listed, Catch::StartsWith("customer_id,email,phone,segment,entente_rejected_line,entente_rejected_reason\n"));
  CHECK_THAT(listed, Catch::Contains(",nobody@example.fr,,family,6,customer_id is empty"));
  CHECK_THAT(listed, Catch::Contains("C5,eva@example.fi,040 123 4567,extra,7,has 5 fields where the header has 4"));
  // --max-rejects lets a known number through with exit status 0.
  CHECK(net.run("boats", {"import", file.string(), "--max-rejects", "3"}).exitCode == 0);
  CHECK(net.run("boats", {"import", file.string(), "--max-rejects", "2"}).exitCode == 1);
}

TEST_CASE("a file without a customer_id column is refused before anything is stored") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "Client,email\nC1,a@b.fr\n";
  auto r = net.run("boats", {"import", file.string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("--map 'YOUR COLUMN=customer_id'"));
  CHECK(customers(net, "boats") == 0);
  auto mapped = net.run("boats", {"import", file.string(), "--map", "Client=customer_id"});
  CHECK(mapped.exitCode == 0);
  CHECK(customers(net, "boats") == 1);
}

TEST_CASE("a --map to a name close to a canonical column is refused as a likely typo") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,Mail\nC1,a@b.fr\n";
  auto r = net.run("boats", {"import", file.string(), "--map", "Mail=e-mail"});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("did you mean email?"));
  CHECK(customers(net, "boats") == 0);
}

TEST_CASE("a dry run says what would change and stores nothing") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email,phone,segment,consent_cross-selling\n"
                         "C1,ana@example.pt,+351912345678,sailing,yes\n"
                         "C2,joao@example.pt,+351912345679,family,yes\n";
  REQUIRE(net.run("boats", {"import", file.string()}).exitCode == 0);
  auto log = readFile(net.dir("boats") / "node.log");
  // A re-export without the phone column and with a changed segment and a new customer.
  auto next = net.root() / "crm-2.csv";
  std::ofstream(next) << "customer_id,email,segment,phone\n"
                         "C1,ana@example.pt,racing,\n"
                         "C2,joao@example.pt,family,+351912345679\n"
                         "C3,eva@example.fi,family,\n";
  auto r = net.run("boats", {"import", next.string(), "--dry-run"});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("nothing was stored"));
  CHECK_THAT(r.out, Catch::Contains("1 inserted, 1 updated, 1 unchanged, 0 rejected"));
  CHECK_THAT(r.out, Catch::Contains("phone: 1 removed"));
  CHECK_THAT(r.out, Catch::Contains("segment: 1 changed"));
  CHECK(customers(net, "boats") == 2);
  CHECK_THAT(readFile(net.dir("boats") / "node.log").substr(log.size()), Catch::Contains("import.dry-run"));
  // The real import then finds every change still to make: the dry run made none.
  auto real = net.run("boats", {"import", next.string()});
  CHECK_THAT(real.out, Catch::Contains("1 inserted, 1 updated, 1 unchanged, 0 rejected"));
  CHECK(customers(net, "boats") == 3);
}

TEST_CASE("ambiguous dates are dropped, never misread, and the summary names the format that reads them") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "us.csv";
  std::ofstream(file) << "customer_id,email,birth_date\n"
                         "U1,a@example.com,12/31/1980\n"  // only month-first reads it
                         "U2,b@example.com,03/04/1975\n"  // 3 April or 4 March: never guessed
                         "U3,c@example.com,1990-07-14\n";
  auto r = net.run("boats", {"import", file.string()});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.err, Catch::Contains("us.csv:3: birth_date dropped, customer kept"));
  CHECK_THAT(r.out, Catch::Contains("1 dates of birth_date read two ways and were dropped; every date of the column "
                                    "reads with --date-format '%m/%d/%Y'"));
  auto fixed = net.run("boats", {"import", file.string(), "--date-format", "%m/%d/%Y", "--json"});
  REQUIRE(fixed.exitCode == 0);
  CHECK(jsonNumber(fixed.out, "updated") == 1);  // U2 gets its birth date, the others are as read before
  CHECK(jsonNumber(fixed.out, "unchanged") == 2);
  CHECK_THAT(fixed.out, Catch::Contains("\"birth_date\":{\"changed\":0,\"added\":1,\"removed\":0}"));
}

TEST_CASE("a file without consent says once that its customers cannot be matched yet") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email\nC1,a@b.fr\nC2,c@d.fr\nC3,e@f.fr\n";
  auto r = net.run("boats", {"import", file.string()});
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.err, Catch::Contains("note: the file has no consent column"));
  CHECK_THAT(r.err, Catch::Contains("entente consent import"));
  size_t notes = 0;
  for (size_t at = r.err.find("no consent column"); at != std::string::npos; at = r.err.find("no consent column", at + 1)) ++notes;
  CHECK(notes == 1);
}

TEST_CASE("an unknown purpose in the header refuses the import once, before any row") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email,consent_telepathy\nC1,a@b.fr,yes\nC2,c@d.fr,yes\n";
  auto r = net.run("boats", {"import", file.string()});
  CHECK(r.exitCode == 1);
  CHECK_THAT(r.err, Catch::Contains("consent_telepathy names an unknown purpose"));
  CHECK(r.err.find("unknown purpose") == r.err.rfind("unknown purpose"));
  CHECK(customers(net, "boats") == 0);
}

TEST_CASE("a full export names the customers it no longer holds, and --remove-missing erases them") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  std::ofstream(file) << "customer_id,email\nC1,a@b.fr\nC2,gone@d.fr\nC3,e@f.fr\n";
  REQUIRE(net.run("boats", {"import", file.string()}).exitCode == 0);
  auto next = net.root() / "crm-2.csv";
  std::ofstream(next) << "customer_id,email\nC1,a@b.fr\nC3,e@f.fr\n";
  auto report = net.run("boats", {"import", next.string(), "--full"});
  REQUIRE(report.exitCode == 0);
  CHECK_THAT(report.out, Catch::Contains("1 stored customers are not in the file: C2"));
  CHECK(customers(net, "boats") == 3);
  auto dry = net.run("boats", {"import", next.string(), "--full", "--remove-missing", "--dry-run"});
  CHECK_THAT(dry.out, Catch::Contains("not erased: a dry run erases nothing"));
  CHECK(customers(net, "boats") == 3);
  auto erase = net.run("boats", {"import", next.string(), "--full", "--remove-missing"});
  REQUIRE(erase.exitCode == 0);
  CHECK_THAT(erase.out, Catch::Contains("erased 1 of them"));
  CHECK(customers(net, "boats") == 2);
  CHECK(readFile(net.dir("boats") / "store" / "data.mdb").find("gone@d.fr") == std::string::npos);
  CHECK_THAT(readFile(net.dir("boats") / "node.log"), Catch::Contains(" customer.erase actor=initial-admin outcome=ok"));
  CHECK(net.run("boats", {"import", next.string(), "--remove-missing"}).exitCode == 2);
}

TEST_CASE("a missing file is reported by name") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto r = net.run("boats", {"import", (net.root() / "nope.csv").string()});
  CHECK(r.exitCode == 2);
  CHECK_THAT(r.err, Catch::Contains("nope.csv"));
}

namespace {

// A date `days` before today, as a German ERP writes it (DD.MM.YYYY).
std::string daysAgo(int days) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%d.%m.%Y", &tm);
  return text;
}

}  // namespace

TEST_CASE("an ERP's history imports by event id, and its facts appear in history show") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto customersFile = net.root() / "crm.csv";
  std::ofstream(customersFile) << "customer_id,email\nC1,a@b.fr\nC2,c@d.fr\n";
  REQUIRE(net.run("boats", {"import", customersFile.string()}).exitCode == 0);
  auto erp = net.root() / "erp.csv";
  std::ofstream(erp) << "Kunde,Beleg,Datum,Art,Warengruppe,Betrag,Waehrung,Kanal\n"
                     << "C1,B-1," << daysAgo(10) << ",purchase,sails,\"129,90\",EUR,shop\n"
                     << "C1,B-2," << daysAgo(400) << ",purchase,ropes,20.00,EUR,web\n"
                     << "C1,B-3," << daysAgo(5) << ",complaint,sails,,,phone\n"
                     << "C9,B-4," << daysAgo(3) << ",purchase,sails,10.00,EUR,web\n"   // unknown customer
                     << "C2,B-5," << daysAgo(2) << ",refund,sails,10.00,EUR,web\n";   // unknown type
  std::vector<std::string> args = {"history", "import", erp.string(), "--map", "Kunde=customer_id", "--map",
                                   "Beleg=event_id", "--map", "Datum=date", "--map", "Art=type", "--map",
                                   "Warengruppe=category", "--map", "Betrag=amount", "--map", "Waehrung=currency",
                                   "--map", "Kanal=channel", "--date-format", "%d.%m.%Y", "--max-rejects", "2"};
  auto first = net.run("boats", args);
  INFO(first.err);
  REQUIRE(first.exitCode == 0);
  CHECK_THAT(first.out, Catch::Contains("events: 3 inserted, 0 updated, 0 unchanged, 2 rejected"));
  CHECK_THAT(first.err, Catch::Contains("erp.csv:5: rejected: no customer with this customer_id"));
  CHECK_THAT(first.err, Catch::Contains("erp.csv:6: rejected: type must be one of"));
  // A daily feed sends overlapping files: the same events again change nothing.
  auto again = net.run("boats", args);
  CHECK_THAT(again.out, Catch::Contains("events: 0 inserted, 0 updated, 3 unchanged, 2 rejected"));
  auto show = net.run("boats", {"history", "show", "C1", "--json"});
  REQUIRE(show.exitCode == 0);
  CHECK_THAT(show.out, Catch::Contains("\"purchases.last_12m\":\"1\""));
  CHECK_THAT(show.out, Catch::Contains("\"purchases.last_24m\":\"2\""));
  CHECK_THAT(show.out, Catch::Contains("\"spend.last_12m\":\"129.9\""));
  CHECK_THAT(show.out, Catch::Contains("\"complaint.open\":\"1\""));
  CHECK_THAT(show.out, Catch::Contains("\"days_since_last_purchase\":\"10\""));
  CHECK_THAT(show.out, Catch::Contains("\"source\":\"history import erp.csv:2\""));
  auto text2 = net.run("boats", {"history", "show", "C1"});
  CHECK_THAT(text2.out, Catch::Contains("purchase") && Catch::Contains("129.90 EUR"));
  // Erasure takes the history with the customer.
  REQUIRE(net.run("boats", {"customer", "erase", "C1"}).exitCode == 0);
  CHECK(net.run("boats", {"history", "show", "C1"}).exitCode == 1);
  CHECK(readFile(net.dir("boats") / "store" / "data.mdb").find("B-1") == std::string::npos);
}

TEST_CASE("on a terminal an import shows its rate and time left; in a pipe only the summary") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = net.root() / "crm.csv";
  {
    std::ofstream out(file);
    out << "customer_id,email\n";
    for (int i = 0; i < 3000; ++i) out << "C" << i << ",p" << i << "@example.fr\n";
  }
  auto quoted = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string command = quoted(ententeBinary().string()) + " import " + quoted(file.string()) +
                        " --batch-rows 500 --node " + quoted(net.dir("boats").string());
  // script(1) (bsdutils, essential in Debian) gives the command a terminal.
  auto terminal = tools::runChild("/usr/bin/script", {"-qec", command, "/dev/null"}, tools::Capture::STDOUT_AND_STDERR);
  REQUIRE(terminal.exitCode == 0);
  CHECK_THAT(terminal.out, Catch::Contains("rows/s") && Catch::Contains("s left"));
  CHECK_THAT(terminal.out, Catch::Contains("3000 rows"));
  auto piped = net.run("boats", {"import", file.string(), "--batch-rows", "500"});
  REQUIRE(piped.exitCode == 0);
  CHECK_THAT(piped.err + piped.out, !Catch::Contains("rows/s"));
  CHECK_THAT(piped.out, Catch::Contains("3000 unchanged"));
}

namespace {

// customer_id,email for `rows` customers, the first two with one e-mail address.
std::filesystem::path writeSharedEmailFile(const std::filesystem::path& path, int rows) {
  std::ofstream out(path);
  out << "customer_id,email\n";
  for (int i = 0; i < rows; ++i) out << "C" << i << "," << (i < 2 ? std::string("same") : "p" + std::to_string(i)) << "@example.fr\n";
  return path;
}

}  // namespace

TEST_CASE("an import counts the identifiers its customers share once its index has caught up") {
  TestNetwork net;
  net.addNode("boats", "FR");
  auto file = writeSharedEmailFile(net.root() / "crm.csv", 5);
  auto r = net.run("boats", {"import", file.string(), "--batch-rows", "2", "--json"});
  REQUIRE(r.exitCode == 0);
  CHECK(jsonNumber(r.out, "inserted") == 5);
  CHECK(jsonNumber(r.out, "sharedIdentifiers") == 1);
  auto status = net.run("boats", {"node", "status", "--json"});
  CHECK(jsonNumber(status.out, "sharedIdentifiers") == 1);
  auto subject = net.run("boats", {"report", "subject", "--email", "same@example.fr"});
  CHECK(subject.exitCode != 0);
  CHECK(subject.err.find("2 customers hold this e-mail address (customer_ids C0, C1)") != std::string::npos);
  CHECK(readFile(net.dir("boats") / "node.log").find("store.index") != std::string::npos);
}

TEST_CASE("the customers of an import cut off by a crash are indexed when the node starts again") {
  TestNetwork net;
  net.addNode("boats", "FR");
  // One row per batch, each batch a commit: the import is still running when the
  // third batch is in the log, and the node is killed there.
  auto file = writeSharedEmailFile(net.root() / "crm.csv", 3000);
  auto log = net.dir("boats") / "node.log";
  int devNull = ::open("/dev/null", O_WRONLY);
  pid_t cli = tools::startChild(ententeBinary(),
                                {"import", file.string(), "--batch-rows", "1", "--node", net.dir("boats").string()},
                                devNull, devNull);
  ::close(devNull);
  auto batches = [&] {
    auto text = readFile(log);
    size_t count = 0;
    for (auto at = text.find("import.batch"); at != std::string::npos; at = text.find("import.batch", at + 1)) ++count;
    return count;
  };
  REQUIRE(waitFor([&] { return batches() >= 3; }, std::chrono::seconds(60)));
  ::kill(net.process("boats").pid(), SIGKILL);
  tools::waitForChild(cli);
  REQUIRE(readFile(log).find("store.index") == std::string::npos);
  net.restart("boats");
  auto status = net.run("boats", {"node", "status", "--json"});
  REQUIRE(status.exitCode == 0);
  auto stored = jsonNumber(status.out, "customers");
  INFO("customers stored before the kill: " << stored);
  REQUIRE(stored >= 2);
  CHECK(stored < 3000);
  CHECK(jsonNumber(status.out, "sharedIdentifiers") == 1);  // counted by the catch-up at start
  CHECK(readFile(log).find("reason=\"left by an import that was cut off\"") != std::string::npos);
  // And the import run again completes it.
  auto again = net.run("boats", {"import", file.string(), "--json"});
  REQUIRE(again.exitCode == 0);
  CHECK(jsonNumber(net.run("boats", {"node", "status", "--json"}).out, "customers") == 3000);
  CHECK(net.run("boats", {"audit", "verify"}).exitCode == 0);
}
