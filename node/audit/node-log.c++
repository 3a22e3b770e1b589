#include "node/audit/node-log.h"

#include "text/utc-time.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace entente::node {
namespace {

// Line breaks, NUL and other control characters become spaces: one line per action,
// and one journal field per value.
char printable(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c; }

std::string printable(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) out += printable(c);
  return out;
}

void append(std::string& line, std::string_view key, std::string_view value) {
  line += ' ';
  line += key;
  line += '=';
  bool quote = value.find_first_of(" \"=") != std::string_view::npos || value.empty();
  if (quote) line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    line += printable(c);
  }
  if (quote) line += '"';
}

}  // namespace

NodeLog::NodeLog(const std::filesystem::path& file, bool echo)
    : NodeLog(file, echo && JournalWriter::streamIs(std::getenv("JOURNAL_STREAM"), STDERR_FILENO)
                        ? std::make_unique<JournalWriter>()
                        : nullptr) {
  echo_ = echo;
}

NodeLog::NodeLog(const std::filesystem::path& file, std::unique_ptr<JournalWriter> journal)
    : echo_(journal != nullptr), journal_(std::move(journal)) {
  // Created 0600 whatever the umask, like every file the node writes; appended, so
  // not through the atomic writer (a line at a time, flushed after each action).
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  file_ = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (file_ == nullptr && fd >= 0) ::close(fd);
  if (file_ == nullptr) {
    throw std::runtime_error("cannot open the node log " + file.string() +
                             "; check that the node folder exists and that this user may write to it");
  }
}

NodeLog::~NodeLog() { std::fclose(file_); }

void NodeLog::write(int64_t timeUnix, std::string_view action, std::string_view actor, std::string_view outcome,
                    std::optional<uint64_t> entry, const Details& details) noexcept {
  try {
    std::string line = text::utcTimestamp(timeUnix);
    line += ' ';
    size_t messageStart = line.size();
    line += action;
    append(line, "actor", actor);
    append(line, "outcome", outcome);
    if (entry) append(line, "entry", std::to_string(*entry));
    for (auto& [k, v] : details) append(line, k, v);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
    if (!echo_) return;
    if (journal_) {
      // The journal keeps its own timestamp; the fields are the line's, no more.
      JournalFields fields{{"MESSAGE", line.substr(messageStart, line.size() - messageStart - 1)},
                           {"PRIORITY", std::to_string(journalPriorityOf(outcome))},
                           {"SYSLOG_IDENTIFIER", "entente"},
                           {"ENTENTE_ACTION", printable(action)},
                           {"ENTENTE_ACTOR", printable(actor)},
                           {"ENTENTE_OUTCOME", printable(outcome)}};
      if (entry) fields.emplace_back("ENTENTE_ENTRY", std::to_string(*entry));
      for (auto& [k, v] : details) fields.emplace_back(JournalWriter::fieldName("ENTENTE_", k), printable(v));
      if (journal_->send(fields)) return;
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Out of memory while formatting: nothing sensible is left to write.
  }
}

}  // namespace entente::node
