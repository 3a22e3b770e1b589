#include "crypto/group.h"

#include "crypto/batch-pool.h"
#include "crypto/group-cost.h"

#include "tests/support/point-printer.h"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace entente::crypto;

namespace {

std::vector<Point> hashAll(const HashDomain& domain, int n) {
  std::vector<Point> points;
  for (int i = 0; i < n; ++i) {
    points.push_back(hashToGroup(domain, IdentifierKind::EMAIL,
                                 "person" + std::to_string(i) + "@example.org"));
  }
  return points;
}

std::vector<Point> blinded(const SessionScalar& k, const std::vector<Point>& in) {
  std::vector<Point> out(in.size());
  k.blind(in, out);
  return out;
}

}  // namespace

TEST_CASE("blinding commutes: (P^r)^s equals (P^s)^r") {
  HashDomain domain("test");
  auto points = hashAll(domain, 64);
  auto r = SessionScalar::random();
  auto s = SessionScalar::random();
  CHECK(blinded(s, blinded(r, points)) == blinded(r, blinded(s, points)));
}

TEST_CASE("the inverse scalar removes a blinding") {
  HashDomain domain("test");
  auto points = hashAll(domain, 40);
  auto r = SessionScalar::random();
  auto s = SessionScalar::random();
  auto unblinded = blinded(r.inverse(), blinded(s, blinded(r, points)));
  CHECK(unblinded == blinded(s, points));
  CHECK(unblinded != points);
}

TEST_CASE("two sessions' scalars give unlinkable values for the same identifier") {
  HashDomain domain("test");
  auto points = hashAll(domain, 4);
  CHECK(blinded(SessionScalar::random(), points) != blinded(SessionScalar::random(), points));
}

TEST_CASE("the hash to the group separates consortia and identifier kinds") {
  HashDomain a("boats-and-travel"), b("insurers");
  CHECK(hashToGroup(a, IdentifierKind::EMAIL, "x@y.fi") ==
        hashToGroup(a, IdentifierKind::EMAIL, "x@y.fi"));
  CHECK(hashToGroup(a, IdentifierKind::EMAIL, "x@y.fi") !=
        hashToGroup(b, IdentifierKind::EMAIL, "x@y.fi"));
  CHECK(hashToGroup(a, IdentifierKind::EMAIL, "+358401234567") !=
        hashToGroup(a, IdentifierKind::PHONE, "+358401234567"));
}

TEST_CASE("the hash to the group hashes exactly the input that docs/protocol.md describes") {
  // The input is rebuilt here from the document, not from group.c++, so that a change
  // to either one (the length prefix, the separator, the order of the parts) shows up.
  // Two partners' nodes must hash identically or they never match.
  auto documentedInput = [](std::string_view consortium, std::string_view kind, std::string_view value) {
    std::string domain = "entente/psi/v1/" + std::string(consortium);
    std::string input;
    input += static_cast<char>(domain.size() >> 8);
    input += static_cast<char>(domain.size() & 0xff);
    input += domain;
    input += kind;
    input += '\0';
    input += value;
    return input;
  };
  auto documentedPoint = [](const std::string& input) {
    REQUIRE(sodium_init() >= 0);
    uint8_t digest[crypto_core_ristretto255_HASHBYTES];  // BLAKE2b-512, unkeyed
    crypto_generichash_blake2b(digest, sizeof digest, reinterpret_cast<const uint8_t*>(input.data()),
                               input.size(), nullptr, 0);
    Point p;
    crypto_core_ristretto255_from_hash(p.data(), digest);
    return p;
  };

  // The document's worked example: 50 bytes that start 00 1b.
  auto example = documentedInput("entente-demo", "email", "anna@example.fi");
  REQUIRE(example.size() == 50);
  CHECK(example[0] == 0x00);
  CHECK(example[1] == 0x1b);
  Point expected = documentedPoint(example);
  CHECK(hashToGroup(HashDomain("entente-demo"), IdentifierKind::EMAIL, "anna@example.fi") == expected);
  // Pinned, so that a libsodium whose from_hash changed would be noticed before two
  // nodes on different builds stopped matching.
  char hex[2 * sizeof(Point) + 1];
  sodium_bin2hex(hex, sizeof hex, expected.data(), expected.size());
  CHECK(std::string(hex) ==
        "96dc25304583211c06deeb22d3840d93a2d108f2a4aff891e3107d369aca1a2b");

  // Every kind, and a domain longer than node.toml allows, so that the prefix's high
  // byte is not zero.
  std::string longConsortium(300, 'c');
  for (auto kind : kAllIdentifierKinds) {
    for (std::string consortium : {std::string("insurers"), longConsortium}) {
      CAPTURE(kindName(kind), consortium.size());
      CHECK(hashToGroup(HashDomain(consortium), kind, "value-1") ==
            documentedPoint(documentedInput(consortium, kindName(kind), "value-1")));
    }
  }
}

