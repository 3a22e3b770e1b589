// Date columns (birth_date, consent_date, consent_expires, history event dates) read
// into ISO "YYYY-MM-DD". A date is part of name_dob_postal, so two firms must read the
// same day from their own spellings of it, and a misread day is worse than a rejected
// row: "03/04/1975" is 3 April in Paris and March 4 in Boston. So nothing is guessed:
//
// - ISO 8601 is always read: YYYY-MM-DD (also YYYY-M-D), YYYYMMDD, and a date-time
//   YYYY-MM-DD(T| )HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM] (HubSpot writes
//   "2023-05-01 10:22"), of which the date is kept as written, with no time-zone shift.
// - With a strftime pattern from the user (`--date-format '%d/%m/%Y'`), the pattern is
//   tried first (it decides between "20121212" as YYYYMMDD and as %d%m%Y), then ISO.
//   The whole value must match; month names (%b) are English (the C locale). A
//   two-digit year (%y) follows POSIX strptime: 69-99 are 1969-1999 and 00-68 are
//   2000-2068. For birth dates that puts a person born in 1945 written "45" in 2045,
//   so a file with two-digit birth years needs checking before import.
// - Without a pattern, D/M/YYYY and M/D/YYYY (separator '/', '.' or '-', the same
//   twice) are read only when exactly one of the two readings is a calendar date
//   ("31/12/1980", "12/31/1980"), or when both give the same day ("05/05/1980").
//   Otherwise the value is AMBIGUOUS and rejected.
//
// Every rejection says which rule failed in `outcome` (machine-checkable) and in a
// reason naming the field, never the value: reasons are shown to users and logged.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::text {

enum class DateOutcome {
  OK,
  MALFORMED,              // not ISO, and no day-first or month-first shape either
  NOT_A_CALENDAR_DATE,    // the right shape, but no such day (2025-02-30, 29/02/1981)
  AMBIGUOUS,              // two different days, day-first and month-first (03/04/1975)
  DOES_NOT_MATCH_FORMAT,  // a pattern was given, and neither it nor ISO reads the value
};

// Either the ISO date or why there is none. `rejection` starts with the field name
// ("birth_date: ..."), and is empty when the date was read.
struct DateReading {
  DateOutcome outcome = DateOutcome::MALFORMED;
  std::optional<std::string> iso;
  std::string rejection;

  explicit operator bool() const { return outcome == DateOutcome::OK; }
};

// Reads `raw` (spaces and tabs at either end ignored) by the rules above. `field`
// names the column in the reason; `format` is the user's strptime pattern, or empty.
DateReading readDate(std::string_view raw, std::string_view field, std::string_view format = {});

// Why `format` cannot read dates (it lacks a year, a month or a day, or is too long),
// for the command line to refuse it once rather than reject every row; nullopt if usable.
std::optional<std::string> dateFormatProblem(std::string_view format);

// The patterns that the import summary can suggest for --date-format. Dots are taken
// as day-first only, as the countries that write them do.
inline constexpr std::array<std::string_view, 8> kCommonDateFormats = {
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y"};

// The patterns of kCommonDateFormats that read `raw` to a calendar date, in that order.
std::vector<std::string_view> commonDateFormatsReading(std::string_view raw);

// What the values of one date column say about its pattern, so that an import summary
// can say once "this file reads with --date-format '%m/%d/%Y'" instead of rejecting
// its rows one by one. add() every value of the column; suggestion() is the one
// common pattern that reads every non-ISO value seen. It is nullopt when no value
// needed a pattern, when none reads them all (a mixed or broken file), or when two
// or more still do: a file of only "03/04/1975"-like dates does not tell day-first
// from month-first, and the summary must then not pretend it knows.
class DateFormatEvidence {
 public:
  // Blank values and values already read as ISO carry no evidence and are skipped.
  void add(std::string_view raw);
  std::optional<std::string_view> suggestion() const;
  // Values that needed a pattern, i.e. that add() did not skip.
  size_t valuesWeighed() const { return weighed_; }

 private:
  static_assert(kCommonDateFormats.size() <= 32);
  uint32_t stillReading_ = (uint32_t{1} << kCommonDateFormats.size()) - 1;  // bit i: pattern i
  size_t weighed_ = 0;
};

}  // namespace entente::text
