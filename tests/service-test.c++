// A node run as systemd runs it (packaging/entente@.service): Type=notify, so READY=1
// must come only once the command line can reach the node, and STOPPING=1 when it
// stops; the key's passphrase is the service's credential. systemd itself is not
// needed: the test binds the notification socket and sets the variables systemd sets.
#include "node/server/node-config.h"
#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using namespace entente::testing;

namespace {

// The service manager's end of $NOTIFY_SOCKET, and the credential folder systemd
// would fill from LoadCredential=passphrase:...
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& passphrase) {
    std::filesystem::create_directory(root_ / "credentials");
    std::ofstream(root_ / "credentials" / "passphrase") << passphrase << "\n";
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string path = (root_ / "notify").string();
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    ::setenv("CREDENTIALS_DIRECTORY", (root_ / "credentials").c_str(), 1);
  }
  ~FakeSystemd() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ::close(socket_);
  }
  void setPassphrase(const std::string& passphrase) {
    std::ofstream(root_ / "credentials" / "passphrase") << passphrase << "\n";
  }
  // The next notification, or "" when none comes while `alive()` holds (or in 30 s).
  template <typename Alive>
  std::string nextNotification(Alive alive) {
    std::string message;
    auto received = [&] {
      char buffer[4096];
      ssize_t n = ::recv(socket_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) message.assign(buffer, static_cast<size_t>(n));
      return n > 0;
    };
    // Once more after the process ended: it may have sent just before.
    if (!waitFor([&] { return received() || !alive(); }) || message.empty()) received();
    return message;
  }
  std::filesystem::path dir(const std::string& name) const { return root_ / name; }

 private:
  TempDir root_;
  int socket_ = -1;
};

// `entente node start` as the unit's ExecStart runs it, not waiting for anything.
struct StartedNode {
  explicit StartedNode(const std::filesystem::path& dir) {
    pid = entente::tools::startChild(ententeBinary(), {"node", "start", "--dir", dir.string()});
  }
  ~StartedNode() {
    if (!exited()) {
      ::kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  bool exited() {
    if (code >= 0) return true;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) != pid) return false;
    code = entente::tools::exitCodeOf(status);
    return true;
  }
  pid_t pid;
  int code = -1;
};

void initSealedByCredential(const std::filesystem::path& dir) {
  auto init = runCli({"node", "init", "--dir", dir.string(), "--name", "boats", "--listen", "127.0.0.1:0", "--region",
                      "FR", "--passphrase-credential", "passphrase"});
  REQUIRE(init.exitCode == 0);
  REQUIRE(entente::node::NodeConfig::load(dir).keyPassphraseCredential == "passphrase");
}

}  // namespace

TEST_CASE("under systemd a node says READY=1 only once `node status` answers, and STOPPING=1 when it stops") {
  FakeSystemd systemd("a long passphrase for boats");
  auto dir = systemd.dir("boats");
  initSealedByCredential(dir);
  StartedNode node(dir);
  std::string ready = systemd.nextNotification([&] { return !node.exited(); });
  REQUIRE(ready.find("READY=1") != std::string::npos);
  // Nothing waits here: what READY=1 promises must already hold.
  auto status = runCli({"node", "status", "--node", dir.string(), "--json"});
  CHECK(status.exitCode == 0);
  CHECK(jsonNumber(status.out, "pid") == static_cast<uint64_t>(node.pid));

  ::kill(node.pid, SIGTERM);
  std::string stopping = systemd.nextNotification([&] { return !node.exited(); });
  CHECK(stopping.find("STOPPING=1") != std::string::npos);
  REQUIRE(waitFor([&] { return node.exited(); }));
  CHECK(node.code == 0);
}

TEST_CASE("under systemd a node that cannot open its key never says READY=1") {
  FakeSystemd systemd("a long passphrase for boats");
  auto dir = systemd.dir("boats");
  initSealedByCredential(dir);
  systemd.setPassphrase("not the passphrase");
  StartedNode node(dir);
  std::string notification = systemd.nextNotification([&] { return !node.exited(); });
  CHECK(notification.find("READY=1") == std::string::npos);
  REQUIRE(waitFor([&] { return node.exited(); }));
  CHECK(node.code != 0);
}