TEST_CASE("a consortium name cannot shift bytes into the kind or the value") {
  using namespace std::string_literals;
  // Without the length prefix both of these hash "entente/psi/v1/cemail\0pphone\0z":
  // a consortium name that ends in a kind name and a zero byte would borrow the start
  // of another consortium's value. Normalised values hold no zero byte, but the hash
  // must not rely on every caller for that.
  CHECK(hashToGroup(HashDomain("c"), IdentifierKind::EMAIL, "pphone\0z"s) !=
        hashToGroup(HashDomain("cemail\0p"s), IdentifierKind::PHONE, "z"));
}

TEST_CASE("blinding an invalid encoding fails instead of producing a value") {
  std::vector<Point> in(3);
  in[0] = hashToGroup(HashDomain("t"), IdentifierKind::EMAIL, "a@b.c");
  in[1].fill(0xff);  // not a canonical field element
  in[2] = in[0];
  std::vector<Point> out(3);
  CHECK_THROWS_AS(SessionScalar::random().blind(in, out), std::runtime_error);
}

TEST_CASE("tag length grows with the sets and stays within 8 to 16 bytes") {
  CHECK(tagBytesFor(1, 1) == 8);
  CHECK(tagBytesFor(1u << 12, 1u << 12) == 8);        // 40 + 24 = 64 bits
  CHECK(tagBytesFor((1u << 12) + 1, 1u << 12) == 9);  // 65 bits
  CHECK(tagBytesFor(1u << 20, 1u << 20) == 10);       // 80 bits
  CHECK(tagBytesFor(3'000'000, 3'000'000) == 11);     // 40 + 22 + 22 = 84 bits
  CHECK(tagBytesFor(~0ull, ~0ull) == 16);
}

TEST_CASE("a tag keeps only the requested bytes") {
  Point p = hashToGroup(HashDomain("t"), IdentifierKind::EMAIL, "a@b.c");
  Tag t8 = tagOf(p, 8), t16 = tagOf(p, 16);
  for (size_t i = 0; i < 8; ++i) CHECK(t8[i] == t16[i]);
  for (size_t i = 8; i < 16; ++i) CHECK(t8[i] == 0);
}

TEST_CASE("parallelFor covers every index exactly once") {
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 1000u, 4099u}) {
    std::vector<std::atomic<int>> hits(n);
    parallelFor(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < n; ++i) REQUIRE(hits[i] == 1);
  }
}

TEST_CASE("parallelFor rethrows the error of a failing slice") {
  CHECK_THROWS_WITH(parallelFor(1000,
                                [](size_t b, size_t e) {
                                  if (b <= 500 && 500 < e) throw std::runtime_error("slice failed");
                                }),
                    "slice failed");
  // The pool still works afterwards.
  std::atomic<size_t> sum = 0;
  parallelFor(100, [&](size_t b, size_t e) { sum += e - b; });
  CHECK(sum == 100);
}

TEST_CASE("parallelForInOrder consumes each produced slice once, in order, on the calling thread") {
  auto caller = std::this_thread::get_id();
  for (size_t n : {0u, 1u, 9u, 1000u, 4099u}) {
    std::vector<std::atomic<int>> produced(n);
    std::vector<int> consumedOrder;
    bool allOnCaller = true, producedFirst = true;
    parallelForInOrder(
        n,
        [&](size_t b, size_t e) {
          for (size_t i = b; i < e; ++i) produced[i]++;
        },
        [&](size_t b, size_t e) {
          allOnCaller = allOnCaller && std::this_thread::get_id() == caller;
          for (size_t i = b; i < e; ++i) {
            producedFirst = producedFirst && produced[i] == 1;
            consumedOrder.push_back(static_cast<int>(i));
          }
        });
    for (size_t i = 0; i < n; ++i) REQUIRE(produced[i] == 1);
    REQUIRE(consumedOrder.size() == n);
    for (size_t i = 0; i < n; ++i) REQUIRE(consumedOrder[i] == static_cast<int>(i));
    CHECK(allOnCaller);
    CHECK(producedFirst);
  }
}

