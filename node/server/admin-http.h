// The node's admin address (`admin_listen` in node.toml, off unless set): read-only
// HTTP for the firm's own tools, served with kj-http on the node's event loop. Today
// it serves the Prometheus metrics at /metrics (node/server/node-metrics.h); the
// compliance reports will join them here.
//
// It listens on loopback only: the metrics name partners and purposes, and a
// non-loopback admin address needs TLS, which this release does not offer yet
// (node-config.c++ refuses one). Within the machine it is open, as node_exporter's
// is: a scraper on the same host needs no token.
#pragma once

#include "node/server/node-metrics.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>

#include <functional>

namespace entente::node {

class AdminHttp final : public kj::HttpService {
 public:
  AdminHttp(kj::Timer& timer, const NodeMetrics& metrics, std::function<int64_t()> clock);

  // Serves connections from `listener` until it fails.
  kj::Promise<void> serve(kj::ConnectionReceiver& listener);

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                            kj::AsyncInputStream& requestBody, Response& response) override;

 private:
  kj::Promise<void> reply(Response& response, uint status, kj::StringPtr statusText, kj::StringPtr contentType,
                          std::string body, bool withBody);

  const NodeMetrics& metrics_;
  std::function<int64_t()> clock_;
  kj::HttpHeaderTable headerTable_;
  kj::HttpServer server_;
};

}  // namespace entente::node
