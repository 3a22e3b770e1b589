// The checks every field of an imported row goes through before any rule of its
// column: read whole from the wire, trimmed, and free of control characters. Shared by
// the customer and history imports, so that a file is read alike by both.
#pragma once

#include <capnp/blob.h>

#include <optional>
#include <string>
#include <string_view>

namespace entente::node {

// A value as the wire carries it, whole: never through a C string, which would end it
// at an embedded NUL ("U-1\0-other" must not become "U-1").
inline std::string_view fieldText(capnp::Text::Reader text) { return {text.begin(), text.size()}; }

// Without the spaces and tabs around it.
std::string_view trimField(std::string_view s);

// Why `value` of column `name` holds a character no column may hold: NUL and the other
// C0 controls and DEL; TAB, CR and LF only where `lineBreaksAllowed` (a multi-line
// note). The reason names the column, never the value.
std::optional<std::string> controlCharacterIn(std::string_view name, std::string_view value, bool lineBreaksAllowed);

}  // namespace entente::node
