// Writes the seed corpora of the targets whose seeds only the code can make: real
// invitations (signed), real audit exports (hash-chained, checkpoints signed) and
// real requester batches. Not part of the build by default:
//
//   cmake --build build --target fuzz-make-seeds
//   build/tests/fuzz-make-seeds tests/fuzz/corpus
//
// writes corpus/invitation/, corpus/audit-export/ and corpus/responder-session/,
// replacing the files of the same names (keys are fresh each time, so the bytes
// differ from one run to the next; what they exercise does not).
#include "node/audit/audit-chain.h"
#include "node/audit/audit-export.h"
#include "node/partners/invitation.h"
#include "protocol/blinded-batch.h"
#include "protocol/requester-session.h"
#include "storage/environment.h"
#include "tests/fuzz/responder-session-input.h"
#include "tests/support/temp-dir.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

using namespace entente;
using namespace entente::fuzz;

namespace {

std::filesystem::path root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  auto dir = root / target;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
  std::printf("%s/%s: %zu bytes\n", target.c_str(), name.c_str(), bytes.size());
}

std::string bytesOf(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }

// --- invitation (see invitation-fuzz.c++ for the 0x01 form) ---

constexpr int64_t k2100 = 4102444800;

std::string fieldsInput(int64_t expires, const std::string& name, const std::string& address,
                        const std::string& purposes, const std::string& secret) {
  std::string out(1, '\x01');
  uint64_t e = static_cast<uint64_t>(expires);
  char le[8];
  std::memcpy(le, &e, sizeof le);
  out.append(le, sizeof le);
  return out + name + '\0' + address + '\0' + purposes + '\0' + secret;
}

void invitations() {
  auto identity = crypto::NodeIdentity::generate("bank-east");
  auto other = crypto::NodeIdentity::generate("bank-west");
  node::Invitation invitation{"bank-east", "bank-east.example.com:7443", identity.publicKey(),
                              {"overlap-analysis", "fraud-prevention"}, k2100, "3f9a1c0d5e7b2468"};
  write("invitation", "valid", node::encodeInvitation(invitation, identity));
  write("invitation", "valid-pasted", "  " + node::encodeInvitation(invitation, identity) + " \r\n");
  node::Invitation expired = invitation;
  expired.expiresAtUnix = 1700000000;
  write("invitation", "expired", node::encodeInvitation(expired, identity));
  // Signed by another key than the one it names: the signature does not verify.
  write("invitation", "wrong-signer", node::encodeInvitation(invitation, other));
  node::Invitation few = invitation;
  few.purposes.clear();
  few.address = "[2001:db8::1]:7443";
  write("invitation", "no-purposes", node::encodeInvitation(few, identity));
  write("invitation", "fields-valid",
        fieldsInput(k2100, "bank-east", "bank-east.example.com:7443", "overlap-analysis,fraud-prevention", "s3cret"));
  write("invitation", "fields-expired", fieldsInput(1700000000, "n", "a:1", "p", "s"));
  write("invitation", "fields-injected",
        fieldsInput(k2100, "evil\nexpires=1", "a:1", "p,,q", std::string("s\0t", 3)));
}

// --- audit-export ---

void append(storage::Environment& env, node::AuditChain& chain, std::string_view action, std::string_view outcome,
            const node::Details& details) {
  storage::Transaction txn(env, storage::Transaction::Mode::WRITE);
  chain.append(txn, action, "local-admin", outcome, details);
  txn.commit();
}

void auditExports() {
  testing::TempDir dir;
  {
    storage::Environment env(dir / "checkpointed", true);
    auto identity = crypto::NodeIdentity::generate("bank-east");
    int64_t now = 1767225600;
    node::AuditChain chain(env, identity, 3, [&now] { return now; });
    append(env, chain, "peer.add", "ok", {{"peer", "bank-west"}, {"fingerprint", "ab12 cd34"}});
    now += 60;
    append(env, chain, "import.finish", "ok", {{"rows", "120"}, {"rejected", "3"}});
    now += 60;
    append(env, chain, "session.serve", "completed",
           {{"session", "9f1e"}, {"purpose", "overlap-analysis"}, {"kinds", "email,phone"}});
    now += 60;
    append(env, chain, "consent.set", "ok", {{"note", "caf\xc3\xa9 \"quoted\"\ttab\\"}});
    now += 60;
    append(env, chain, "peer.revoke", "refused", {});
    chain.checkpoint();
    write("audit-export", "full.jsonl", node::auditExportText(chain));
    // From the fourth entry: starts with the checkpoint of the third, which anchors it.
    write("audit-export", "since-anchored.jsonl", node::auditExportText(chain, 1767225600 + 180));
  }
  {
    storage::Environment env(dir / "unsigned", true);
    auto identity = crypto::NodeIdentity::generate("travel-1");
    node::AuditChain chain(env, identity, 0, [] { return int64_t{-5}; });
    append(env, chain, "node.start", "ok", {{"version", "0.1.0"}});
    append(env, chain, "node.stop", "ok", {});
    write("audit-export", "uncovered.jsonl", node::auditExportText(chain));
    write("audit-export", "header-only.jsonl", node::auditExportText(chain, 0));
  }
}

