#include "crypto/private-file.h"

#include "crypto/random.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace entente::crypto {

void writeFileAtomically(const std::filesystem::path& target, std::string_view contents, mode_t mode,
                         Existing existing) {
  auto folder = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  std::filesystem::path temporary = folder / ("." + target.filename().string() + "." + randomHex(8) + ".tmp");
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    int error = errno;
    throw FileError("could not write " + target.string() + ": " + std::strerror(error) +
                    "; check that its folder exists and that this user may write to it");
  }
  auto fail = [&](const char* step) {
    int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    std::string hint = error == ENOSPC || error == EDQUOT ? "the disk is full; free space and retry"
                                                          : "check free space and permissions of its folder";
    throw FileError("could not write " + target.string() + " (" + step + ": " + std::strerror(error) + "); " + hint);
  };
  // The umask may have taken bits away; the mode should not depend on it.
  if (::fchmod(fd, mode) != 0) fail("fchmod");
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    throw FileError("could not write " + target.string() + ": " + std::strerror(error));
  }
  unsigned flags = existing == Existing::KEEP ? RENAME_NOREPLACE : 0;
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), flags) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    if (error == EEXIST) {
      throw FileError(target.string() + " already exists and was left as it is; choose another name or remove it");
    }
    throw FileError("could not write " + target.string() + " (rename: " + std::strerror(error) + ")");
  }
  // The rename is durable only once the folder is.
  int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

}  // namespace entente::crypto
