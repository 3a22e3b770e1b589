// The one way Entente writes a file: a temporary file in the same folder, created with
// its final mode (0600 unless said otherwise), written, fsync'd, renamed over the
// target, and the folder fsync'd. A crash leaves the old file or the new one, never a
// torn one, and no other user can read the contents for a moment. It sits in crypto/
// because confidentiality of what the node writes is this layer's concern (key files
// first) and every layer above may use it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace entente::crypto {

// What failed, on which file, and what to check.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Existing { REPLACE, KEEP };

// Writes `contents` to `target` atomically with `mode`. With Existing::KEEP a file
// already at `target` is left as it is and FileError says so (the rename refuses to
// replace it, so two writers cannot race either).
void writeFileAtomically(const std::filesystem::path& target, std::string_view contents, mode_t mode = 0600,
                         Existing existing = Existing::REPLACE);

}  // namespace entente::crypto