// --- responder-session (see responder-session-input.h) ---

// The first batch of a real requester with three customers (two of them matching the
// target's own values "v0" and "v3" as e-mail addresses), blinded with its random r.
std::vector<uint8_t> requesterBatch(size_t kinds) {
  using crypto::IdentifierKind;
  crypto::HashDomain domain("fuzz");
  ListedCustomers source({{1, {{IdentifierKind::EMAIL, "v0"}}},
                    {2, {{IdentifierKind::EMAIL, "v3"}, {IdentifierKind::PHONE, "+33612345678"}}},
                    {3, {{IdentifierKind::PHONE, "v9"}}}});
  protocol::SessionTerms terms{protocol::MatchMode::IDS, {}, "fuzz", {}};
  for (size_t j = 0; j < kinds; ++j) terms.kinds.push_back(crypto::kAllIdentifierKinds[j % 3]);
  protocol::RequesterSession requester(domain, terms, source);
  protocol::BlindedBatch batch;
  requester.nextBatch(batch);
  return protocol::packPoints(batch.points);
}

std::vector<uint8_t> packed(uint8_t op, const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> out{op, static_cast<uint8_t>(bytes.size()), static_cast<uint8_t>(bytes.size() >> 8)};
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

std::vector<uint8_t> session(bool ids, uint8_t kinds, uint8_t announced,
                             std::initializer_list<std::vector<uint8_t>> ops, uint8_t flags = 0) {
  std::vector<uint8_t> out{static_cast<uint8_t>((ids ? kIdsMode : 0) | (kinds << kKindsShift) | flags), announced};
  for (auto& op : ops) out.insert(out.end(), op.begin(), op.end());
  return out;
}

void responderSessions() {
  const std::vector<uint8_t> prepare{kPrepareTags}, tags{kNextTags}, complete{kCheckComplete},
      shuffled{kNextShuffled};
  auto batch2 = requesterBatch(2);  // 3 customers, 6 points
  // Ids mode, as a node runs it: tags out, the requester's batch answered, complete.
  write("responder-session", "ids-honest",
        bytesOf(session(true, 2, 3, {prepare, tags, tags, packed(kAnswerPacked, batch2), complete})));
  // Count mode: the batch absorbed while tags stream, then the shuffled values.
  write("responder-session", "count-honest",
        bytesOf(session(false, 2, 3, {tags, packed(kAbsorbPacked, batch2), tags, complete, shuffled, shuffled})));
  // Count mode, one kind, customers sent one at a time from the table of valid points.
  write("responder-session", "count-table",
        bytesOf(session(false, 1, 3,
                        {{kAbsorb, 1, validPoint(0)}, {kAbsorb, 1, validPoint(5)}, shuffled, complete,
                         {kAbsorb, 1, validPoint(7)}, complete, shuffled, shuffled, tags, tags})));
  // Ids mode, three kinds: a whole customer, then a split one, an identity point, a
  // non-canonical point, raw bytes, more customers than announced, a packed batch of a
  // wrong length, and an absorb in ids mode.
  std::vector<uint8_t> raw{kAnswer, 3, kRawPoint};
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<uint8_t>(i * 7));
  raw.insert(raw.end(), {validPoint(1), validPoint(2)});
  write("responder-session", "ids-hostile",
        bytesOf(session(true, 3, 4,
                        {{kAnswer, 3, validPoint(0), validPoint(1), validPoint(2)},
                         {kAnswer, 2, validPoint(0), validPoint(1)},
                         {kAnswer, 3, kIdentityPoint, validPoint(1), validPoint(2)},
                         {kAnswer, 3, validPoint(1), kNonCanonicalPoint, validPoint(2)}, raw,
                         {kAnswer, 6, validPoint(0), validPoint(1), validPoint(2), validPoint(3), validPoint(4),
                          validPoint(5)},
                         packed(kAnswerPacked, std::vector<uint8_t>(33, 0x42)), complete, {kAbsorb, 0}})));
  // Around the batch limit (1100 customers announced): 1026 points are refused for
  // their number, 1024 pass that check (and then fail on their points, which the end
  // of the input makes identities, cheap to refuse).
  write("responder-session", "ids-batch-over",
        bytesOf(session(true, 1, kAnnounceFullBatch, {complete, {kAnswer, 253}})));
  write("responder-session", "ids-batch-full",
        bytesOf(session(true, 1, kAnnounceFullBatch, {complete, {kAnswer, 252}})));
  // Refusals: no kinds, nine kinds, 2^32 customers in count mode, a changing selection.
  write("responder-session", "no-kinds", bytesOf(session(true, 0, 1, {tags})));
  write("responder-session", "nine-kinds", bytesOf(session(false, 9, 1, {tags})));
  write("responder-session", "count-huge", bytesOf(session(false, 1, kAnnounceHuge, {tags})));
  write("responder-session", "changing-source",
        bytesOf(session(false, 2, 1, {prepare, tags, {kAbsorb, 2, validPoint(0), validPoint(1)}, complete, shuffled},
                        kChangingSource)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  root = argv[1];
  invitations();
  auditExports();
  responderSessions();
  return 0;
}
