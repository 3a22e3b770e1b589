#include "node/server/admin-http.h"

namespace entente::node {

AdminHttp::AdminHttp(kj::Timer& timer, const NodeMetrics& metrics, std::function<int64_t()> clock, bool openMetrics)
    : metrics_(metrics), clock_(std::move(clock)), openMetrics_(openMetrics), server_(timer, headerTable_, *this) {}

kj::Promise<void> AdminHttp::serve(kj::ConnectionReceiver& listener) { return server_.listenHttp(listener); }

kj::Promise<void> AdminHttp::reply(Response& response, uint status, kj::StringPtr statusText,
                                   kj::StringPtr contentType, std::string body, bool withBody) {
  kj::HttpHeaders headers(headerTable_);
  headers.set(kj::HttpHeaderId::CONTENT_TYPE, contentType);
  headers.add("Cache-Control", "no-store");
  headers.add("X-Content-Type-Options", "nosniff");
  auto stream = response.send(status, statusText, headers, withBody ? body.size() : 0);
  if (!withBody || body.empty()) return kj::READY_NOW;
  auto text = kj::heapString(body.data(), body.size());
  auto promise = stream->write(text.begin(), text.size());
  return promise.attach(kj::mv(stream), kj::mv(text));
}

kj::Promise<void> AdminHttp::request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                                     kj::AsyncInputStream& requestBody, Response& response) {
  const kj::StringPtr kText = "text/plain; charset=utf-8";
  std::string_view path(url.cStr());
  path = path.substr(0, path.find('?'));
  bool body = method == kj::HttpMethod::GET;
  if (path == "/metrics") {
    if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD) {
      return reply(response, 405, "Method Not Allowed", kText, "the metrics are read-only: use GET\n", true);
    }
    if (!openMetrics_) {
      return reply(response, 403, "Forbidden", kText,
                   "the metrics are served on a loopback admin address only; scrape 127.0.0.1\n", body);
    }
    return reply(response, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics_.render(clock_()), body);
  }
  if (pages_ != nullptr) return pages_->serve(method, url, headers, requestBody, response);
  return reply(response, 404, "Not Found", kText, "not found; the metrics are at /metrics\n", body);
}

}  // namespace entente::node
