// The compliance reports in a real browser: Debian's headless Chromium, driven over the
// DevTools protocol by tests/support/browser.py, signs in on a node's admin address,
// renders every report and keeps a screenshot of each in the test's output folder
// (browser-screenshots/ beside the test binary). The figures on each page are checked
// against what the test itself put into the store.
#include "tests/support/reported-pair.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

using namespace entente;
using namespace entente::testing;
using nlohmann::json;

namespace {

struct Page {
  std::string url, title, text, screenshot;
  int status = 0;
};

// Runs one browser script (a list of steps in one tab) and returns its pages by name.
std::map<std::string, Page> browse(const TestNetwork& net, const std::string& name, const json& steps,
                                   bool insecure = false) {
  auto out = std::filesystem::current_path() / "browser-screenshots" / name;
  std::filesystem::create_directories(out);
  auto script = net.root() / (name + ".json");
  std::ofstream(script) << steps.dump();
  std::vector<std::string> args = {std::string(ENTENTE_SOURCE_DIR) + "/tests/support/browser.py", "--out",
                                   out.string(), "--timeout", "60"};
  if (insecure) args.push_back("--insecure");
  args.push_back(script.string());
  auto r = tools::runChild("/usr/bin/python3", args, tools::Capture::STDOUT_AND_STDERR);
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  std::map<std::string, Page> pages;
  auto output = json::parse(r.out);  // kept: the loop below reads into it
  for (auto& step : output["steps"]) {
    if (!step.contains("name") || !step.contains("text")) continue;
    Page p{step.value("url", ""), step.value("title", ""), step.value("text", ""), step.value("screenshot", "")};
    p.status = step.value("status", 0);
    pages[step["name"].get<std::string>()] = p;
  }
  return pages;
}

json loginSteps(const std::string& base, const std::string& token) {
  return json::array({{{"goto", base + "/login"}, {"name", "login"}},
                      {{"fill", "#token"}, {"value", token}},
                      {{"submit", "form"}, {"name", "index"}}});
}

std::string tokenOf(TestNetwork& net, const std::string& role, const std::string& name) {
  auto created = net.run("boats", {"token", "create", "--role", role, "--name", name});
  REQUIRE(created.exitCode == 0);
  return created.out.substr(0, created.out.find('\n'));
}

bool shows(const std::string& text, const std::string& pattern) { return std::regex_search(text, std::regex(pattern)); }

}  // namespace

TEST_CASE("a compliance officer signs in and every report renders in a browser with the store's figures") {
  ReportedPair p;
  p.net.configure("boats", "admin_listen = \"127.0.0.1:0\"");
  std::string base = "http://" + p.net.adminAddress("boats");
  auto steps = json::array({{{"goto", base + "/reports/consent"}, {"name", "unauthenticated"}}});
  for (auto& s : loginSteps(base, tokenOf(p.net, "compliance", "carla"))) steps.push_back(s);
  for (auto kind : {"consent", "audit", "processing"}) {
    steps.push_back({{"goto", base + "/reports/" + kind}, {"name", kind}});
  }
  steps.push_back({{"goto", base + "/reports/subject?email=ana.silva%40example.pt"}, {"name", "subject"}});
  steps.push_back({{"pdf", "subject"}});
  auto pages = browse(p.net, "compliance", steps);

  CHECK(pages["unauthenticated"].status == 401);
  CHECK_THAT(pages["unauthenticated"].text, Catch::Contains("Sign in"));
  CHECK(pages["index"].status == 200);
  CHECK_THAT(pages["index"].text, Catch::Contains("Subject access"));
  for (auto& [name, page] : pages) {
    INFO(name);
    CHECK(std::filesystem::file_size(page.screenshot) > 1000);
  }
  // Consent, from boats.csv: overlap-analysis 3 granted and 1 withdrawn; cross-selling 2 and 2.
  auto& consent = pages["consent"].text;
  CHECK(shows(consent, R"(overlap-analysis\s+3\s+1\s+0\s+0)"));
  CHECK(shows(consent, R"(cross-selling\s+2\s+2\s+0\s+0)"));
  // Audit: both sessions, completed, with the overlaps the matches found (1 and 3).
  auto& audit = pages["audit"].text;
  CHECK_THAT(audit, Catch::Contains(p.idsSession) && Catch::Contains(p.countSession));
  CHECK(shows(audit, "cross-selling\\s+ids\\s+\\S+\\s+\\d+\\s+\\d+\\s+1\\s+completed"));
  CHECK(shows(audit, "overlap-analysis\\s+count\\s+\\S+\\s+\\d+\\s+\\d+\\s+3\\s+completed"));
  CHECK_THAT(audit, Catch::Contains("the chain verifies"));
  // Processing: four customers with an e-mail address, one partner.
  CHECK(shows(pages["processing"].text, R"(e-mail address\s+4)"));
  CHECK_THAT(pages["processing"].text, Catch::Contains("travel"));
  // Subject: Ana took part in exactly the two sessions.
  auto& subject = pages["subject"].text;
  CHECK_THAT(subject, Catch::Contains(p.idsSession) && Catch::Contains(p.countSession));
  CHECK_THAT(subject, Catch::Contains("sailing") && Catch::Contains("Your rights"));
  CHECK(std::filesystem::file_size(std::filesystem::current_path() / "browser-screenshots" / "compliance" /
                                   "subject.pdf") > 1000);
  auto log = readFile(p.net.dir("boats") / "node.log");
  CHECK_THAT(log, Catch::Contains("web.login actor=carla outcome=ok"));
  CHECK_THAT(log, Catch::Contains("web.view actor=carla outcome=ok") && Catch::Contains("page=/reports/subject"));
  CHECK_THAT(log, !Catch::Contains("ana.silva"));
}

