#include "node/audit/action-log.h"

#include "node/audit/audit-trail.h"

#include <ctime>
#include <stdexcept>

namespace entente::node {
namespace {

// Values are quoted when they contain spaces so that a line stays one record.
void append(std::string& line, std::string_view key, std::string_view value) {
  line += ' ';
  line += key;
  line += '=';
  bool quote = value.find_first_of(" \"=") != std::string_view::npos || value.empty();
  if (quote) line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    line += (c == '\n' || c == '\r') ? ' ' : c;
  }
  if (quote) line += '"';
}

}  // namespace

ActionLog::ActionLog(const std::filesystem::path& file, bool echo) : echo_(echo) {
  file_ = std::fopen(file.c_str(), "a");
  if (file_ == nullptr) throw std::runtime_error("cannot open the node log " + file.string());
}

ActionLog::~ActionLog() { std::fclose(file_); }

void ActionLog::record(std::string_view action, std::string_view actor, std::string_view outcome,
                       const Details& details) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string line = stamp;
  line += ' ';
  line += action;
  append(line, "actor", actor);
  append(line, "outcome", outcome);
  for (auto& [k, v] : details) append(line, k, v);
  line += '\n';
  std::fputs(line.c_str(), file_);
  std::fflush(file_);
  if (echo_) std::fputs(line.c_str(), stderr);
  if (audit_ != nullptr) audit_->append(action, actor, outcome, details);
}

}  // namespace entente::node
