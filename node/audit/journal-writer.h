// node.log's lines as structured journal entries, for a node that systemd runs. When
// the node's stderr is the journal (systemd sets $JOURNAL_STREAM to the device and
// inode of that stream), NodeLog sends each line to journald's native socket as one
// datagram of fields (MESSAGE, PRIORITY, ENTENTE_ACTION, ENTENTE_OUTCOME, ...) instead
// of writing it to stderr, so that `journalctl ENTENTE_OUTCOME=failed` filters on them.
// The protocol (systemd.journal-fields(7), "Native Journal Protocol") is KEY=value
// lines; written here rather than linking libsystemd for one function.
// docs/operations.md ("Logs under systemd") says why this rather than "<N>" prefixes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace entente::node {

using JournalFields = std::vector<std::pair<std::string, std::string>>;

class JournalWriter {
 public:
  static constexpr const char* kSocket = "/run/systemd/journal/socket";
  explicit JournalWriter(std::filesystem::path socket = kSocket);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Whether `journalStream` (the value of $JOURNAL_STREAM, "DEVICE:INODE") names the
  // stream open on `fd`. A child that inherited the variable but whose stderr was
  // redirected elsewhere must keep writing there, hence the comparison.
  static bool streamIs(const char* journalStream, int fd);

  // Sends one entry. Never throws; false when it could not be sent (no journald, an
  // entry too large for one datagram), and the caller writes the line elsewhere.
  bool send(const JournalFields& fields) noexcept;

  // A journal field name for `key`: upper case, [A-Z0-9_] only, prefixed with
  // `prefix` (journald drops fields whose names break these rules).
  static std::string fieldName(std::string_view prefix, std::string_view key);

 private:
  std::filesystem::path socket_;
  int fd_ = -1;
};

// The syslog priority of a node.log line, from its outcome: failed is an error,
// refused and warning are warnings, cancelled, interrupted and deferred are notices,
// the rest information.
int journalPriorityOf(std::string_view outcome);

}  // namespace entente::node
