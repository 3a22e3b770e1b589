// Turns the rows of an ERP history export into history events
// (storage/history-store.h): checks each row, and stores one batch in the caller's
// transaction, each good row in a transaction nested in it, like CustomerImport. A bad
// row, or a row the store refuses, is rejected alone with its line and a reason that
// names the field and the rule, never the value; a full disk fails the whole batch.
// An event id already stored is updated (or left unchanged), never duplicated, so a
// daily feed may send overlapping files.
//
// Columns (canonical names, after the CLI's mapping), every other column ignored:
//   customer_id  required; must name a customer already imported
//   event_id     required, at most 128 bytes; the ERP's id of the event
//   date         required; ISO 8601 (a date, or a date and time whose date is kept),
//                or the import's --date-format (text/date-reading.h)
//   type         required; purchase, return, complaint, complaint_resolved or contact
//                (any case)
//   amount       required for a purchase or a return, optional otherwise; digits with
//                at most two decimals after '.' or ',', no sign, no thousands separator
//   currency     required with an amount; three letters (ISO 4217), upper-cased
//   category, channel  optional free text, at most 256 bytes
// Every value is trimmed; a control character in any of them rejects the row.
#pragma once

#include "node/import/import-totals.h"
#include "protocol/control.capnp.h"
#include "storage/environment.h"

#include <string>
#include <string_view>
#include <vector>

namespace entente::node {

inline constexpr const char* kHistoryColumns[] = {"customer_id", "event_id", "date",     "type",
                                                  "category",    "amount",   "currency", "channel"};
bool isHistoryColumn(std::string_view name);

class HistoryImport {
 public:
  // `source` names the file ("history import erp.csv"): each event keeps it with its
  // line ("history import erp.csv:17") for the subject-access report. `importedAtUnix`
  // is when the import started; `dateFormat` the file's strftime pattern, or empty.
  HistoryImport(storage::Environment& env, std::string source, int64_t importedAtUnix, std::string dateFormat = {});

  // Stores the batch's good rows in `txn`, which the caller commits (through the gate,
  // with the batch's audit entry). Returns the batch's counts (inserted, updated,
  // unchanged, rejected) and fills `rejections`. Throws storage::StoreError when the
  // store fails: the caller's transaction must then not commit.
  ImportTotals storeBatch(storage::Transaction& txn, capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections);
  // The same in a transaction of its own, for tests and tools without a gate.
  ImportTotals storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                          std::vector<RowRejection>& rejections);

 private:
  storage::Environment& env_;
  std::string source_;
  int64_t importedAtUnix_;
  std::string dateFormat_;
};

}  // namespace entente::node
