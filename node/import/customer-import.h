// Turns imported rows into customer records: checks each row (node/import/row-check.h),
// normalises its identifiers, and stores one batch in the caller's transaction, each
// good row in a transaction nested in it. A bad row, or a row the store refuses, is
// rejected alone with its line and a reason that names the field and the rule, never
// the value; an invalid optional field is dropped with a warning and the customer
// kept. The good rows of the batch still go in. A full disk fails the whole batch.
// The limits on a row are listed in docs/operations.md ("Limits of an import").
//
// Canonical columns: customer_id, email, phone, first_name, last_name, birth_date,
// postal_code, country, and the consent columns (node/import/import-columns.h). Every
// other column becomes a named attribute. A consent-only import (`entente consent import`)
// reads customer_id and the consent columns, and updates existing customers only.
//
// A batch is checked in steps: what reads the store, in file order; then normalising
// on all cores (crypto/batch-pool.h, one normaliser per thread) while this thread
// writes, in file order, each slice of rows already normalised. The outcome is what
// checking each row in turn would give.
//
// A row stored before from the same bytes, under the same settings, is skipped by a
// digest (storage/row-digests.h) before anything is normalised: it counts as unchanged,
// and nothing is written for it. Only rows that stored cleanly get a digest (no field
// dropped, at least one identifier), so the warnings and findings of the others are
// given on every import as before.
//
// Besides the counts, an import gathers what its summary says once per file: fields
// dropped per column and reason, customer_ids repeated within the file, customers with
// no identifier, columns that look like undeclared special-category data, and, per
// field, what the updates changed.
#pragma once

#include "crypto/hash.h"
#include "node/import/field-changes.h"
#include "node/import/import-columns.h"
#include "node/import/import-totals.h"
#include "node/import/row-check.h"
#include "node/import/special-categories.h"
#include "node/server/node-config.h"
#include "protocol/control.capnp.h"
#include "storage/customer-store.h"
#include "storage/environment.h"
#include "storage/row-digests.h"
#include "text/identifier-normaliser.h"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace entente::node {

struct RowWarning {
  uint64_t line;
  std::string column;
  std::string reason;
};

// What the summary says once per file.
struct ImportFindings {
  std::map<std::pair<std::string, std::string>, uint64_t> dropped;  // (column, reason) -> rows
  uint64_t repeatedIds = 0;
  uint64_t noIdentifier = 0, firstNoIdentifierLine = 0;
  std::map<std::string, std::string> suspectColumns;  // column -> "health (first at line 17)"
  FieldChanges fieldChanges;
};

class CustomerImport {
 public:
  // The node's region is the default country of rows without one; `source` names the
  // file in consent history ("import crm.csv:LINE").
  CustomerImport(storage::Environment& env, const NodeConfig& config, std::string source, bool consentOnly,
                 ImportRules rules = {});

  // Stores the batch's good rows in `txn`, which the caller commits (through the gate,
  // with the batch's audit entry) or, for a dry run, aborts. Returns the batch's
  // counts and fills `rejections` and `warnings`. Throws storage::StoreError when the
  // store fails: the caller's transaction must then not commit, and nothing of the
  // batch is stored.
  ImportTotals storeBatch(storage::Transaction& txn, capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings);
  // The same in a transaction of its own, for tests and tools without a gate.
  ImportTotals storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings);

  // New customers' identifiers wait for the end of the import (node/import/identifier-index.h),
  // which then counts the shared ones: for an import that commits, not for a dry run.
  void putOffIndexing() { indexTiming_ = storage::IndexTiming::LATER; }

  const ImportFindings& findings() const { return findings_; }
  // The special-category an attribute column holds, or empty (special-categories.h).
  std::string specialCategoryOf(const std::string& column) { return categories_.categoryOfColumn(column); }
  // Whether a row of this import named this customer_id (for `--full`).
  bool named(std::string_view customerId) const;
  // Rows found unchanged by their digest, without normalising them.
  uint64_t skippedByDigest() const { return skippedByDigest_; }

  // Each consent change stored: customer key, purpose, granted (for the audit). Kept
  // as the batches are stored; a batch whose transaction did not commit leaves its
  // events here too, so read them only after a successful import.
  struct ConsentEvent {
    uint64_t customerKey;
    std::string purpose;
    bool granted;
  };
  const std::vector<ConsentEvent>& consentEvents() const { return consentEvents_; }

 private:
  // The checks before the store: nullopt when the row may be stored.
  // One row on its way through a batch.
  struct PreparedRow {
    CheckedRow checked;
    std::vector<ConsentUpdate> consent;
    storage::RowDigest digest{};
    uint64_t line = 0;
    std::optional<std::string> why;  // the rejection
    bool unchanged = false;          // the digest is its customer's stored one: nothing more to do
    bool normalise = false;          // passed prepare(): normalise() is next
    bool copyLater = false;          // a new customer: normalise() copies the row and takes its digest
    bool searched = false;           // its values go to the search for special-category data
  };
  // The checks before the store, in two steps: prepare() reads the store and the
  // file-wide state (on the batch's thread, in file order); normalise() needs neither,
  // so rows are normalised on all cores. Each returns the rejection, or nullopt.
  std::optional<std::string> prepare(const storage::Transaction& txn, protocol::control::ImportRow::Reader row,
                                     PreparedRow& p);
  std::optional<std::string> normalise(const text::IdentifierNormaliser& normaliser,
                                       protocol::control::ImportRow::Reader row, PreparedRow& p,
                                       int64_t now) const;
  // The writes of rows [begin, end) of a batch, prepared and normalised: in `txn`
  // itself, or with `rowByRow` each row in a transaction nested in it, a row the
  // store refuses then being rejected alone.
  ImportTotals storeRows(storage::Transaction& txn, capnp::List<protocol::control::ImportRow>::Reader rows,
                         const std::vector<PreparedRow>& prepared, size_t begin, size_t end,
                         std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings, int64_t now,
                         bool rowByRow);
  // A normaliser for one slice of a batch: from the spares, or a new one.
  std::unique_ptr<text::IdentifierNormaliser> takeNormaliser();
  void giveBack(std::unique_ptr<text::IdentifierNormaliser> normaliser);
  // The row's digest (any thread).
  storage::RowDigest digestOf(protocol::control::ImportRow::Reader row) const;
  void lookForSpecialValues(const CheckedRow& row, uint64_t line);

  storage::Environment& env_;
  const NodeConfig& config_;
  std::string source_;
  bool consentOnly_;
  ImportRules rules_;
  text::IdentifierNormaliser normaliser_;
  SpecialCategories categories_;
  ImportFindings findings_;
  // A hash of each customer_id seen -> its first line. 64 bits: a collision (about
  // one in 10^6 for ten million customers) would report a repeat that is not one.
  std::unordered_map<uint64_t, uint64_t> seen_;
  uint64_t rowsScanned_ = 0;
  // What the row digests cover besides the row, fed to the hash once: the settings
  // that decide how a row is read (region, rules, purposes, special categories).
  crypto::Blake2b256 digestPrefix_;
  uint64_t skippedByDigest_ = 0;
  std::mutex spareMutex_;
  std::vector<std::unique_ptr<text::IdentifierNormaliser>> spareNormalisers_;
  std::vector<ConsentEvent> consentEvents_;
  storage::IndexTiming indexTiming_ = storage::IndexTiming::NOW;
  // The first segment of each customer record built (storeRows), zeroed between rows.
  static constexpr unsigned kCustomerMessageWords = 128;
  std::array<capnp::word, kCustomerMessageWords> customerSegment_{};
};

}  // namespace entente::node
