#include "node/control/report-endpoints.h"

#include <stdexcept>

namespace entente::node {
namespace {

capnp::Data::Reader asData(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

ReportFormat formatOf(protocol::control::ReportQuery::Reader query, const char* fallback) {
  try {
    return reportFormatFromName(query.getFormat().size() ? std::string(query.getFormat()) : fallback);
  } catch (const std::invalid_argument& e) {
    failWith(e.what());
  }
}

}  // namespace

ReportRequest reportRequestOf(protocol::control::ReportQuery::Reader q) {
  ReportRequest r;
  r.kind = q.getKind();
  if (q.getHasSince()) r.sinceUnix = q.getSinceUnix();
  if (q.getHasUntil()) r.untilUnix = q.getUntilUnix();
  r.subject = {q.getCustomerId(), q.getEmail(),    q.getPhone(),      q.getFirstName(), q.getLastName(),
               q.getBirthDate(),  q.getPostalCode(), q.getCountry()};
  return r;
}

void serveReport(NodeContext& context, const std::string& actor,
                 capnp::CallContext<ControlApi::ReportParams, ControlApi::ReportResults> call) {
  auto query = call.getParams().getQuery();
  auto format = formatOf(query, "text");
  auto request = reportRequestOf(query);
  if (request.kind == "subject" && request.subject.empty()) {
    failWith("a subject report needs the person: --customer ID, --email E or --phone P");
  }
  auto text = render(buildReport(context, actor, request), format);
  call.getResults().setDocument(asData(text));
  call.getResults().setContentType(contentTypeOf(format));
}

void serveCustomer(NodeContext& context, const std::string& actor,
                   capnp::CallContext<ControlApi::ShowCustomerParams, ControlApi::ShowCustomerResults> call) {
  auto query = call.getParams().getQuery();
  auto format = formatOf(query, "text");
  auto request = reportRequestOf(query);
  request.kind = "subject";
  request.brief = true;
  if (request.subject.empty()) failWith("name the customer: its customer_id, --email, --phone or --name-dob-postal");
  call.getResults().setDocument(asData(render(buildReport(context, actor, request), format)));
}

void serveConsentReceipt(NodeContext& context, const std::string& actor,
                         capnp::CallContext<ControlApi::ConsentReceiptParams, ControlApi::ConsentReceiptResults> call) {
  auto request = reportRequestOf(call.getParams().getQuery());
  if (request.subject.empty()) failWith("name the customer: its customer_id, --email or --phone");
  call.getResults().setDocument(asData(consentReceipt(context, actor, request.subject)));
}

}  // namespace entente::node
