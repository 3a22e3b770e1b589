#include "node/reports/report-pages.h"

#include "crypto/credential.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/wipe.h"
#include "node/reports/report-document.h"
#include "node/reports/report-request.h"
#include "storage/credential-store.h"

#include <kj/debug.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <strings.h>
#include <sstream>
#include <stdexcept>

namespace entente::node {
namespace {

constexpr int64_t kSessionSeconds = 30 * 60;
constexpr const char* kCookie = "entente_session";
constexpr const char* kHtml = "text/html; charset=utf-8";

std::string esc(const std::string& s) { return escapeHtml(s); }

// application/x-www-form-urlencoded and query strings.
std::string urlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> formFields(std::string_view s) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    auto amp = s.find('&');
    auto pair = s.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos) out[urlDecode(pair.substr(0, eq))] = urlDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

std::string shell(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) +
         "</title><style>body{font-family:\"DejaVu Sans\",Arial,sans-serif;margin:2em auto;max-width:46em}"
         "label{display:block;margin:.6em 0 .2em}input{padding:.3em;width:24em}button{margin-top:.8em;padding:.3em 1em}"
         ".error{color:#a00}</style></head><body><main>\n<h1>" +
         esc(title) + "</h1>\n" + body + "\n</main></body></html>\n";
}

std::string loginPage(const std::string& node, const std::string& error) {
  return shell("Entente node " + node + ": sign in",
               (error.empty() ? "" : "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>\n") +
                   "<p>Compliance reports of this node. Sign in with a compliance or admin token "
                   "(<code>entente token create --role compliance --name NAME</code>).</p>\n"
                   "<form method=\"post\" action=\"/login\"><label for=\"token\">Token</label>"
                   "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required>"
                   "<button type=\"submit\">Sign in</button></form>");
}

std::string indexPage(const NodeContext& context, const std::string& actor) {
  std::string node = context.config.name;
  return shell(
      "Entente node " + node + ": compliance reports",
      "<p>Signed in as " + esc(actor) + ". Each report opens as one file you can save or print; add "
      "<code>?format=csv</code> or <code>?format=json</code> for data, <code>since</code> and <code>until</code> "
      "(YYYY-MM-DD) for a period.</p>\n<ul>\n"
      "<li><a href=\"/reports/consent\">Consent report</a>: per purpose, granted, withdrawn, expired, never asked</li>\n"
      "<li><a href=\"/reports/audit\">Audit report</a>: every session, the log's verification, receipts</li>\n"
      "<li><a href=\"/reports/processing\">Record of processing activities</a> (GDPR Art. 30)</li>\n</ul>\n"
      "<h2>Subject access</h2>\n<form method=\"get\" action=\"/reports/subject\">"
      "<label for=\"customer\">Customer id</label><input id=\"customer\" name=\"customer\">"
      "<label for=\"email\">or e-mail address</label><input id=\"email\" name=\"email\" type=\"email\">"
      "<label for=\"phone\">or phone number</label><input id=\"phone\" name=\"phone\">"
      "<button type=\"submit\">Show the subject report</button></form>\n"
      "<form method=\"post\" action=\"/logout\"><button type=\"submit\">Sign out</button></form>");
}

int64_t dateField(const std::map<std::string, std::string>& q, const char* name, bool endOfDay, int64_t fallback) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return fallback;
  int y = 0;
  unsigned m = 0, d = 0;
  char rest = 0;
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (std::sscanf(it->second.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &rest) == 3) {
    date = {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  }
  if (!date.ok()) protocol::failWith(std::string(name) + " takes a date, YYYY-MM-DD");
  auto day = std::chrono::sys_days(date);
  return std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count() + (endOfDay ? 86399 : 0);
}

}  // namespace

ReportPages::ReportPages(NodeContext& context, const kj::HttpHeaderTable& headerTable, bool secureCookies)
    : context_(context), headerTable_(headerTable), secureCookies_(secureCookies) {}

const ReportPages::WebSession* ReportPages::sessionOf(const kj::HttpHeaders& headers) {
  std::string id;
  headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
    if (strcasecmp(name.cStr(), "cookie") != 0) return;
    std::string_view v(value.cStr());
    std::string want = std::string(kCookie) + "=";
    for (size_t at = v.find(want); at != std::string_view::npos; at = v.find(want, at + 1)) {
      if (at == 0 || v[at - 1] == ' ' || v[at - 1] == ';') {
        auto end = v.find(';', at);
        id = std::string(v.substr(at + want.size(), end == std::string_view::npos ? end : end - at - want.size()));
      }
    }
  });
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  if (it->second.expiresAtUnix <= context_.clock()) {
    sessions_.erase(it);
    return nullptr;
  }
  return &it->second;
}

ReportPages::Reply ReportPages::login(const std::string& form) {
  auto fields = formFields(form);
  std::string token = fields["token"];
  std::optional<storage::TokenEntry> entry;
  {
    storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
    auto hash = crypto::hashSecret(token);
    entry = storage::TokenStore::find(txn, {hash.data(), hash.size()});
  }
  crypto::wipe(token);
  crypto::wipe(fields["token"]);
  if (!entry || entry->revoked) {
    context_.gate.recordNoThrow("web.login", "unknown", "refused", {{"reason", entry ? "revoked token" : "unknown token"}});
    return {401, kHtml, loginPage(context_.config.name, "That token is not valid on this node.")};
  }
  if (entry->role != "compliance" && entry->role != "admin") {
    context_.gate.recordNoThrow("web.login", entry->name, "refused", {{"reason", "role " + entry->role}});
    return {403, kHtml,
            shell("Not allowed", "<p>The token of " + esc(entry->name) + " has the " + esc(entry->role) +
                                     " role; the reports are for compliance and admin tokens. Ask an administrator.</p>")};
  }
  std::array<uint8_t, 32> random;
  crypto::randomBytes(random);
  std::string id = crypto::hexOf(random);
  crypto::wipe(random.data(), random.size());
  sessions_[id] = {entry->name, entry->role, context_.clock() + kSessionSeconds};
  context_.gate.record("web.login", entry->name, "ok", {{"role", entry->role}});
  std::string cookie = std::string(kCookie) + "=" + id + "; Path=/; Max-Age=" + std::to_string(kSessionSeconds) +
                       "; HttpOnly; SameSite=Strict" + (secureCookies_ ? "; Secure" : "");
  return {303, kHtml, "", {{"Set-Cookie", cookie}, {"Location", "/"}}};
}

