// How `entente match` shows its result: an aligned table with thousands separators
// and percentages for people, one JSON object or CSV for tools, and the matched
// customers as a CSV file (a campaign list traces back to its session on both nodes
// through its first line).
#pragma once

#include "protocol/control.capnp.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace entente::tools {

struct MatchedRow {
  std::string customerId;
  std::string kinds;  // "email+phone"
  std::vector<std::pair<std::string, std::string>> fields;
};

struct GroupRow {
  std::vector<std::string> values;
  uint64_t count = 0;
  bool suppressed = false;
};

// The summary in plain types.
struct MatchReport {
  std::string sessionId, peer, purpose, mode, withheldBecause;
  std::string wireMode;  // the session's mode: ids or enrich when a breakdown needs to know who matched
  uint64_t ownCustomers = 0, ownValues = 0, ownIdentifiers = 0, partnerValues = 0, overlap = 0;
  uint64_t selectedBeforeFilter = 0;
  unsigned tagBytes = 0;
  double seconds = 0;
  uint64_t wireBytesSent = 0, wireBytesReceived = 0;
  bool withheld = false;
  uint64_t minReportableOverlap = 0, minGroupSize = 0;
  double noiseEpsilon = 0, budgetLeft = 0;
  int64_t startedAtUnix = 0;
  std::vector<std::pair<std::string, uint64_t>> byKind;
  std::vector<std::string> filters, by, attributes;
  std::vector<GroupRow> groups;
};

MatchReport readReport(protocol::control::MatchSummary::Reader summary, const std::string& mode);

// "1,234,567".
std::string thousands(uint64_t n);

// Campaign lists start with a comment line naming the session; plain id lists keep
// the two columns customer_id,matched_kinds.
void writeMatchedFile(std::ostream& out, const MatchReport& report, const std::vector<MatchedRow>& matched,
                      bool campaign);
void printMatchText(const MatchReport& report, const std::vector<MatchedRow>& matched, bool listOnStdout,
                    const std::string& outPath);
void printMatchJson(const MatchReport& report, const std::vector<MatchedRow>& matched, bool withMatched);
void printMatchCsv(const MatchReport& report, const std::vector<MatchedRow>& matched, bool listOnStdout);

}  // namespace entente::tools
