// Unit tests of the one file writer: private from the start, all or nothing, and an
// existing file is kept unless replacing it was asked for.

#include "crypto/private-file.h"

#include "tests/support/temp-dir.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace entente::crypto {
namespace {

namespace fs = std::filesystem;

std::string contents(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

mode_t modeOf(const fs::path& file) {
  struct stat st;
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

size_t filesIn(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST_CASE("a written file is private whatever the umask, and no temporary file is left") {
  testing::TempDir dir;
  mode_t previous = ::umask(0);
  writeFileAtomically(dir / "out.csv", "a,b\n");
  ::umask(previous);
  CHECK(contents(dir / "out.csv") == "a,b\n");
  CHECK(modeOf(dir / "out.csv") == 0600);
  CHECK(filesIn(dir.path()) == 1);
}

TEST_CASE("a file abandoned before commit leaves the old file as it was and no temporary file") {
  testing::TempDir dir;
  writeFileAtomically(dir / "out.csv", "old\n");
  {
    PrivateFile file(dir / "out.csv");
    file.out() << std::string(200000, 'x');  // past the buffer: part of it reached the disk
  }
  CHECK(contents(dir / "out.csv") == "old\n");
  CHECK(filesIn(dir.path()) == 1);
}

TEST_CASE("an existing file is kept unless it may be replaced, and the refusal comes before any work") {
  testing::TempDir dir;
  writeFileAtomically(dir / "out.csv", "old\n");
  CHECK_THROWS_WITH(PrivateFile(dir / "out.csv", 0600, Existing::KEEP),
                    Catch::Contains("already exists") && Catch::Contains("--force"));
  CHECK(contents(dir / "out.csv") == "old\n");
  PrivateFile file(dir / "out.csv", 0600, Existing::REPLACE);
  file.out() << "new\n";
  file.commit();
  CHECK(contents(dir / "out.csv") == "new\n");
}

TEST_CASE("a file in a missing folder fails when opened, naming the folder problem") {
  testing::TempDir dir;
  CHECK_THROWS_WITH(PrivateFile(dir / "missing" / "out.csv"), Catch::Contains("folder does not exist"));
}

}  // namespace
}  // namespace entente::crypto
