#include "node/audit/node-log.h"

#include "text/utc-time.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace entente::node {
namespace {

void append(std::string& line, std::string_view key, std::string_view value) {
  line += ' ';
  line += key;
  line += '=';
  bool quote = value.find_first_of(" \"=") != std::string_view::npos || value.empty();
  if (quote) line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    // Line breaks, NUL and other control characters become spaces: one line per action.
    line += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  if (quote) line += '"';
}

}  // namespace

NodeLog::NodeLog(const std::filesystem::path& file, bool echo) : echo_(echo) {
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
    line += action;
    append(line, "actor", actor);
    append(line, "outcome", outcome);
    if (entry) append(line, "entry", std::to_string(*entry));
    for (auto& [k, v] : details) append(line, k, v);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
    if (echo_) std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Out of memory while formatting: nothing sensible is left to write.
  }
}

}  // namespace entente::node