TEST_CASE("in a browser a marketer token gets 403 and an erased person's report shows only the erasure") {
  ReportedPair p;
  p.net.configure("boats", "admin_listen = \"127.0.0.1:0\"");
  std::string base = "http://" + p.net.adminAddress("boats");
  auto marketer = browse(p.net, "marketer", loginSteps(base, tokenOf(p.net, "marketer", "mia")));
  CHECK(marketer["index"].status == 403);
  CHECK_THAT(marketer["index"].text, Catch::Contains("marketer"));

  REQUIRE(p.net.run("boats", {"customer", "erase", "B2"}).exitCode == 0);
  auto steps = loginSteps(base, tokenOf(p.net, "compliance", "carla"));
  steps.push_back({{"goto", base + "/reports/subject?email=joao.costa%40example.pt"}, {"name", "erased"}});
  auto pages = browse(p.net, "erased", steps);
  CHECK(pages["erased"].status == 200);
  CHECK_THAT(pages["erased"].text, Catch::Contains("An erasure of this person's data took place"));
  CHECK_THAT(pages["erased"].text, !Catch::Contains("sailing") && !Catch::Contains("Recipients") &&
                                       !Catch::Contains(p.countSession));
}

TEST_CASE("an admin address off loopback serves the reports over TLS with a secure cookie and no metrics") {
  ReportedPair p;
  auto cert = p.net.root() / "admin.crt";
  auto key = p.net.root() / "admin.key";
  auto made = tools::runChild("/usr/bin/openssl",
                              {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days",
                               "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                               key.string(), "-out", cert.string()},
                              tools::Capture::STDOUT_AND_STDERR);
  INFO(made.err);
  REQUIRE(made.exitCode == 0);
  p.net.configure("boats", "admin_listen = \"0.0.0.0:0\"\nadmin_tls_certificate = \"" + cert.string() +
                               "\"\nadmin_tls_key = \"" + key.string() + "\"");
  auto address = p.net.adminAddress("boats");
  std::string base = "https://127.0.0.1" + address.substr(address.rfind(':'));
  std::string token = tokenOf(p.net, "compliance", "carla");
  // The cookie's attributes, as the server sends them (a page cannot read an HttpOnly cookie).
  auto login = tools::runChild(
      "/usr/bin/python3",
      {"-c",
       "import http.client,ssl,sys,urllib.parse\n"
       "c=http.client.HTTPSConnection('127.0.0.1',int(sys.argv[1]),context=ssl._create_unverified_context())\n"
       "c.request('POST','/login',urllib.parse.urlencode({'token':sys.argv[2]}),"
       "{'Content-Type':'application/x-www-form-urlencoded'})\n"
       "r=c.getresponse();print(r.status,r.getheader('Set-Cookie'))",
       address.substr(address.rfind(':') + 1), token},
      tools::Capture::STDOUT_AND_STDERR);
  INFO(login.err);
  CHECK_THAT(login.out, Catch::StartsWith("303 entente_session=") && Catch::Contains("; HttpOnly") &&
                            Catch::Contains("; SameSite=Strict") && Catch::Contains("; Secure"));
  auto steps = loginSteps(base, token);
  steps.push_back({{"goto", base + "/reports/processing"}, {"name", "processing"}});
  steps.push_back({{"goto", base + "/metrics"}, {"name", "metrics"}});
  auto pages = browse(p.net, "tls", steps, true);
  CHECK(pages["index"].status == 200);
  CHECK(pages["processing"].status == 200);
  CHECK_THAT(pages["processing"].text, Catch::Contains("TLS, 0.0.0.0"));
  CHECK(pages["metrics"].status == 403);
}
