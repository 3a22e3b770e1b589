// Both roles of a session driven in-process, without a transport: the protocol's
// arithmetic and bookkeeping on their own. tests/ runs them across real processes.
#include "protocol/requester-session.h"
#include "protocol/responder-session.h"

#include "tests/support/point-printer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>

using namespace entente::protocol;
using entente::crypto::HashDomain;
using entente::crypto::IdentifierKind;

namespace {

class ListSource : public RecordSource {
 public:
  explicit ListSource(std::vector<SelectedGroup> groups) : groups_(std::move(groups)) {}
  uint64_t groupCount() const override { return groups_.size(); }
  uint64_t valueCount() const override {
    uint64_t n = 0;
    for (auto& g : groups_) n += g.values.size();
    return n;
  }
  size_t read(size_t maxGroups, std::vector<SelectedGroup>& out) override {
    size_t n = 0;
    while (n < maxGroups && next_ < groups_.size()) out.push_back(groups_[next_++]), ++n;
    return n;
  }
  std::string customerIdOf(uint64_t key) override { return "C" + std::to_string(key); }

 private:
  std::vector<SelectedGroup> groups_;
  size_t next_ = 0;
};

SelectedGroup person(uint64_t key, std::string email, std::string phone = "") {
  SelectedGroup g{key, {}, {}};
  if (!email.empty()) g.values.push_back({IdentifierKind::EMAIL, email});
  if (!phone.empty()) g.values.push_back({IdentifierKind::PHONE, phone});
  return g;
}

std::vector<SelectedGroup> people(uint64_t firstKey, int from, int to) {
  std::vector<SelectedGroup> out;
  for (int i = from; i < to; ++i) {
    out.push_back(person(firstKey + out.size(), "p" + std::to_string(i) + "@x.fi", "+3584000" + std::to_string(i)));
  }
  return out;
}

MatchOutcome run(MatchMode mode, std::vector<SelectedGroup> mine, std::vector<SelectedGroup> theirs,
                 std::vector<IdentifierKind> kinds = {IdentifierKind::EMAIL, IdentifierKind::PHONE}) {
  HashDomain domain("test");
  ListSource requesterSource(std::move(mine)), responderSource(std::move(theirs));
  SessionTerms terms{mode, kinds, "overlap-analysis", {}};
  RequesterSession requester(domain, terms, requesterSource);
  ResponderSession responder(domain, terms, responderSource, requester.groups());
  requester.accept(responder.values(), responder.tagBytes());
  std::vector<uint8_t> tags;
  while (responder.nextTags(tags)) requester.addTags(tags);
  requester.tagsDone(responder.tagsSent());
  BlindedBatch batch;
  for (uint64_t i = 0; requester.nextBatch(batch); ++i) {
    if (mode == MatchMode::IDS) requester.addAnswer(i, responder.answer(batch));
    else responder.absorb(batch);
  }
  if (mode == MatchMode::COUNT) {
    while (responder.nextShuffled(batch)) requester.addShuffled(batch);
  }
  return requester.finish();
}

}  // namespace

TEST_CASE("count mode finds the size of the overlap") {
  auto outcome = run(MatchMode::COUNT, people(1, 0, 3000), people(1, 2000, 4500));
  CHECK(outcome.overlap == 1000);
  CHECK(outcome.matched.empty());
}

TEST_CASE("ids mode names the requester's shared customers and the kinds that matched") {
  auto mine = people(100, 0, 1500);
  auto outcome = run(MatchMode::IDS, mine, people(1, 1000, 2600));
  REQUIRE(outcome.overlap == 500);
  REQUIRE(outcome.matched.size() == 500);
  CHECK(outcome.matched.front().customerKey == 100 + 1000);
  CHECK(outcome.matched.back().customerKey == 100 + 1499);
  for (auto& m : outcome.matched) CHECK(m.kindsMask == 0b11);
}

