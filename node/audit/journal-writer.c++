#include "node/audit/journal-writer.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace entente::node {

JournalWriter::JournalWriter(std::filesystem::path socket) : socket_(std::move(socket)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool JournalWriter::streamIs(const char* journalStream, int fd) {
  if (journalStream == nullptr) return false;
  unsigned long long device = 0, inode = 0;
  char rest = 0;
  if (std::sscanf(journalStream, "%llu:%llu%c", &device, &inode, &rest) != 2) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return st.st_dev == device && st.st_ino == inode;
}

std::string JournalWriter::fieldName(std::string_view prefix, std::string_view key) {
  std::string name(prefix);
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) && u < 0x80 ? static_cast<char>(std::toupper(u)) : '_';
  }
  // journald accepts names of at most 64 characters.
  if (name.size() > 64) name.resize(64);
  return name;
}

bool JournalWriter::send(const JournalFields& fields) noexcept {
  if (fd_ < 0) return false;
  try {
    std::string datagram;
    for (auto& [key, value] : fields) {
      datagram += key;
      if (value.find('\n') == std::string::npos) {
        datagram += '=';
        datagram += value;
      } else {
        // A value with a line break is sent as its length (64-bit little endian) and bytes.
        datagram += '\n';
        uint64_t size = value.size();
        for (int i = 0; i < 8; ++i) datagram += static_cast<char>((size >> (8 * i)) & 0xff);
        datagram += value;
      }
      datagram += '\n';
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string path = socket_.string();
    if (path.size() >= sizeof(address.sun_path)) return false;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    // An entry larger than a datagram would need a memfd; node.log lines are far
    // smaller, and one that is not goes to stderr instead (the caller's fallback).
    ssize_t sent = ::sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL,
                            reinterpret_cast<sockaddr*>(&address), sizeof address);
    return sent == static_cast<ssize_t>(datagram.size());
  } catch (...) {
    return false;
  }
}

int journalPriorityOf(std::string_view outcome) {
  if (outcome == "failed") return 3;
  if (outcome == "refused" || outcome == "warning") return 4;
  if (outcome == "cancelled" || outcome == "interrupted" || outcome == "deferred") return 5;
  return 6;
}

}  // namespace entente::node
