// The compliance reports in a browser, on the node's admin address: a login page that
// takes a compliance or admin token and sets a session cookie (HttpOnly,
// SameSite=Strict, Secure over TLS, expiring after 30 minutes); an index linking every
// report with a subject search by customer id, e-mail or phone; and the reports
// themselves, as HTML (or CSV and JSON with ?format=). Marketer tokens get 403; a request
// without a valid session gets the login page (401). Every page view, login and
// refusal is an audit entry (`web.view`, `web.login`); a report is also
// `report.generate`, as on the command line. Sessions live in memory: a restart logs
// everyone out.
#pragma once

#include "node/server/admin-http.h"
#include "node/server/node-context.h"

#include <map>
#include <string>

namespace entente::node {

class ReportPages final : public AdminPages {
 public:
  ReportPages(NodeContext& context, const kj::HttpHeaderTable& headerTable, bool secureCookies);

  kj::Promise<void> serve(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                          kj::AsyncInputStream& body, kj::HttpService::Response& response) override;

 private:
  struct WebSession {
    std::string actor;
    std::string role;
    int64_t expiresAtUnix;
  };
  struct Reply {
    unsigned status;
    std::string contentType;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers = {};
  };

  Reply login(const std::string& form);
  Reply page(const std::string& path, const std::string& query, const WebSession& session);
  const WebSession* sessionOf(const kj::HttpHeaders& headers);
  kj::Promise<void> send(kj::HttpService::Response& response, Reply reply, bool withBody);

  NodeContext& context_;
  const kj::HttpHeaderTable& headerTable_;
  bool secureCookies_;
  std::map<std::string, WebSession> sessions_;  // by the cookie's random id
};

}  // namespace entente::node