TEST_CASE("a customer matching on several identifiers is counted once, in both modes") {
  std::vector<SelectedGroup> mine = {person(1, "a@x.pt", "+351912345678"), person(2, "b@x.pt", "")};
  std::vector<SelectedGroup> theirs = {person(7, "a@x.pt", "+351912345678"), person(8, "", "+351912345678"),
                                       person(9, "b@x.pt", "")};
  CHECK(run(MatchMode::COUNT, mine, theirs).overlap == 2);
  auto ids = run(MatchMode::IDS, mine, theirs);
  REQUIRE(ids.matched.size() == 2);
  CHECK(ids.matched[0].kindsMask == 0b11);
  CHECK(ids.matched[1].kindsMask == 0b01);
}

TEST_CASE("a customer matches when any one of its identifiers does") {
  std::vector<SelectedGroup> mine = {person(1, "old@x.es", "+34612345678")};
  std::vector<SelectedGroup> theirs = {person(1, "new@x.es", "+34612345678")};
  auto ids = run(MatchMode::IDS, mine, theirs);
  REQUIRE(ids.matched.size() == 1);
  CHECK(ids.matched[0].kindsMask == 0b10);
}

TEST_CASE("only the session's identifier kinds take part") {
  std::vector<SelectedGroup> mine = {person(1, "", "+34612345678")};
  std::vector<SelectedGroup> theirs = {person(1, "", "+34612345678")};
  CHECK(run(MatchMode::COUNT, mine, theirs).overlap == 1);
  // The selection source gives each session only values of its kinds; a phone-only
  // customer in an e-mail session is padding only and cannot match.
  std::vector<SelectedGroup> mineEmailOnly = {SelectedGroup{1, {}, {}}};
  CHECK(run(MatchMode::COUNT, mineEmailOnly, {person(1, "a@b.fi")}, {IdentifierKind::EMAIL}).overlap == 0);
}

TEST_CASE("disjoint and empty sets give an empty overlap") {
  CHECK(run(MatchMode::COUNT, people(1, 0, 100), people(1, 100, 200)).overlap == 0);
  CHECK(run(MatchMode::IDS, {}, people(1, 0, 10)).overlap == 0);
  CHECK(run(MatchMode::COUNT, people(1, 0, 10), {}).overlap == 0);
}

TEST_CASE("a responder refuses more customers than the requester announced") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  ResponderSession responder(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {}}, source, 2);
  BlindedBatch batch;
  batch.points.resize(3, entente::crypto::hashToGroup(domain, IdentifierKind::EMAIL, "a@b.c"));
  CHECK_THROWS_WITH(responder.answer(batch), Catch::Contains("more customers than it announced"));
}

TEST_CASE("a responder refuses a batch that splits a customer") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  ResponderSession responder(domain, {MatchMode::COUNT, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "p", {}},
                             source, 5);
  BlindedBatch batch;
  batch.points.resize(3, entente::crypto::hashToGroup(domain, IdentifierKind::EMAIL, "a@b.c"));
  CHECK_THROWS_AS(responder.absorb(batch), SessionError);
}

TEST_CASE("count mode refuses to shuffle before every announced customer arrived") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  ResponderSession responder(domain, {MatchMode::COUNT, {IdentifierKind::EMAIL}, "p", {}}, source, 5);
  BlindedBatch out;
  CHECK_THROWS_WITH(responder.nextShuffled(out), Catch::Contains("0 of the 5"));
}

TEST_CASE("a requester refuses tags too short for the set sizes") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  RequesterSession requester(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {}}, source);
  CHECK_THROWS_WITH(requester.accept(1'000'000'000, 8), Catch::Contains("are needed"));
}

TEST_CASE("a requester notices a tag stream that ended early") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  RequesterSession requester(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {}}, source);
  requester.accept(5, 8);
  requester.addTags(std::vector<uint8_t>(3 * 8, 1));
  CHECK_THROWS_WITH(requester.tagsDone(3), Catch::Contains("3 of 5"));
}

TEST_CASE("the responder's tags reveal nothing of its record order") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 2000));
  ResponderSession responder(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {}}, source, 10);
  std::vector<uint8_t> chunk, all;
  while (responder.nextTags(chunk)) all.insert(all.end(), chunk.begin(), chunk.end());
  size_t n = all.size() / responder.tagBytes();
  REQUIRE(n == 4000);  // two values per person
  for (size_t i = 1; i < n; ++i) {
    auto a = all.begin() + (i - 1) * responder.tagBytes();
    auto b = all.begin() + i * responder.tagBytes();
    REQUIRE(std::lexicographical_compare(a, b, b, b + responder.tagBytes()));
  }
}

