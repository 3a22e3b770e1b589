// Turns imported rows into customer records: checks each row, normalises its
// identifiers, and stores one batch in the caller's transaction, each good row in a
// transaction nested in it. A bad row, or a row the store refuses, is rejected alone
// with its line and a reason that names the field and the rule, never the value; the
// good rows of the batch still go in. A full disk fails the whole batch. The limits on
// a row are listed in docs/operations.md ("Limits of an import").
//
// Canonical columns: customer_id, email, phone, first_name, last_name, birth_date,
// postal_code, country, and the consent columns (node/import/import-columns.h). Every
// other column becomes a named attribute. A consent-only import (`entente consent import`)
// reads customer_id and the consent columns, and updates existing customers only.
#pragma once

#include "node/import/import-totals.h"
#include "text/identifier-normaliser.h"
#include "node/server/node-config.h"
#include "protocol/control.capnp.h"
#include "storage/environment.h"

#include <string>
#include <vector>

namespace entente::node {


class CustomerImport {
 public:
  // The node's region is the default country of rows without one; `source` names the
  // file in consent history ("import crm.csv:LINE").
  CustomerImport(storage::Environment& env, const NodeConfig& config, std::string source, bool consentOnly);

  // Stores the batch's good rows in `txn`, which the caller commits (through the gate,
  // with the batch's audit entry). Returns the batch's counts and fills `rejections`.
  // Throws storage::StoreError when the store fails: the caller's transaction must
  // then not commit, and nothing of the batch is stored.
  ImportTotals storeBatch(storage::Transaction& txn, capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections);
  // The same in a transaction of its own, for tests and tools without a gate.
  ImportTotals storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections);

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
  storage::Environment& env_;
  const NodeConfig& config_;
  std::string source_;
  bool consentOnly_;
  text::IdentifierNormaliser normaliser_;
  std::vector<ConsentEvent> consentEvents_;
};

}  // namespace entente::node