ReportPages::Reply ReportPages::page(const std::string& path, const std::string& query, const WebSession& session) {
  // The path only: a query may hold an e-mail address, which the log never keeps.
  context_.gate.record("web.view", session.actor, "ok", {{"page", path}});
  if (path == "/" || path == "/index.html") return {200, kHtml, indexPage(context_, session.actor)};
  const std::string prefix = "/reports/";
  if (path.rfind(prefix, 0) != 0) return {404, kHtml, shell("Not found", "<p><a href=\"/\">The reports</a>.</p>")};
  auto q = formFields(query);
  ReportRequest request;
  request.kind = path.substr(prefix.size());
  try {
    request.sinceUnix = dateField(q, "since", false, request.sinceUnix);
    request.untilUnix = dateField(q, "until", true, request.untilUnix);
    request.subject.customerId = q["customer"];
    request.subject.email = q["email"];
    request.subject.phone = q["phone"];
    if (request.kind == "subject" && request.subject.empty()) {
      protocol::failWith("a subject report needs the person: a customer id, an e-mail address or a phone number");
    }
    auto format = reportFormatFromName(q["format"].empty() ? "html" : q["format"]);
    auto document = buildReport(context_, session.actor, request);
    return {200, contentTypeOf(format), render(document, format)};
  } catch (const kj::Exception& e) {
    return {400, kHtml, shell("The report could not be made", "<p class=\"error\" role=\"alert\">" + esc(protocol::userMessage(e)) +
                                                               "</p><p><a href=\"/\">Back to the reports</a>.</p>")};
  } catch (const std::invalid_argument& e) {
    return {400, kHtml, shell("The report could not be made", "<p class=\"error\">" + esc(e.what()) + "</p>")};
  }
}

kj::Promise<void> ReportPages::serve(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                                     kj::AsyncInputStream& body, kj::HttpService::Response& response) {
  std::string target(url.cStr());
  auto mark = target.find('?');
  std::string path = target.substr(0, mark);
  std::string query = mark == std::string::npos ? "" : target.substr(mark + 1);
  bool withBody = method != kj::HttpMethod::HEAD;
  if (method == kj::HttpMethod::POST && path == "/login") {
    return body.readAllText(4096).then([this, &response](kj::String form) {
      std::string text(form.cStr());
      crypto::wipe(form.begin(), form.size());
      auto reply = login(text);
      crypto::wipe(text);
      return send(response, kj::mv(reply), true);
    });
  }
  const WebSession* session = sessionOf(headers);
  if (method == kj::HttpMethod::POST && path == "/logout") {
    std::string cookie = std::string(kCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
    if (session) {
      context_.gate.recordNoThrow("web.logout", session->actor, "ok");
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        if (&it->second == session) {
          sessions_.erase(it);
          break;
        }
      }
    }
    return send(response, {303, kHtml, "", {{"Set-Cookie", cookie}, {"Location", "/login"}}}, true);
  }
  if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD) {
    return send(response, {405, "text/plain; charset=utf-8", "the reports are read-only: use GET\n"}, withBody);
  }
  if (path == "/login") return send(response, {200, kHtml, loginPage(context_.config.name, "")}, withBody);
  if (!session) return send(response, {401, kHtml, loginPage(context_.config.name, "")}, withBody);
  if (session->role != "compliance" && session->role != "admin") {
    return send(response, {403, kHtml, shell("Not allowed", "<p>The reports are for compliance and admin tokens.</p>")},
                withBody);
  }
  WebSession copy = *session;
  return send(response, page(path, query, copy), withBody);
}

kj::Promise<void> ReportPages::send(kj::HttpService::Response& response, Reply reply, bool withBody) {
  kj::HttpHeaders headers(headerTable_);
  headers.set(kj::HttpHeaderId::CONTENT_TYPE, kj::heapString(reply.contentType));
  headers.add("Cache-Control", "no-store");
  headers.add("X-Content-Type-Options", "nosniff");
  headers.add("Referrer-Policy", "no-referrer");
  // No script runs on these pages, and nothing loads from elsewhere.
  headers.add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                         "form-action 'self'; frame-ancestors 'none'");
  for (auto& [name, value] : reply.headers) headers.add(kj::heapString(name), kj::heapString(value));
  const char* statusText = reply.status == 200 ? "OK" : reply.status == 303 ? "See Other" : reply.status == 401 ? "Unauthorized"
                           : reply.status == 403 ? "Forbidden" : reply.status == 404 ? "Not Found"
                           : reply.status == 405 ? "Method Not Allowed" : "Bad Request";
  auto stream = response.send(reply.status, statusText, headers, withBody ? reply.body.size() : 0);
  if (!withBody || reply.body.empty()) return kj::READY_NOW;
  auto text = kj::heapString(reply.body.data(), reply.body.size());
  auto promise = stream->write(text.begin(), text.size());
  return promise.attach(kj::mv(stream), kj::mv(text));
}

}  // namespace entente::node