TEST_CASE("tags that overtake the responder's offer are kept until it arrives") {
  HashDomain domain("test");
  ListSource mine(people(1, 0, 50)), theirs(people(1, 25, 75));
  SessionTerms terms{MatchMode::IDS, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "p", {}};
  RequesterSession requester(domain, terms, mine);
  ResponderSession responder(domain, terms, theirs, requester.groups());
  std::vector<uint8_t> tags;
  while (responder.nextTags(tags)) requester.addTags(tags);
  requester.tagsDone(responder.tagsSent());
  requester.accept(responder.values(), responder.tagBytes());
  BlindedBatch batch;
  for (uint64_t i = 0; requester.nextBatch(batch); ++i) requester.addAnswer(i, responder.answer(batch));
  CHECK(requester.finish().overlap == 25);
}

TEST_CASE("count mode returns whole customers in the order its random source draws, shuffled inside too") {
  // A fresh random scalar would make any order look random, shuffled or not. With a
  // fixed scalar the test knows each returned value, and with a scripted source it
  // knows the order that Fisher-Yates must produce.
  using entente::crypto::Point;
  using entente::crypto::SessionScalar;
  HashDomain domain("test");
  const std::vector<IdentifierKind> kinds = {IdentifierKind::EMAIL, IdentifierKind::PHONE,
                                             IdentifierKind::NAME_DOB_POSTAL};
  std::vector<Point> in;  // in[3 * c + j]: customer c's value of kind j, all distinct
  for (int c = 0; c < 3; ++c) {
    for (auto kind : kinds) in.push_back(entente::crypto::hashToGroup(domain, kind, "customer-" + std::to_string(c)));
  }
  const std::array<uint8_t, 32> scalar = {7};
  std::vector<Point> raised(in.size());  // what the responder keeps: in[i]^s
  SessionScalar::fromBytes(scalar).blind(in, raised);

  std::deque<uint32_t> script = {1, 0,   // the order of the 3 customers
                                 0, 1,   // inside the 1st customer returned
                                 2, 0,   // the 2nd
                                 1, 0};  // the 3rd
  std::vector<uint32_t> bounds;
  auto scripted = [&](uint32_t bound) {
    bounds.push_back(bound);
    REQUIRE(!script.empty());
    uint32_t v = script.front();
    script.pop_front();
    REQUIRE(v < bound);
    return v;
  };
  ListSource source({});
  ResponderSession responder(domain, {MatchMode::COUNT, kinds, "p", {}}, source, 3, SessionScalar::fromBytes(scalar),
                             scripted);
  responder.absorb(BlindedBatch{in});
  BlindedBatch out, after;
  REQUIRE(responder.nextShuffled(out));
  CHECK_FALSE(responder.nextShuffled(after));

  // Customers: [0 1 2], swap positions 2 and 1 -> [0 2 1], swap 1 and 0 -> [2 0 1].
  // Customer 2: swap 2 and 0, keep 1 -> [8 7 6]. Customer 0: keep 2, swap 1 and 0 ->
  // [1 0 2]. Customer 1: swap 2 and 1 -> [3 5 4], swap 1 and 0 -> [5 3 4].
  const std::vector<Point> expected = {raised[8], raised[7], raised[6], raised[1], raised[0],
                                       raised[2], raised[5], raised[3], raised[4]};
  CHECK(out.points == expected);
  // Every swap drew from the source: n - 1 draws for n customers, k - 1 inside each.
  CHECK(bounds == std::vector<uint32_t>{3, 2, 3, 2, 3, 2, 3, 2});
  CHECK(script.empty());
  // Nothing lost or duplicated: the same values, only reordered.
  std::vector<Point> sortedOut = out.points, sortedRaised = raised;
  std::sort(sortedOut.begin(), sortedOut.end());
  std::sort(sortedRaised.begin(), sortedRaised.end());
  CHECK(sortedOut == sortedRaised);
}

