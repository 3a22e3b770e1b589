#include "node/reports/report-basis.h"

#include "crypto/hash.h"
#include "crypto/identifier-kind.h"
#include "node/consent/erasure-marker.h"
#include "storage/customer-store.h"
#include "text/identifier-normaliser.h"
#include "text/utc-time.h"

#include <limits>

namespace entente::node {

AuditHead auditHead(const NodeContext& context) {
  uint64_t count;
  {
    storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
    count = txn.entries(storage::Table::AUDIT);
  }
  if (count == 0) return {};
  auto entry = context.audit.read(count);
  if (!entry) return {count, ""};
  return {count, crypto::hexOf(entry->hash)};
}

std::string isoTime(int64_t unixSeconds, bool zeroIsNone) {
  if (zeroIsNone && unixSeconds == 0) return "";
  return text::utcTimestamp(unixSeconds);
}

Facts reportMeta(const NodeContext& context, const ReportRequest& request, const AuditHead& head) {
  std::string since = request.sinceUnix == std::numeric_limits<int64_t>::min() ? "the beginning of the log"
                                                                               : isoTime(request.sinceUnix);
  std::string until =
      request.untilUnix == std::numeric_limits<int64_t>::max() ? "now" : isoTime(request.untilUnix);
  Facts meta = {{"Node", context.config.name + " (identity " + context.identity.fingerprint() + ")"},
                {"Controller", context.config.controller.name.empty() ? "not set ([controller] name in node.toml)"
                                                                      : context.config.controller.name},
                {"Period", since + " to " + until},
                {"Generated", isoTime(context.clock())}};
  meta.emplace_back("Audit head", head.entry == 0 ? "the log is empty"
                                                  : "entry " + std::to_string(head.entry) + ", hash " + head.hash);
  return meta;
}

FoundSubject findSubject(const NodeContext& context, const storage::Transaction& txn, const SubjectLookup& s) {
  ErasureMarker marker(context.identity);
  auto erased = [&](const storage::ErasureDigest& digest) -> FoundSubject {
    if (auto at = storage::ErasureMarks::find(txn, digest)) return {std::nullopt, *at};
    return {};
  };
  if (!s.customerId.empty()) {
    if (auto key = storage::CustomerStore::keyOf(txn, s.customerId)) return {*key, std::nullopt};
    auto found = erased(marker.ofCustomerId(s.customerId));
    if (found.erasedAtUnix) return found;
    protocol::failWith("no customer with that customer_id on this node, and none was erased; check the id "
                       "(`entente customer show --email ...` finds a customer by e-mail)");
  }
  text::IdentifierNormaliser normaliser(context.config.region);
  crypto::IdentifierKind kind;
  text::Normalisation normalised;
  const char* what;
  if (!s.email.empty()) {
    kind = crypto::IdentifierKind::EMAIL;
    normalised = normaliser.email(s.email);
    what = "e-mail address";
  } else if (!s.phone.empty()) {
    kind = crypto::IdentifierKind::PHONE;
    normalised = normaliser.phone(s.phone, "");
    what = "phone number";
  } else if (!s.lastName.empty()) {
    kind = crypto::IdentifierKind::NAME_DOB_POSTAL;
    normalised = normaliser.nameDobPostal(
        {s.firstName, s.lastName, s.birthDate, s.postalCode, s.country.empty() ? context.config.region : s.country});
    what = "name, date of birth and postal code";
  } else {
    protocol::failWith("name the person: a customer_id, --email, --phone, or --first-name, --last-name, "
                       "--birth-date and --postal-code");
  }
  if (!normalised) protocol::failWith("that is not a valid " + std::string(what) + ": " + normalised.rejection);
  auto holders = storage::CustomerStore::holdersOf(txn, static_cast<uint8_t>(kind), *normalised.value);
  if (holders.size() == 1) return {holders[0], std::nullopt};
  if (holders.size() > 1) {
    std::string ids;
    for (size_t i = 0; i < holders.size() && i < 10; ++i) {
      ids += (i ? ", " : "") + std::string(storage::CustomerStore::read(txn, holders[i]).get().getCustomerId().cStr());
    }
    protocol::failWith(std::to_string(holders.size()) + " customers hold this " + what + " (customer_ids " + ids +
                       "); ask again by customer_id, one report each");
  }
  auto found = erased(marker.ofIdentifier(static_cast<uint8_t>(kind), *normalised.value));
  if (found.erasedAtUnix) return found;
  protocol::failWith("no customer on this node holds this " + std::string(what) +
                     ", and none who held it was erased: nothing is held about it here; check the spelling");
}

std::string fieldLabel(const std::string& canonical) {
  if (canonical == "customer_id") return "customer id";
  if (canonical == "email") return "e-mail address";
  if (canonical == "phone") return "phone number";
  if (canonical == "first_name") return "first name";
  if (canonical == "last_name") return "last name";
  if (canonical == "birth_date") return "date of birth";
  if (canonical == "postal_code") return "postal code";
  return canonical;
}

}  // namespace entente::node
