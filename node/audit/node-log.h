// node.log: one line per action, for the IT staff who run the node (also echoed to
// stderr in the foreground, or, when systemd connected stderr to the journal, sent
// to the journal with the line's fields as journal fields: journal-writer.h). The gate (action-gate.h) writes each line after the
// action's audit entry committed, and the line says what the entry says, with the
// entry's number; a line without one says why no entry was written.
//
//   2026-12-04T16:28:04Z import actor=ana outcome=ok entry=17 source=crm.csv ...
//
// A value is quoted when it contains a space, '"' or '=' (or is empty), and control
// characters (line breaks, NUL) become spaces, so that a value cannot forge a second line.
#pragma once

#include "node/audit/audit-entry.h"
#include "node/audit/journal-writer.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

namespace entente::node {

class NodeLog {
 public:
  // Appends to `file`; also echoes each line when `echo` (a node in the foreground):
  // to the journal when $JOURNAL_STREAM says stderr is the journal, else to stderr.
  NodeLog(const std::filesystem::path& file, bool echo);
  // Appends to `file` and sends each line to `journal` (stderr when that fails).
  NodeLog(const std::filesystem::path& file, std::unique_ptr<JournalWriter> journal);
  ~NodeLog();
  NodeLog(const NodeLog&) = delete;
  NodeLog& operator=(const NodeLog&) = delete;

  // Never throws: a log line that cannot be written must not undo a committed action.
  void write(int64_t timeUnix, std::string_view action, std::string_view actor, std::string_view outcome,
             std::optional<uint64_t> entry, const Details& details) noexcept;

 private:
  std::FILE* file_;
  bool echo_;
  std::unique_ptr<JournalWriter> journal_;
};

}  // namespace entente::node