TEST_CASE("count mode over several staged runs of customers returns the order Fisher-Yates draws, customers whole") {
  // The responder gathers the shuffled customers on the workers, a run of them at a
  // time; 2^15 + 5 customers span three runs. A predictable source and the scalar 1
  // (each kept value is then the value sent) let the test replay the shuffle itself.
  using entente::crypto::Point;
  using entente::crypto::SessionScalar;
  HashDomain domain("test");
  const std::vector<IdentifierKind> kinds = {IdentifierKind::EMAIL, IdentifierKind::PHONE};
  const uint32_t customers = (1u << 15) + 5;
  std::vector<Point> in(2 * size_t{customers});
  for (uint32_t i = 0; i < in.size(); ++i) in[i] = entente::crypto::hashToGroup(domain, kinds[i % 2], std::to_string(i));
  auto predictable = [] {
    return [x = uint64_t{1}](uint32_t bound) mutable {
      x = x * 6364136223846793005u + 1442695040888963407u;
      return static_cast<uint32_t>((x >> 33) % bound);
    };
  };
  const std::array<uint8_t, 32> one = {1};
  ListSource source({});
  ResponderSession responder(domain, {MatchMode::COUNT, kinds, "p", {}}, source, customers,
                             SessionScalar::fromBytes(one), predictable());
  for (size_t at = 0; at < in.size(); at += kBatchValues) {
    responder.absorb(BlindedBatch{std::vector<Point>(in.begin() + at, in.begin() + std::min(in.size(), at + kBatchValues))});
  }
  std::vector<Point> out;
  BlindedBatch batch;
  while (responder.nextShuffled(batch)) {
    CHECK(batch.points.size() % 2 == 0);
    out.insert(out.end(), batch.points.begin(), batch.points.end());
  }

  auto draw = predictable();
  std::vector<uint32_t> order(customers);
  for (uint32_t c = 0; c < customers; ++c) order[c] = c;
  for (uint32_t i = customers; i > 1; --i) std::swap(order[i - 1], order[draw(i)]);
  std::vector<Point> expected;
  for (uint32_t c : order) {
    std::array<Point, 2> pair = {in[2 * c], in[2 * c + 1]};
    std::swap(pair[1], pair[draw(2)]);
    expected.insert(expected.end(), pair.begin(), pair.end());
  }
  REQUIRE(out.size() == expected.size());
  CHECK(out == expected);
}

TEST_CASE("a responder notices a requester that finishes before sending every announced customer") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 10));
  ResponderSession responder(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {}}, source, 3);
  BlindedBatch batch{{entente::crypto::hashToGroup(domain, IdentifierKind::EMAIL, "a@b.c")}};
  responder.answer(batch);
  CHECK_THROWS_WITH(responder.checkComplete(), Catch::Contains("1 of the 3"));
}

TEST_CASE("the responder prepares its tags a batch at a time") {
  HashDomain domain("test");
  ListSource source(people(1, 0, 3000));  // 6000 values: several batches of 1024
  ResponderSession responder(domain, {MatchMode::IDS, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "p", {}}, source,
                             1);
  int turns = 1;
  while (!responder.prepareTags()) ++turns;
  CHECK(turns >= 3);
  std::vector<uint8_t> chunk;
  uint64_t total = 0;
  while (responder.nextTags(chunk)) total += chunk.size() / responder.tagBytes();
  CHECK(total == 6000);
}

