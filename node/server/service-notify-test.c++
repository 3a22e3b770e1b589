#include "node/server/service-notify.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

using namespace entente::node;
using entente::testing::TempDir;

namespace {

// A datagram socket bound where a service manager would listen; `name` as in
// $NOTIFY_SOCKET (a path, or "@name" for an abstract socket).
class FakeServiceManager {
 public:
  explicit FakeServiceManager(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~FakeServiceManager() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
  }
  std::string receive() {
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n < 0 ? std::string("(nothing received)") : std::string(buffer, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("a notification reaches the socket that $NOTIFY_SOCKET names") {
  TempDir dir;
  FakeServiceManager manager((dir / "notify").string());
  CHECK_FALSE(notifyServiceManager("READY=1\nSTATUS=serving"));
  CHECK(manager.receive() == "READY=1\nSTATUS=serving");
}

TEST_CASE("a notification reaches an abstract socket named with '@'") {
  FakeServiceManager manager("@entente-notify-test-" + std::to_string(::getpid()));
  CHECK_FALSE(notifyServiceManager("STOPPING=1"));
  CHECK(manager.receive() == "STOPPING=1");
}

TEST_CASE("outside systemd nothing is sent and nothing fails") {
  ::unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(notifyServiceManager("READY=1"));
}

TEST_CASE("a service manager that is not listening is reported, with the socket's name") {
  TempDir dir;
  ::setenv("NOTIFY_SOCKET", (dir / "nobody").c_str(), 1);
  auto failure = notifyServiceManager("READY=1");
  ::unsetenv("NOTIFY_SOCKET");
  REQUIRE(failure);
  CHECK(failure->find((dir / "nobody").string()) != std::string::npos);
}
