#include "node/server/service-notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace entente::node {

std::optional<std::string> notifyServiceManager(std::string_view state) {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (target == nullptr || *target == '\0') return std::nullopt;
  std::string name = target;
  auto failed = [&](const std::string& why) {
    return "cannot notify the service manager at $NOTIFY_SOCKET=" + name + ": " + why;
  };
  // systemd names either a file path or, with a leading '@', an abstract socket.
  if (name[0] != '/' && name[0] != '@') return failed("not an absolute path or an @abstract name");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() >= sizeof(address.sun_path)) return failed("the name is too long for a Unix socket");
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name[0] == '@') address.sun_path[0] = '\0';
  // An abstract name is exactly its bytes, with no terminating NUL counted.
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '/' ? 1 : 0));

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed(std::strerror(errno));
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address), length);
  int error = errno;
  ::close(fd);
  if (sent < 0) return failed(std::strerror(error));
  if (static_cast<size_t>(sent) != state.size()) return failed("the message was cut short");
  return std::nullopt;
}

}  // namespace entente::node