TEST_CASE("the responder's tags lag behind while a smaller share of them is done than of the requester's values") {
  HashDomain domain("test");
  SessionTerms terms{MatchMode::COUNT, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "p", {}};
  ListSource mine(people(1, 0, 2048)), theirs(people(1, 0, 3000));  // 4096 and 6000 values
  RequesterSession requester(domain, terms, mine);
  ResponderSession responder(domain, terms, theirs, requester.groups());
  requester.accept(responder.values(), responder.tagBytes());
  CHECK_FALSE(responder.tagsBehind());  // nothing received yet
  BlindedBatch batch;
  REQUIRE(requester.nextBatch(batch));  // 511 customers: a quarter of the 2048 announced
  responder.absorb(batch);
  CHECK(responder.tagsBehind());
  // One batch of tags (1024 customers' 2048 values of 6000) is past a quarter.
  CHECK_FALSE(responder.prepareTags());
  CHECK_FALSE(responder.tagsBehind());
  while (requester.nextBatch(batch)) responder.absorb(batch);
  int batches = 0;
  while (responder.tagsBehind()) {
    ++batches;
    if (responder.prepareTags()) break;
  }
  CHECK(batches == 2);
  CHECK_FALSE(responder.tagsBehind());
  CHECK(responder.prepareTags());
}

TEST_CASE("enrich mode opens the attributes of exactly the matched customers, sealed beside the responder's tags") {
  HashDomain domain("test");
  auto mine = people(100, 0, 1500);
  auto theirs = people(1, 1000, 2600);
  // The responder's attributes: its customer number as the segment; every third one
  // shares nothing (absent); the rest an income band.
  for (size_t i = 0; i < theirs.size(); ++i) {
    theirs[i].attributes = {"seg-" + std::to_string(1000 + i),
                            i % 3 == 0 ? std::nullopt : std::optional<std::string>("band-" + std::to_string(i % 5))};
  }
  ListSource requesterSource(mine), responderSource(theirs);
  SessionTerms terms{MatchMode::ENRICH, {IdentifierKind::EMAIL, IdentifierKind::PHONE}, "p", {"segment", "income"}};
  RequesterSession requester(domain, terms, requesterSource);
  ResponderSession responder(domain, terms, responderSource, requester.groups());
  // The tags and their sealed records overtake the offer: both are kept until it comes.
  std::vector<uint8_t> tags, sealed;
  REQUIRE(responder.nextTags(tags, &sealed));
  CHECK(sealed.size() == tags.size() / responder.tagBytes() * entente::crypto::sealedBytes(2));
  requester.addTags(tags, sealed);
  requester.accept(responder.values(), responder.tagBytes());
  while (responder.nextTags(tags, &sealed)) requester.addTags(tags, sealed);
  requester.tagsDone(responder.tagsSent());
  BlindedBatch batch;
  for (uint64_t i = 0; requester.nextBatch(batch); ++i) requester.addAnswer(i, responder.answer(batch));
  auto outcome = requester.finish();
  REQUIRE(outcome.matched.size() == 500);
  for (auto& m : outcome.matched) {
    // Requester keys 100.. hold people 0..1499; the shared ones are people 1000..1499,
    // the responder's customers 0..499.
    size_t theirIndex = m.customerKey - 100 - 1000;
    REQUIRE(m.attributes.size() == 2);
    CHECK(m.attributes[0] == "seg-" + std::to_string(1000 + theirIndex));
    CHECK(m.attributes[1] == theirs[theirIndex].attributes[1]);
  }
}

TEST_CASE("enrich mode refuses sealed records that do not match the tags, and attributes outside enrich mode") {
  HashDomain domain("test");
  ListSource requesterSource(people(1, 0, 10)), responderSource(people(1, 0, 10));
  SessionTerms terms{MatchMode::ENRICH, {IdentifierKind::EMAIL}, "p", {"segment"}};
  RequesterSession requester(domain, terms, requesterSource);
  ResponderSession responder(domain, terms, responderSource, requester.groups());
  requester.accept(responder.values(), responder.tagBytes());
  std::vector<uint8_t> tags, sealed;
  REQUIRE(responder.nextTags(tags, &sealed));
  sealed.pop_back();
  CHECK_THROWS_AS(requester.addTags(tags, sealed), SessionError);
  CHECK_THROWS_AS(RequesterSession(domain, {MatchMode::IDS, {IdentifierKind::EMAIL}, "p", {"segment"}},
                                   requesterSource),
                  SessionError);
  CHECK_THROWS_AS(RequesterSession(domain, {MatchMode::ENRICH, {IdentifierKind::EMAIL}, "p", {}}, requesterSource),
                  SessionError);
}
