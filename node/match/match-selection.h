// The one place that chooses which of the node's customers take part in a match
// session, on either side: those whose consent for the session's purpose is granted
// (not withdrawn, not expired, not never asked) at the moment the session starts, and
// who hold at least one identifier of the session's kinds. A withdrawal applies from
// the next session on, with no rebuild or restart.
//
// On the responder of an enrich-mode session it also gives each customer's values of
// the attributes asked for, where the customer granted the `enrichment` purpose; a
// special-category attribute (GDPR Art. 9) is never given, whatever the policy says.
// On the requester a filter (`--where`, node/match/match-filter.h) narrows the set
// before anything is sent.
//
// The selection reads one consistent snapshot of the store (an LMDB read
// transaction held for the session), so an import running meanwhile cannot change
// a session's set halfway. Only the thread that opened the snapshot walks it; the
// records it finds are judged (identifiers read, consent decided) on every core, a
// chunk at a time: done on the event loop's thread, that was most of a match's
// serial work (docs/scaling.md). The store is walked once, to count: the selected
// customers' records stay where the snapshot maps them, and read() hands out their
// identifiers from there, so that the walk and the consent lookups, a fifth of the
// loop's work at 2^20 customers, are not done a second time.
#pragma once

#include "protocol/record-source.h"
#include "protocol/session-terms.h"
#include "storage/consent-store.h"
#include "storage/customer-store.h"
#include "storage/environment.h"

#include <functional>
#include <string>
#include <vector>

namespace entente::node {

struct SelectionOptions {
  // Responder, enrich mode: give each customer's values of terms.attributes.
  bool shareAttributes = false;
  // Requester: only the customers it returns true for take part.
  std::function<bool(const storage::Transaction&, uint64_t key, storage::schema::Customer::Reader)> filter;
};

// The purpose a customer must have granted for its attributes to be shared.
inline constexpr const char* kEnrichmentPurpose = "enrichment";

class MatchSelection final : public protocol::RecordSource {
 public:
  // Consent is judged at `startedAtUnix` (the node's clock when the session opens).
  MatchSelection(storage::Environment& env, const protocol::SessionTerms& terms, int64_t startedAtUnix,
                 SelectionOptions options = {});
  ~MatchSelection() override;

  uint64_t groupCount() const override { return groups_; }
  // Customers with the session's kinds left out for lack of consent.
  uint64_t withoutConsent() const { return withoutConsent_; }
  // Consented customers with the session's kinds that the filter left out.
  uint64_t filteredOut() const { return filteredOut_; }
  // The snapshot the session reads, for reading more of the selected customers.
  const storage::Transaction& snapshot() const { return snapshot_; }
  uint64_t valueCount() const override { return values_; }
  size_t read(size_t maxGroups, std::vector<protocol::SelectedGroup>& out) override;
  std::string customerIdOf(uint64_t customerKey) override;
  // The customers read so far, in key order: whose blinded identifiers this node has
  // sent or is sending to the partner (the session's participation record).
  const std::vector<uint64_t>& readKeys() const { return readKeys_; }

 private:
  // A customer as this thread found it in the snapshot, then judged on a worker.
  struct Candidate {
    enum class Verdict : uint8_t { NO_VALUES, NO_CONSENT, SELECTED };
    uint64_t key = 0;
    storage::Bytes record;
    storage::StoredConsent consent;
    Verdict verdict = Verdict::NO_VALUES;
    uint32_t valueCount = 0;
    protocol::SelectedGroup group;  // with its values when the scan keeps them
  };
  // Customers walked per scan: enough to keep every core busy judging them.
  static constexpr size_t kScanChunk = 4096;

  // A selected customer: its key and its record, mapped by the snapshot (valid while
  // the snapshot is held), 24 bytes where a copy of its values would be a hundred.
  struct Chosen {
    uint64_t key;
    storage::Bytes record;
  };

  // Walks up to kScanChunk further customers of `cursor`, and their consent, into
  // `chunk` and judges them on every core; false when the cursor had none left.
  bool scan(storage::CustomerCursor& cursor, storage::ConsentWalk& consent, std::vector<Candidate>& chunk);
  // Calls each(kind, value) for every identifier of the session's kinds in a record.
  template <class Each>
  void forEachSessionValue(storage::Bytes record, Each each) const;
  void judge(Candidate& candidate) const;
  // The next up to kScanChunk chosen customers into chunk_, their values read on
  // every core; false when every one was read.
  bool takeChosen();
  void readValues(Candidate& candidate) const;
  // On this thread, for a candidate judged SELECTED: the filter, which may read the
  // store. False when it leaves the customer out.
  bool passesFilter(const Candidate& candidate);
  void addAttributes(Candidate& candidate);

  std::vector<std::string> attributes_;
  SelectionOptions options_;
  storage::Transaction snapshot_;
  storage::ConsentQuery consent_;
  storage::ConsentQuery enrichment_;
  std::vector<Chosen> chosen_;    // every selected customer, in key order
  size_t chosenTaken_ = 0;
  std::vector<Candidate> chunk_;  // taken from chosen_, not yet read
  size_t chunkRead_ = 0;
  uint8_t kindMask_ = 0;
  uint64_t groups_ = 0;
  uint64_t values_ = 0;
  uint64_t withoutConsent_ = 0;
  uint64_t filteredOut_ = 0;
  std::vector<uint64_t> readKeys_;
};

}  // namespace entente::node
