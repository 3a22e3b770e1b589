// Fuzz target: the offline checker of audit exports (node/audit/audit-export.h,
// verifyAuditExport) fed any bytes as an export. It must not crash and, as its header
// promises, must never throw on bad data: it reports. Its report must hang together
// (a failure names a reason, a success names no bad entry, it counts no more entries
// and checkpoints than the export has lines), and an expected key can only make it
// refuse more, never less.
#include "node/audit/audit-export.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

using entente::node::VerifyReport;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "audit-export-fuzz: %s\n", what);
  std::abort();
}

VerifyReport verify(const std::string& text, std::optional<entente::crypto::PublicKey> expectedKey) {
  std::istringstream in(text);
  try {
    return entente::node::verifyAuditExport(in, expectedKey);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audit-export-fuzz: %s\n", e.what());
    fail("verifyAuditExport threw instead of reporting");
  }
}

void checkReport(const VerifyReport& report, uint64_t lines) {
  if (!report.ok && report.reason.empty()) fail("a failed check without a reason");
  if (report.ok && report.firstBadEntry) fail("a passed check that names a bad entry");
  if (report.entries + report.checkpoints > lines) fail("more entries and checkpoints than lines");
  if (report.ok && report.entries == 0 && report.uncoveredEntries != 0) fail("uncovered entries in an empty export");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  uint64_t lines = std::count(text.begin(), text.end(), '\n') + 1;
  VerifyReport any = verify(text, std::nullopt);
  checkReport(any, lines);
  // A key of all zeros: no real node's, but a header may name it.
  VerifyReport expected = verify(text, entente::crypto::PublicKey{});
  checkReport(expected, lines);
  if (expected.ok && !any.ok) fail("an expected key made a failing export pass");
  if (any.ok && !expected.ok && expected.firstBadEntry) fail("a key mismatch blamed an entry");
  return 0;
}
