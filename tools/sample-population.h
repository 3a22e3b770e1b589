// Sample customer files for demos and tests: two or three partner firms (a boat
// builder, a travel agency, an insurer) whose CRMs export overlapping customers from
// France, Spain, Portugal and Finland, each firm in its own dialect of CSV, dates,
// phone formats and spelling of names. Alongside the files it writes the exact answer
// a match must give for every ordered pair of firms, so a demo or an integration test
// can check `entente` end to end.
//
// Same options, same bytes: all randomness comes from std::mt19937_64 (whose output
// the standard fixes) through our own bounded draws, never through the standard
// distributions, whose output differs between standard libraries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace entente::sample {

struct SampleOptions {
  uint32_t firms = 2;                // 2 or 3: "firm-a", "firm-b", "firm-c"
  uint32_t customersPerFirm = 3000;  // rows in each firm's file, header excluded
  // With two firms: the fraction of each firm's customers who are also at the other.
  // With three: firm-a's fraction of customers shared with at least one other firm;
  // firm-b and firm-c share somewhat fewer, so that the three pairwise overlaps differ
  // (a quarter of firm-a's shared customers are at all three firms).
  double sharedFraction = 0.5;
  uint64_t seed = 1;
};

struct FirmFile {
  std::string firm;           // "firm-a"
  std::filesystem::path csv;  // outDir/firm-a.csv
  // Their column -> canonical column (customer_id, email, phone, first_name, last_name,
  // birth_date, postal_code, country), as `entente import --map` takes it. Columns not
  // named here keep their name and are imported as attributes. Empty for firm-a,
  // whose header is already canonical.
  std::vector<std::pair<std::string, std::string>> columnMap;
  std::string region;  // the node's default region, e.g. "FR"
};

// Which of the requester's customers the responder also holds: the answer a match
// from `requester` against `responder` must return.
struct PairTruth {
  std::string requester;
  std::string responder;
  std::vector<std::string> requesterIds;  // requester's customer_ids, sorted
};

struct SampleSet {
  std::vector<FirmFile> firms;
  std::vector<PairTruth> truth;  // every ordered pair of distinct firms
};

// Writes outDir/<firm>.csv for each firm, outDir/truth-<requester>-<responder>.csv
// (header customer_id, then one id a line) for every ordered pair, and
// outDir/ground-truth.txt, a summary for people. Creates outDir if needed.
// Throws std::invalid_argument for options out of range and std::runtime_error when
// a file cannot be written.
//
// Guarantees the truth depends on: a person's identifiers (e-mail, mobile, and name +
// birth date + postal code + country) are unique across persons after normalisation;
// every firm writes them so that they normalise to the same value; and wherever two
// firms hold the same person, their two rows have at least one kind of identifier
// in common that neither left empty.
SampleSet writeSampleSet(const SampleOptions& options, const std::filesystem::path& outDir);

}  // namespace entente::sample
