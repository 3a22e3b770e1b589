// The CLI's output files and its text for times, counts and JSON strings, taken from the project's one UTC formatter
// (text/utc-time.h) and its one JSON library (nlohmann-json).
#include "text/utc-time.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <nlohmann/json.hpp>

namespace entente::tools {

std::unique_ptr<crypto::PrivateFile> openOutputFile(const std::string& path, bool force) {
  try {
    return std::make_unique<crypto::PrivateFile>(path, 0600, force ? crypto::Existing::REPLACE : crypto::Existing::KEEP);
  } catch (const crypto::FileError& e) {
    throw CliError(e.what(), 2);
  }
}

std::string utcTime(int64_t unix) { return unix == 0 ? "-" : text::utcTimestamp(unix); }

std::string utcDay(int64_t unix) { return unix == 0 ? "-" : text::utcDate(unix); }

std::string counted(uint64_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

std::string jsonString(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace entente::tools
