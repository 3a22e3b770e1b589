#include "crypto/private-file.h"

#include "crypto/random.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <string>
#include <vector>

namespace entente::crypto {
namespace {

std::string hintFor(int error) {
  if (error == ENOSPC || error == EDQUOT) return "the disk is full; free space and retry";
  if (error == ENOENT) return "its folder does not exist; create it or choose another path";
  if (error == EACCES || error == EPERM || error == EROFS) return "this user may not write to its folder";
  return "check free space and permissions of its folder";
}

}  // namespace

// Collects writes in a buffer and hands them to the file descriptor in large pieces;
// an error is kept (the stream's badbit) and reported by commit().
class PrivateFile::Buffer final : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), data_(1 << 16) { setp(data_.data(), data_.data() + data_.size()); }
  int error() const { return error_; }

  int sync() override { return drain() ? 0 : -1; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  bool drain() {
    const char* at = pbase();
    while (at < pptr()) {
      ssize_t n = ::write(fd_, at, static_cast<size_t>(pptr() - at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        return false;
      }
      at += n;
    }
    setp(data_.data(), data_.data() + data_.size());
    return true;
  }

  int fd_;
  std::vector<char> data_;
  int error_ = 0;
};

PrivateFile::PrivateFile(const std::filesystem::path& target, mode_t mode, Existing existing)
    : target_(target), existing_(existing) {
  auto folder = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (existing == Existing::KEEP && std::filesystem::symlink_status(target).type() !=
                                        std::filesystem::file_type::not_found) {
    throw FileError(target.string() + " already exists and was left as it is; choose another name, or replace it "
                                      "with --force");
  }
  temporary_ = folder / ("." + target.filename().string() + "." + randomHex(8) + ".tmp");
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd_ < 0) {
    int error = errno;
    throw FileError("cannot write " + target.string() + ": " + std::strerror(error) + "; " + hintFor(error));
  }
  // The umask may have taken bits away; the mode should not depend on it.
  if (::fchmod(fd_, mode) != 0) fail("fchmod", errno);
  buffer_ = std::make_unique<Buffer>(fd_);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
}

PrivateFile::~PrivateFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

std::ostream& PrivateFile::out() { return *stream_; }

void PrivateFile::fail(const char* step, int error) {
  ::close(fd_);
  fd_ = -1;
  ::unlink(temporary_.c_str());
  throw FileError("cannot write " + target_.string() + " (" + step + ": " + std::strerror(error) + "); " +
                  hintFor(error) + "; nothing was written there");
}

void PrivateFile::commit() {
  if (fd_ < 0) throw FileError(target_.string() + " was already written or abandoned");
  stream_->flush();
  if (!*stream_ || buffer_->error() != 0) fail("write", buffer_->error() != 0 ? buffer_->error() : EIO);
  if (::fsync(fd_) != 0) fail("fsync", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temporary_.c_str());
    throw FileError("cannot write " + target_.string() + ": " + std::strerror(error) + "; " + hintFor(error));
  }
  unsigned flags = existing_ == Existing::KEEP ? RENAME_NOREPLACE : 0;
  if (::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, target_.c_str(), flags) != 0) {
    int error = errno;
    ::unlink(temporary_.c_str());
    if (error == EEXIST) {
      throw FileError(target_.string() + " appeared while it was being written and was left as it is; choose "
                                         "another name, or replace it with --force");
    }
    throw FileError("cannot write " + target_.string() + " (rename: " + std::strerror(error) + ")");
  }
  // The rename is durable only once the folder is.
  auto folder = target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

void writeFileAtomically(const std::filesystem::path& target, std::string_view contents, mode_t mode,
                         Existing existing) {
  PrivateFile file(target, mode, existing);
  file.out().write(contents.data(), static_cast<std::streamsize>(contents.size()));
  file.commit();
}

}  // namespace entente::crypto
