#include "node/consent/consent-service.h"

#include "node/consent/erasure-marker.h"
#include "storage/consent-store.h"
#include "storage/customer-sources.h"
#include "storage/participation-store.h"
#include "storage/customer-store.h"
#include "storage/history-store.h"

#include <ctime>
#include <map>

namespace entente::node {
namespace {

uint64_t requireCustomer(const storage::Transaction& txn, const std::string& customerId) {
  auto key = storage::CustomerStore::keyOf(txn, customerId);
  // The message repeats nothing: a customer_id is the firm's own data, but an
  // unknown one may be a typo of someone's e-mail pasted in the wrong place.
  if (!key) failWith("no customer with that customer_id on this node");
  return *key;
}

}  // namespace

void setConsent(NodeContext& context, const std::string& actor, SetConsentCall call) {
  auto r = call.getParams().getChange();
  std::string purpose = r.getPurpose();
  Details details = {{"purpose", purpose}, {"state", r.getGranted() ? "granted" : "withdrawn"}};
  context.gate.change("consent.set", actor, details, [&](storage::Transaction& txn, Details& d) {
    if (!context.config.knowsPurpose(purpose)) {
      failWith("unknown purpose '" + purpose + "'; known purposes: " + context.config.purposeNames());
    }
    std::string basis = r.getBasis().size() > 0 ? std::string(r.getBasis()) : "consent";
    if (basis != "consent" && basis != "contract" && basis != "legitimate-interest") {
      failWith("the legal basis must be consent, contract or legitimate-interest");
    }
    uint64_t key = requireCustomer(txn, r.getCustomerId());
    storage::ConsentChange change;
    change.granted = r.getGranted();
    change.atUnix = context.clock();
    change.recordedAtUnix = context.clock();
    change.source = "cli:" + actor + (r.getSource().size() > 0 ? " (" + std::string(r.getSource()) + ")" : "");
    change.basis = basis;
    change.noticeVersion = r.getNoticeVersion();
    change.expiresAtUnix = r.getExpiresAtUnix();
    bool changed = storage::ConsentStore::record(txn, key, purpose, change);
    d.emplace_back("customer_key", std::to_string(key));
    d.emplace_back("changed", changed ? "yes" : "no");
    call.getResults().setChanged(changed);
  });
}

void showConsent(NodeContext& context, const std::string& actor, ShowConsentCall call) {
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  uint64_t key = requireCustomer(txn, call.getParams().getCustomerId());
  // Reading a person's consent is itself worth a trace.
  context.gate.record("consent.show", actor, "ok", {{"customer_key", std::to_string(key)}});
  const auto& purposes = context.config.purposes;
  auto list = call.getResults().initPurposes(static_cast<unsigned>(purposes.size()));
  for (unsigned i = 0; i < purposes.size(); ++i) {
    list[i].setPurpose(purposes[i].name);
    list[i].setDescription(purposes[i].description);
    list[i].setState(storage::consentStateName(storage::ConsentStore::state(txn, key, purposes[i].name, context.clock())));
    auto history = storage::ConsentStore::history(txn, key, purposes[i].name);
    auto out = list[i].initHistory(static_cast<unsigned>(history.size()));
    for (unsigned j = 0; j < history.size(); ++j) {
      out[j].setGranted(history[j].granted);
      out[j].setAtUnix(history[j].atUnix);
      out[j].setRecordedAtUnix(history[j].recordedAtUnix);
      out[j].setSource(history[j].source);
      out[j].setBasis(history[j].basis);
      out[j].setNoticeVersion(history[j].noticeVersion);
      out[j].setExpiresAtUnix(history[j].expiresAtUnix);
    }
  }
}

void consentReport(NodeContext& context, ConsentReportCall call) {
  const auto& purposes = context.config.purposes;
  std::map<std::string, std::array<uint64_t, 4>> counts;
  storage::Transaction txn(context.store, storage::Transaction::Mode::READ);
  int64_t t = context.clock();
  storage::CustomerStore::forEach(txn, [&](uint64_t key, storage::schema::Customer::Reader) {
    for (auto& p : purposes) {
      auto state = storage::ConsentStore::state(txn, key, p.name, t);
      counts[p.name][static_cast<size_t>(state)]++;
    }
  });
  auto list = call.getResults().initPurposes(static_cast<unsigned>(purposes.size()));
  for (unsigned i = 0; i < purposes.size(); ++i) {
    auto& c = counts[purposes[i].name];
    list[i].setPurpose(purposes[i].name);
    list[i].setDescription(purposes[i].description);
    list[i].setNeverAsked(c[static_cast<size_t>(storage::ConsentState::NEVER_ASKED)]);
    list[i].setGranted(c[static_cast<size_t>(storage::ConsentState::GRANTED)]);
    list[i].setWithdrawn(c[static_cast<size_t>(storage::ConsentState::WITHDRAWN)]);
    list[i].setExpired(c[static_cast<size_t>(storage::ConsentState::EXPIRED)]);
  }
}

namespace {

// One customer's erasure inside the caller's transaction: record, identifiers,
// consent, with the store marked for compaction in the same commit.
void eraseRecords(NodeContext& context, storage::Transaction& txn, const std::string& customerId, Details& d,
                  protocol::control::ErasureReport::Builder* report) {
  uint64_t key = requireCustomer(txn, customerId);
  {
    // What remains is a keyed digest of each identifier and of the customer_id, and
    // the time: a later subject request says an erasure took place, and no more.
    ErasureMarker marker(context.identity);
    std::vector<storage::ErasureDigest> digests;
    {
      // Read in place: copied out before the first write of the transaction.
      auto record = storage::CustomerStore::read(txn, key);
      for (auto id : record.get().getIdentifiers()) {
        digests.push_back(marker.ofIdentifier(id.getKind(), id.getValue().cStr()));
      }
    }
    for (auto& digest : digests) storage::ErasureMarks::mark(txn, digest, context.clock());
    storage::ErasureMarks::mark(txn, marker.ofCustomerId(customerId), context.clock());
  }
  d.emplace_back("sessions_updated", std::to_string(storage::ParticipationStore::eraseCustomer(txn, key)));
  storage::CustomerSources::erase(txn, key);
  auto identifiers = storage::CustomerStore::erase(txn, customerId);
  auto purposes = storage::ConsentStore::eraseCustomer(txn, key);
  // The purchase and contact history is part of what the node holds about the
  // person: it goes in the same commit. Its count is a number, not a name.
  d.emplace_back("history_events", std::to_string(storage::HistoryStore::eraseCustomer(txn, key)));
  if (report) {
    report->setIdentifiers(identifiers.value_or(0));
    report->setConsentPurposes(static_cast<uint32_t>(purposes));
  }
  context.store.markCompactionPending(txn);
  d.emplace_back("compaction", "pending");
}

// Deleted pages keep their bytes until reused: rewrite the file without them.
void compactAfterErasure(NodeContext& context, const std::string& actor) {
  try {
    context.store.compact();
  } catch (const storage::StoreError& e) {
    context.gate.recordNoThrow("store.compact", actor, "deferred", {{"reason", e.what()}});
    failWith("the customer is erased, but the file could not be rewritten yet (" + std::string(e.what()) +
             "); the erased data leaves the file at the next erasure or node start (nothing to retry for this "
             "customer)");
  }
  context.gate.record("store.compact", actor, "ok", {{"reason", "erasure"}});
}

}  // namespace

void eraseCustomer(NodeContext& context, const std::string& actor, EraseCustomerCall call) {
  auto report = call.getResults().initErased();
  report.setStoreBytesBefore(context.store.fileBytes());
  // The log keeps that an erasure happened, when and by whom; not whom it erased. The
  // erasure and its entry commit together, with the store marked for compaction.
  context.gate.change("customer.erase", actor, {}, [&](storage::Transaction& txn, Details& d) {
    eraseRecords(context, txn, call.getParams().getCustomerId(), d, &report);
  });
  compactAfterErasure(context, actor);
  report.setStoreBytesAfter(context.store.fileBytes());
}

uint64_t eraseCustomers(NodeContext& context, const std::string& actor, const std::vector<std::string>& customerIds,
                        const std::string& reason) {
  uint64_t erased = 0;
  for (auto& customerId : customerIds) {
    context.gate.change("customer.erase", actor, {{"reason", reason}}, [&](storage::Transaction& txn, Details& d) {
      eraseRecords(context, txn, customerId, d, nullptr);
    });
    ++erased;
  }
  if (erased > 0) compactAfterErasure(context, actor);
  return erased;
}

}  // namespace entente::node
