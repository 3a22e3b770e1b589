#include "node/audit/journal-writer.h"

#include "node/audit/node-log.h"
#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

using namespace entente::node;
using entente::testing::TempDir;

namespace {

// A datagram socket bound where journald's would be.
class FakeJournal {
 public:
  explicit FakeJournal(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~FakeJournal() { ::close(fd_); }
  std::string receive() {
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n < 0 ? std::string("(nothing received)") : std::string(buffer, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
};

bool hasField(const std::string& datagram, const std::string& field) {
  return ("\n" + datagram).find("\n" + field + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("a node.log line reaches the journal with its fields and a priority") {
  TempDir dir;
  FakeJournal journal(dir / "journal.socket");
  {
    NodeLog log(dir / "node.log", std::make_unique<JournalWriter>(dir / "journal.socket"));
    log.write(1733329684, "match.request", "ana", "failed", 17, {{"partner_port", "7402"}, {"reason", "line\nbreak"}});
  }
  std::string datagram = journal.receive();
  CHECK(hasField(datagram, "MESSAGE=match.request actor=ana outcome=failed entry=17 partner_port=7402 "
                           "reason=line break"));
  CHECK(hasField(datagram, "PRIORITY=3"));
  CHECK(hasField(datagram, "SYSLOG_IDENTIFIER=entente"));
  CHECK(hasField(datagram, "ENTENTE_ACTION=match.request"));
  CHECK(hasField(datagram, "ENTENTE_ACTOR=ana"));
  CHECK(hasField(datagram, "ENTENTE_OUTCOME=failed"));
  CHECK(hasField(datagram, "ENTENTE_ENTRY=17"));
  CHECK(hasField(datagram, "ENTENTE_PARTNER_PORT=7402"));
  // A control character cannot start a forged field.
  CHECK(hasField(datagram, "ENTENTE_REASON=line break"));
  // node.log keeps its line whatever the journal does.
  std::ifstream in(dir / "node.log");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find("match.request actor=ana outcome=failed entry=17") != std::string::npos);
}

TEST_CASE("outcomes map to syslog priorities") {
  CHECK(journalPriorityOf("ok") == 6);
  CHECK(journalPriorityOf("cancelled") == 5);
  CHECK(journalPriorityOf("refused") == 4);
  CHECK(journalPriorityOf("failed") == 3);
}

TEST_CASE("journal field names keep to what journald accepts") {
  CHECK(JournalWriter::fieldName("ENTENTE_", "partner-port.v2") == "ENTENTE_PARTNER_PORT_V2");
  CHECK(JournalWriter::fieldName("ENTENTE_", std::string(100, 'a')).size() == 64);
}

TEST_CASE("a journal that does not listen is reported, so the line can go elsewhere") {
  TempDir dir;
  JournalWriter writer(dir / "no-journal.socket");
  CHECK_FALSE(writer.send({{"MESSAGE", "x"}}));
}

TEST_CASE("$JOURNAL_STREAM is believed only for the stream it names") {
  TempDir dir;
  int a = ::open((dir / "a").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int b = ::open((dir / "b").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  struct stat st {};
  REQUIRE(::fstat(a, &st) == 0);
  std::string value = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  CHECK(JournalWriter::streamIs(value.c_str(), a));
  CHECK_FALSE(JournalWriter::streamIs(value.c_str(), b));
  CHECK_FALSE(JournalWriter::streamIs(nullptr, a));
  CHECK_FALSE(JournalWriter::streamIs("garbage", a));
  CHECK_FALSE(JournalWriter::streamIs((value + "x").c_str(), a));
  ::close(a);
  ::close(b);
}
