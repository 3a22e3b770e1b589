// The node's admin address (`admin_listen` in node.toml, off unless set): read-only
// HTTP for the firm's own people and tools, served with kj-http on the node's event
// loop: the Prometheus metrics at /metrics (node/server/node-metrics.h) and the
// compliance reports' pages (node/reports/report-pages.h, behind a login), which the
// node hands in as AdminPages.
//
// On loopback the metrics are open, as node_exporter's are: a scraper on the same host
// needs no token. An address that is not loopback must have TLS (admin_tls_certificate
// and admin_tls_key, checked by node-config.c++); there the metrics are not served,
// since they name partners and purposes and carry no login.
#pragma once

#include "node/server/node-metrics.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>

#include <functional>

namespace entente::node {

// Everything on the admin address but /metrics.
class AdminPages {
 public:
  virtual ~AdminPages() = default;
  virtual kj::Promise<void> serve(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                                  kj::AsyncInputStream& body, kj::HttpService::Response& response) = 0;
};

class AdminHttp final : public kj::HttpService {
 public:
  // `openMetrics`: serve /metrics without a login (loopback addresses only).
  AdminHttp(kj::Timer& timer, const NodeMetrics& metrics, std::function<int64_t()> clock, bool openMetrics = true);

  const kj::HttpHeaderTable& headerTable() const { return headerTable_; }
  // The pages, once the node's services exist; until then only /metrics answers.
  void setPages(AdminPages& pages) { pages_ = &pages; }

  // Serves connections from `listener` until it fails.
  kj::Promise<void> serve(kj::ConnectionReceiver& listener);

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                            kj::AsyncInputStream& requestBody, Response& response) override;

 private:
  kj::Promise<void> reply(Response& response, uint status, kj::StringPtr statusText, kj::StringPtr contentType,
                          std::string body, bool withBody);

  const NodeMetrics& metrics_;
  std::function<int64_t()> clock_;
  bool openMetrics_;
  AdminPages* pages_ = nullptr;
  kj::HttpHeaderTable headerTable_;
  kj::HttpServer server_;
};

}  // namespace entente::node