TEST_CASE("parallelForInOrder stops consuming at a failure but still produces every slice") {
  constexpr size_t n = 2000;
  std::vector<std::atomic<int>> produced(n);
  size_t consumedUpTo = 0;
  CHECK_THROWS_WITH(parallelForInOrder(
                        n,
                        [&](size_t b, size_t e) {
                          for (size_t i = b; i < e; ++i) produced[i]++;
                        },
                        [&](size_t b, size_t e) {
                          if (b <= 700 && 700 < e) throw std::runtime_error("store refused");
                          consumedUpTo = e;
                        }),
                    "store refused");
  for (size_t i = 0; i < n; ++i) REQUIRE(produced[i] == 1);
  CHECK(consumedUpTo > 0);
  CHECK(consumedUpTo <= 700);

  size_t consumedAfterBadSlice = 0;
  CHECK_THROWS_WITH(parallelForInOrder(
                        n,
                        [](size_t b, size_t e) {
                          if (b <= 1500 && 1500 < e) throw std::runtime_error("bad slice");
                        },
                        [&](size_t b, size_t) {
                          if (b > 1500) ++consumedAfterBadSlice;
                        }),
                    "bad slice");
  CHECK(consumedAfterBadSlice == 0);
  // The pool still works afterwards.
  std::atomic<size_t> sum = 0;
  parallelFor(100, [&](size_t b, size_t e) { sum += e - b; });
  CHECK(sum == 100);
}

TEST_CASE("hashing and blinding in one pass equals hashing then blinding") {
  HashDomain domain("test");
  auto s = SessionScalar::random();
  std::vector<std::string> values = {"a@b.fi", "c@d.pt", "e@f.es"};
  std::vector<SessionScalar::HashInput> in;
  std::vector<Point> hashed;
  for (auto& v : values) {
    in.push_back({IdentifierKind::EMAIL, v});
    hashed.push_back(hashToGroup(domain, IdentifierKind::EMAIL, v));
  }
  in.push_back({IdentifierKind::PHONE, std::nullopt});  // a padding slot
  std::vector<Point> out(in.size());
  s.hashAndBlind(domain, in, out);
  auto expected = blinded(s, hashed);
  for (size_t i = 0; i < values.size(); ++i) CHECK(out[i] == expected[i]);
  for (auto& p : expected) CHECK(out.back() != p);
  // The padding is a valid point: blinding it again succeeds.
  std::vector<Point> again(1);
  s.blind(std::span<const Point>(&out.back(), 1), again);
}

TEST_CASE("blinding with tags gives each result's tag in the same pass") {
  HashDomain domain("test");
  auto s = SessionScalar::random();
  // Enough values for several slices on every core.
  auto points = hashAll(domain, 300);
  std::vector<Point> out(points.size());
  std::vector<Tag> tags(points.size());
  s.blind(points, out, tags, 12);
  CHECK(out == blinded(s, points));
  for (size_t i = 0; i < out.size(); ++i) CHECK(tags[i] == tagOf(out[i], 12));

  std::vector<SessionScalar::HashInput> in;
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) values.push_back("person" + std::to_string(i) + "@example.org");
  for (auto& v : values) in.push_back({IdentifierKind::EMAIL, v});
  std::vector<Point> hashedOut(in.size());
  std::vector<Tag> hashedTags(in.size());
  s.hashAndBlind(domain, in, hashedOut, hashedTags, 9);
  CHECK(hashedOut == out);
  for (size_t i = 0; i < out.size(); ++i) CHECK(hashedTags[i] == tagOf(out[i], 9));

  std::vector<Tag> tooFew(points.size() - 1);
  CHECK_THROWS_AS(s.blind(points, out, tooFew, 12), std::logic_error);
}

TEST_CASE("tags sorted on every core come out as std::sort puts them, spread or alike") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{200'000}}) {
    INFO(n << " tags");
    TagList tags(n, Tag{});
    for (auto& t : tags) randombytes_buf(t.data(), 12);
    // A quarter of them share a first byte, as a hostile peer's might.
    for (size_t i = 0; i < n / 4; ++i) tags[i * 4][0] = 0x42;
    // And some are equal.
    for (size_t i = 1; i < n; i += 97) tags[i] = tags[i - 1];
    auto expected = tags;
    std::sort(expected.begin(), expected.end());
    sortTags(tags);
    CHECK(tags == expected);
  }
}

TEST_CASE("the group-operation costs are measured on each thread of an all-busy run") {
  // No timing is asserted: a run on several threads (or on none asked) returns measured costs.
  auto alone = measureGroupCost(50);
  auto busy = measureGroupCostAllBusy(50, 3);
  CHECK(alone.hashToGroupMicros > 0);
  CHECK(alone.scalarMultMicros > 0);
  CHECK(busy.hashToGroupMicros > 0);
  CHECK(busy.scalarMultMicros > 0);
  auto none = measureGroupCostAllBusy(50, 0);  // taken as one thread
  CHECK(none.scalarMultMicros > 0);
}
