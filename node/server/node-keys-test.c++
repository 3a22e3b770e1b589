#include "node/server/node-keys.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

using namespace entente::node;
using entente::testing::TempDir;

namespace {

// Sets an environment variable for one test case and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

NodeConfig credentialConfig() {
  NodeConfig config{"boats", "127.0.0.1:7401", "FR", "coast"};
  config.keyPassphraseCredential = "passphrase";
  return config;
}

}  // namespace

TEST_CASE("the passphrase credential is read from $CREDENTIALS_DIRECTORY without its line end") {
  TempDir credentials;
  std::ofstream(credentials / "passphrase") << "a long passphrase for boats\n";
  ScopedEnv env("CREDENTIALS_DIRECTORY", credentials.path().string());
  auto protection = keyProtectionFor(credentialConfig());
  REQUIRE(protection.passphrase);
  CHECK(protection.passphrase->view() == "a long passphrase for boats");
}

TEST_CASE("a passphrase credential outside systemd says how to provide it") {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  CHECK_THROWS_WITH(keyProtectionFor(credentialConfig()), Catch::Contains("LoadCredential=passphrase:"));
}

TEST_CASE("a missing passphrase credential names the file it looked for") {
  TempDir credentials;
  ScopedEnv env("CREDENTIALS_DIRECTORY", credentials.path().string());
  CHECK_THROWS_WITH(keyProtectionFor(credentialConfig()), Catch::Contains((credentials / "passphrase").string()));
}
