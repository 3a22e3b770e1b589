// Marketers' saved match queries (`entente query save|run|list|history`): each under
// a name, with the command line's match options as given, who saved it and when; and
// every run of one, with its session id and the overlap as it was shown, so that a
// monthly overlap is one command and its history one more.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace entente::storage {

struct SavedQueryEntry {
  std::string name;
  std::vector<std::string> arguments;
  std::string savedBy;
  int64_t savedAtUnix = 0;
};

struct QueryRunEntry {
  std::string name;
  int64_t atUnix = 0;
  std::string actor;
  std::string sessionId;
  std::string outcome;
  std::string shown;
  std::string peer;
};

class SavedQueries {
 public:
  static void put(Transaction& txn, const SavedQueryEntry& query);
  static std::optional<SavedQueryEntry> find(const Transaction& txn, std::string_view name);
  static std::vector<SavedQueryEntry> list(const Transaction& txn);
  // Removes the query; its runs stay, as the history of what was asked.
  static bool remove(Transaction& txn, std::string_view name);

  static void recordRun(Transaction& txn, const QueryRunEntry& run);
  // The runs of one query (all queries when `name` is empty), oldest first.
  static std::vector<QueryRunEntry> runs(const Transaction& txn, std::string_view name);
};

}  // namespace entente::storage
