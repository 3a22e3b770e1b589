// The one way Entente writes a file: a temporary file in the same folder, created with
// its final mode (0600 unless said otherwise), written, fsync'd, renamed over the
// target, and the folder fsync'd. A crash or an error leaves the old file (or none)
// and never a torn one, and no other user can read the contents for a moment. It sits
// in crypto/ because confidentiality of what the node writes is this layer's concern
// (key files first), and every layer above may use it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string_view>

namespace entente::crypto {

// What failed, on which file, and what to check.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// REPLACE: the new file takes the target's place. KEEP: a file already at the target
// is left as it is and FileError says so (checked when the file is opened, so before
// any work, and again by the rename itself, so that two writers cannot race).
enum class Existing { REPLACE, KEEP };

// A file being written: open() makes the temporary file (so a target folder that is
// missing or not writable fails at once), out() takes the contents, commit() puts it
// in place. Destroyed without commit(), it removes the temporary file and leaves the
// target untouched.
class PrivateFile {
 public:
  PrivateFile(const std::filesystem::path& target, mode_t mode = 0600, Existing existing = Existing::REPLACE);
  ~PrivateFile();
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;

  std::ostream& out();
  // Flushes, fsyncs, renames over the target and fsyncs the folder. Throws FileError.
  void commit();
  const std::filesystem::path& target() const { return target_; }

 private:
  class Buffer;
  [[noreturn]] void fail(const char* step, int error);

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  Existing existing_;
  int fd_ = -1;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
};

// Writes `contents` to `target` atomically with `mode`: PrivateFile in one call.
void writeFileAtomically(const std::filesystem::path& target, std::string_view contents, mode_t mode = 0600,
                         Existing existing = Existing::REPLACE);

}  // namespace entente::crypto
