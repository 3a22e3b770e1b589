#include "node/import/field-text.h"

namespace entente::node {

std::string_view trimField(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> controlCharacterIn(std::string_view name, std::string_view value, bool lineBreaksAllowed) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) continue;
    if (lineBreaksAllowed && (c == '\t' || c == '\r' || c == '\n')) continue;
    return std::string(name) + (byte == 0 ? " contains a NUL byte" : " contains a control character") +
           "; remove it from the file and import the row again";
  }
  return std::nullopt;
}

}  // namespace entente::node
