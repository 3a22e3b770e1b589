// Sample customer files for demos and tests: two or three partner firms (a boat
// builder, a travel agency, an insurer) whose CRMs export overlapping customers from
// France, Spain, Portugal and Finland, each firm in its own dialect of CSV, dates,
// phone formats and spelling of names, and each with its customers' consent to the
// partnership's purposes in its own columns and values. Alongside the files it writes
// the exact answer a match must give for every ordered pair of firms, both ignoring
// consent and per purpose, so a demo or an integration test can check `entente` end to
// end.
//
// Same options, same bytes: all randomness comes from std::mt19937_64 (whose output
// the standard fixes) through our own bounded draws, never through the standard
// distributions, whose output differs between standard libraries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace entente::sample {

// The purposes the sample's consent columns speak of, as import names them: column
// consent_<purpose>.
inline constexpr std::string_view kPurposes[] = {"overlap-analysis", "cross-selling", "enrichment"};

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
  // birth_date, postal_code, country, consent_<purpose>, consent_source, consent_date),
  // as `entente import --map` takes it. Columns not named here keep their name and are
  // imported as attributes. Empty for firm-a, whose header is already canonical.
  std::vector<std::pair<std::string, std::string>> columnMap;
  std::string region;  // the node's default region, e.g. "FR"
  // The strptime pattern of the file's birth dates ("%d/%m/%Y"), which import needs
  // since many of them read both day-first and month-first; empty for ISO dates.
  std::string birthDateFormat;
  // The purposes (of kPurposes, in that order) the file has a consent column for. For
  // any other purpose the firm never asked: none of its customers has granted it.
  std::vector<std::string> consentPurposes;
};

// Which of the requester's customers the responder also holds: the answer a match
// from `requester` against `responder` must return. With a purpose, only customers
// whose row grants that purpose count, at the requester and at the responder alike;
// with purpose "", consent is ignored.
struct PairTruth {
  std::string requester;
  std::string responder;
  std::string purpose;                    // one of kPurposes, or "" (every customer)
  std::vector<std::string> requesterIds;  // requester's customer_ids, sorted
  // Each requester id with the responder's customer_id of the same person, in the
  // order of requesterIds: whose attributes an enrich-mode match returns.
  std::vector<std::pair<std::string, std::string>> pairs;
};

struct SampleSet {
  std::vector<FirmFile> firms;
  // Every (requester, responder, purpose) for ordered pairs of distinct firms, purpose
  // "" then each of kPurposes: so the first entries, one per ordered pair, are the
  // consent-blind ones, in the order of the firms.
  std::vector<PairTruth> truth;

  // The truth for one triple; purpose "" ignores consent. Throws std::out_of_range
  // when there is none (an unknown firm or purpose, or requester == responder).
  const PairTruth& truthFor(std::string_view requester, std::string_view responder,
                            std::string_view purpose = {}) const;
};

// Writes outDir/<firm>.csv for each firm; for every ordered pair
// outDir/truth-<requester>-<responder>.csv (consent ignored) and, for each purpose,
// outDir/truth-<requester>-<responder>-<purpose>.csv, each with header customer_id and
// then one id a line; and outDir/ground-truth.txt, a summary for people. Creates outDir
// if needed. Throws std::invalid_argument for options out of range and
// std::runtime_error when a file cannot be written.
//
// Guarantees the truth depends on: a person's identifiers (e-mail, mobile, and name +
// birth date + postal code + country) are unique across persons after normalisation;
// every firm writes them so that they normalise to the same value; and wherever two
// firms hold the same person, their two rows have at least one kind of identifier
// in common that neither left empty. Consent cells follow import's rules: yes, no,
// true, false, 1 or 0 in any case, or an ISO date YYYY-MM-DD (granted on that date,
// never after 2025-06-30), or empty (never asked); consent_date is an ISO date too.
// Only yes, true, 1 and a date grant; a row grants a purpose or not, whatever the
// other firms' rows of the same person say.
//
// The consent columns come from a random stream of their own, so every other column
// is what it would be without them.
SampleSet writeSampleSet(const SampleOptions& options, const std::filesystem::path& outDir);

}  // namespace entente::sample
