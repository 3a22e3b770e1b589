#include "node/server/admin-http.h"

namespace entente::node {

AdminHttp::AdminHttp(kj::Timer& timer, const NodeMetrics& metrics, std::function<int64_t()> clock)
    : metrics_(metrics), clock_(std::move(clock)), server_(timer, headerTable_, *this) {}

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

kj::Promise<void> AdminHttp::request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders&,
                                     kj::AsyncInputStream&, Response& response) {
  const kj::StringPtr kText = "text/plain; charset=utf-8";
  if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD) {
    return reply(response, 405, "Method Not Allowed", kText, "the admin address is read-only: use GET\n", true);
  }
  bool body = method == kj::HttpMethod::GET;
  std::string_view path(url.cStr());
  path = path.substr(0, path.find('?'));
  if (path == "/metrics") {
    return reply(response, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics_.render(clock_()), body);
  }
  return reply(response, 404, "Not Found", kText, "not found; the metrics are at /metrics\n", body);
}

}  // namespace entente::node
