#include "node/server/node-config.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace entente::node;
using entente::testing::TempDir;

TEST_CASE("a saved node configuration loads back unchanged") {
  TempDir dir;
  NodeConfig config{"boats", "127.0.0.1:7401", "FR", "coast"};
  config.keyPassphraseEnv = "BOATS_PASSPHRASE";
  config.save(dir.path());
  auto loaded = NodeConfig::load(dir.path());
  CHECK(loaded.name == "boats");
  CHECK(loaded.listen == "127.0.0.1:7401");
  CHECK(loaded.region == "FR");
  CHECK(loaded.consortium == "coast");
  CHECK(loaded.keyPassphraseEnv == "BOATS_PASSPHRASE");
  CHECK(loaded.keyPassphraseFile.empty());
  CHECK_FALSE(loaded.insecurePlaintextKey);
}

TEST_CASE("a configuration must say how the identity key is protected, exactly once") {
  NodeConfig config{"boats", "127.0.0.1:7401", "FR", "coast"};
  CHECK_THROWS_WITH(config.validate(), Catch::Contains("key_passphrase_file"));
  config.keyPassphraseFile = "/etc/p";
  config.validate();
  config.insecurePlaintextKey = true;
  CHECK_THROWS_WITH(config.validate(), Catch::Contains("exactly one"));
}

TEST_CASE("a missing configuration says how to create a node") {
  TempDir dir;
  CHECK_THROWS_WITH(NodeConfig::load(dir.path()), Catch::Contains("entente node init"));
}

TEST_CASE("a malformed configuration names the file and line") {
  TempDir dir;
  std::ofstream(dir / "node.toml") << "name = \"boats\"\nlisten = \n";
  CHECK_THROWS_WITH(NodeConfig::load(dir.path()), Catch::Contains("node.toml:2"));
}

TEST_CASE("invalid settings are refused with what to change") {
  // (each of these also lacks a key protection; the first error found is reported)
  CHECK_THROWS_WITH((NodeConfig{"bad name", "127.0.0.1:1", "FR"}.validate()), Catch::Contains("node name"));
  CHECK_THROWS_WITH((NodeConfig{"a", "localhost", "FR"}.validate()), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH((NodeConfig{"a", "h:70000", "FR"}.validate()), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH((NodeConfig{"a", "h:1", "fra"}.validate()), Catch::Contains("region"));
}

TEST_CASE("a systemd credential as the passphrase source is saved and loaded back") {
  TempDir dir;
  NodeConfig config{"boats", "127.0.0.1:7401", "FR", "coast"};
  config.keyPassphraseCredential = "passphrase";
  config.save(dir.path());
  auto loaded = NodeConfig::load(dir.path());
  CHECK(loaded.keyPassphraseCredential == "passphrase");
  CHECK(loaded.keyPassphraseFile.empty());
  CHECK(loaded.keyPassphraseEnv.empty());
}

TEST_CASE("a credential name with a path in it is refused") {
  NodeConfig config{"boats", "127.0.0.1:7401", "FR", "coast"};
  config.keyPassphraseCredential = "../etc/shadow";
  CHECK_THROWS_WITH(config.validate(), Catch::Contains("key_passphrase_credential"));
  config.keyPassphraseCredential = "..";
  CHECK_THROWS_WITH(config.validate(), Catch::Contains("key_passphrase_credential"));
  config.keyPassphraseCredential = "passphrase";
  config.keyPassphraseEnv = "BOATS_PASSPHRASE";
  CHECK_THROWS_WITH(config.validate(), Catch::Contains("exactly one"));
}

TEST_CASE("the example node.toml the package ships loads") {
  TempDir dir;
  std::filesystem::copy_file(std::filesystem::path(ENTENTE_SOURCE_DIR) / "packaging/node.toml.example", dir / "node.toml");
  auto loaded = NodeConfig::load(dir.path());
  CHECK(loaded.name == "boats");
  CHECK(loaded.keyPassphraseCredential == "passphrase");
}
