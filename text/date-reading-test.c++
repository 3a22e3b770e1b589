// Unit tests of date columns: ISO always, a user's pattern when given, and without
// one a day-first or month-first date only when it cannot be the other. A date that
// could be either is rejected as AMBIGUOUS, and no reason carries the value.

#include "text/date-reading.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace entente::text {
namespace {

std::string isoOf(std::string_view raw, std::string_view format = {}) {
  auto reading = readDate(raw, "date", format);
  INFO("value: " << raw << " format: " << format << " rejection: " << reading.rejection);
  REQUIRE(reading);
  REQUIRE(reading.rejection.empty());
  return *reading.iso;
}

DateOutcome outcomeOf(std::string_view raw, std::string_view format = {}) {
  return readDate(raw, "date", format).outcome;
}

// ---------------------------------------------------------------------------------
// ISO 8601

TEST_CASE("ISO dates are read with and without dashes") {
  CHECK(isoOf("1985-07-14") == "1985-07-14");
  CHECK(isoOf("19850714") == "1985-07-14");
  CHECK(isoOf("1985-7-4") == "1985-07-04");
  CHECK(isoOf("  1985-07-14 \t") == "1985-07-14");
}

TEST_CASE("an ISO date-time keeps its date as written, whatever its offset") {
  CHECK(isoOf("2023-05-01 10:22") == "2023-05-01");  // HubSpot's export
  CHECK(isoOf("2023-05-01T10:22") == "2023-05-01");
  CHECK(isoOf("2023-05-01T10:22:33") == "2023-05-01");
  CHECK(isoOf("2023-05-01T10:22:33.123") == "2023-05-01");
  CHECK(isoOf("2023-05-01T23:59:59Z") == "2023-05-01");
  CHECK(isoOf("2023-05-01T23:30:00+02:00") == "2023-05-01");
  CHECK(isoOf("2023-05-01T00:30:00-0500") == "2023-05-01");
}

TEST_CASE("an ISO date-time with a broken time is malformed") {
  for (const char* raw : {"2023-05-01T25:00", "2023-05-01T10", "2023-05-01T10:60",
                          "2023-05-01 10:22 extra", "2023-05-01T10:22+2", "2023-05-01X10:22",
                          "2023-05-01T10:22:33."}) {
    INFO(raw);
    CHECK(outcomeOf(raw) == DateOutcome::MALFORMED);
  }
}

TEST_CASE("ISO dates are read even when a pattern is given") {
  CHECK(isoOf("1985-07-14", "%d/%m/%Y") == "1985-07-14");
  CHECK(isoOf("2023-05-01 10:22", "%m/%d/%Y") == "2023-05-01");
}

TEST_CASE("an ISO-shaped date that is not in the calendar is rejected as such") {
  CHECK(outcomeOf("2025-02-30") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("2025-13-01") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("2025-00-10") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("20250230") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("0000-01-01") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(readDate("2025-02-30", "consent_date").rejection == "consent_date: not a day of the calendar");
}

TEST_CASE("29 February is a day in leap years only") {
  CHECK(isoOf("2024-02-29") == "2024-02-29");
  CHECK(isoOf("2000-02-29") == "2000-02-29");
  CHECK(outcomeOf("1900-02-29") == DateOutcome::NOT_A_CALENDAR_DATE);  // by 100, not 400
  CHECK(outcomeOf("2023-02-29") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(isoOf("29/02/1980") == "1980-02-29");
  CHECK(outcomeOf("29/02/1981") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(isoOf("29.02.2000", "%d.%m.%Y") == "2000-02-29");
  CHECK(outcomeOf("29.02.2100", "%d.%m.%Y") == DateOutcome::NOT_A_CALENDAR_DATE);
}

// ---------------------------------------------------------------------------------
// Without a pattern: one reading or none

TEST_CASE("a date that can only be day-first is read day-first") {
  CHECK(isoOf("31/12/1980") == "1980-12-31");
  CHECK(isoOf("13.01.1990") == "1990-01-13");
  CHECK(isoOf("25-6-1975") == "1975-06-25");
}

TEST_CASE("a date that can only be month-first is read month-first") {
  CHECK(isoOf("12/31/1980") == "1980-12-31");
  CHECK(isoOf("1/13/1990") == "1990-01-13");
  CHECK(isoOf("06-25-1975") == "1975-06-25");
}

TEST_CASE("a date whose day and month are the same number is one day either way") {
  CHECK(isoOf("05/05/1980") == "1980-05-05");
  CHECK(isoOf("1.1.2000") == "2000-01-01");
}

TEST_CASE("a date that could be day-first or month-first is ambiguous and rejected") {
  for (const char* raw : {"03/04/1975", "3/4/1975", "03.04.1975", "03-04-1975", "12/01/2001"}) {
    INFO(raw);
    auto reading = readDate(raw, "birth_date");
    CHECK(reading.outcome == DateOutcome::AMBIGUOUS);
    CHECK_FALSE(reading);
    CHECK_FALSE(reading.iso);
  }
  CHECK(readDate("03/04/1975", "birth_date").rejection ==
        "birth_date: 03/04-style date could be day-first or month-first; give the file's format "
        "with --date-format (e.g. '%d/%m/%Y' or '%m/%d/%Y')");
  CHECK(readDate("07.08.1975", "consent_date").rejection ==
        "consent_date: 03.04-style date could be day-first or month-first; give the file's format "
        "with --date-format (e.g. '%d.%m.%Y' or '%m.%d.%Y')");
}

TEST_CASE("a two-way date that is neither day-first nor month-first is not a calendar date") {
  CHECK(outcomeOf("31/13/1980") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("00/05/1980") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("31/04/1990") == DateOutcome::NOT_A_CALENDAR_DATE);  // nor 4 March 31
}

TEST_CASE("without a pattern, other shapes are malformed") {
  for (const char* raw : {"1985/07/14", "14/07/85", "14.07-1985", "July 14, 1985", "1985-7",
                          "198507140", "14//07/1985", "secret", "2023-05-01T", "-"}) {
    INFO(raw);
    auto reading = readDate(raw, "birth_date");
    CHECK(reading.outcome == DateOutcome::MALFORMED);
    CHECK(reading.rejection.starts_with("birth_date: not a date in a known form"));
  }
  CHECK(readDate("", "date").outcome == DateOutcome::MALFORMED);
  CHECK(readDate("  ", "date").rejection == "date: is empty");
}

// ---------------------------------------------------------------------------------
// With a pattern

TEST_CASE("each common pattern reads its own dates") {
  CHECK(isoOf("03/04/1975", "%d/%m/%Y") == "1975-04-03");
  CHECK(isoOf("03/04/1975", "%m/%d/%Y") == "1975-03-04");
  CHECK(isoOf("14.07.1985", "%d.%m.%Y") == "1985-07-14");
  CHECK(isoOf("3.4.1975", "%d.%m.%Y") == "1975-04-03");
  CHECK(isoOf("14-07-1985", "%d-%m-%Y") == "1985-07-14");
  CHECK(isoOf("07-14-1985", "%m-%d-%Y") == "1985-07-14");
  CHECK(isoOf("1985/07/14", "%Y/%m/%d") == "1985-07-14");
  CHECK(isoOf("Jul 14, 1985", "%b %d, %Y") == "1985-07-14");
  CHECK(isoOf("July 4, 1985", "%b %d, %Y") == "1985-07-04");
  CHECK(isoOf("14/07/1985  ", "%d/%m/%Y") == "1985-07-14");  // trailing spaces trimmed
}

TEST_CASE("a pattern decides a value that ISO would read otherwise") {
  CHECK(isoOf("20121213") == "2012-12-13");
  CHECK(isoOf("13122012", "%d%m%Y") == "2012-12-13");
  CHECK(isoOf("20121212", "%d%m%Y") == "1212-12-20");
}

TEST_CASE("two-digit years follow strptime: 69-99 are 19xx and 00-68 are 20xx") {
  CHECK(isoOf("31/12/69", "%d/%m/%y") == "1969-12-31");
  CHECK(isoOf("31/12/99", "%d/%m/%y") == "1999-12-31");
  CHECK(isoOf("01/01/00", "%d/%m/%y") == "2000-01-01");
  CHECK(isoOf("05/06/45", "%d/%m/%y") == "2045-06-05");  // the birth-date trap
  CHECK(isoOf("12/31/68", "%m/%d/%y") == "2068-12-31");
}

TEST_CASE("a value the pattern does not read is rejected as not matching it") {
  for (auto [raw, format] : {std::pair{"14/07/1985", "%m/%d/%Y"}, {"14.07.1985", "%d/%m/%Y"},
                             {"14/07/1985 extra", "%d/%m/%Y"}, {"14/07/85", "%d/%m/%Y"},
                             {"14/07/1985", "%d/%m/%y"}, {"Jul 14 1985", "%b %d, %Y"}}) {
    INFO(raw << " with " << format);
    CHECK(outcomeOf(raw, format) == DateOutcome::DOES_NOT_MATCH_FORMAT);
  }
  CHECK(readDate("14/07/1985", "birth_date", "%m/%d/%Y").rejection ==
        "birth_date: does not match the date format '%m/%d/%Y' nor ISO YYYY-MM-DD");
}

TEST_CASE("a pattern that reads a day outside the calendar is not a calendar date") {
  CHECK(outcomeOf("30/02/2025", "%d/%m/%Y") == DateOutcome::NOT_A_CALENDAR_DATE);
  CHECK(outcomeOf("31.04.1990", "%d.%m.%Y") == DateOutcome::NOT_A_CALENDAR_DATE);
}

TEST_CASE("a pattern without a year, a month or a day cannot read dates") {
  CHECK(dateFormatProblem("%d/%m/%Y") == std::nullopt);
  CHECK(dateFormatProblem("%b %d, %Y") == std::nullopt);
  CHECK(dateFormatProblem("%F") == std::nullopt);
  CHECK(dateFormatProblem("%m/%Y") ==
        "the date format needs a year (%Y or %y), a month (%m or %b) and a day (%d)");
  CHECK(dateFormatProblem("%d/%m/%") == "the date format ends with a lone '%'");
  CHECK(dateFormatProblem(std::string(65, 'x')) == "the date format is longer than 64 bytes");
  auto reading = readDate("07/1985", "consent_date", "%m/%Y");
  CHECK(reading.outcome == DateOutcome::DOES_NOT_MATCH_FORMAT);
  CHECK(reading.rejection ==
        "consent_date: the date format needs a year (%Y or %y), a month (%m or %b) and a day (%d)");
}

TEST_CASE("no date rejection reason contains the value") {
  for (auto [raw, format] :
       {std::pair{"31/02/1981", ""}, {"03/04/1975", ""}, {"1985/07/14", ""}, {"2025-02-30", ""},
        {"14/07/1985", "%m/%d/%Y"}, {"30/02/2025", "%d/%m/%Y"}, {"secret-1975", "%d/%m/%Y"}}) {
    auto reading = readDate(raw, "birth_date", format);
    INFO(raw << " -> " << reading.rejection);
    REQUIRE_FALSE(reading);
    CHECK(reading.rejection.starts_with("birth_date: "));
    CHECK(reading.rejection.find(raw) == std::string::npos);
    CHECK(reading.rejection.find("secret") == std::string::npos);
  }
}

// ---------------------------------------------------------------------------------
// Which common pattern reads a file

TEST_CASE("the common patterns that read a value are listed in order") {
  using Formats = std::vector<std::string_view>;
  CHECK(commonDateFormatsReading("03/04/1975") == Formats{"%d/%m/%Y", "%m/%d/%Y"});
  CHECK(commonDateFormatsReading("31/12/1980") == Formats{"%d/%m/%Y"});
  CHECK(commonDateFormatsReading("12/31/1980") == Formats{"%m/%d/%Y"});
  CHECK(commonDateFormatsReading("03.04.1975") == Formats{"%d.%m.%Y"});
  CHECK(commonDateFormatsReading("03-04-1975") == Formats{"%d-%m-%Y", "%m-%d-%Y"});
  CHECK(commonDateFormatsReading("1975/04/03") == Formats{"%Y/%m/%d"});
  CHECK(commonDateFormatsReading("03/04/75") == Formats{"%d/%m/%y", "%m/%d/%y"});
  CHECK(commonDateFormatsReading("31/02/1980").empty());
  CHECK(commonDateFormatsReading("1975-04-03").empty());
}

TEST_CASE("a US file's dates suggest %m/%d/%Y") {
  DateFormatEvidence evidence;
  for (const char* raw : {"03/04/1975", "07/04/1980", "", "12/31/1980", "1/2/1999", "2023-05-01"}) {
    evidence.add(raw);
  }
  CHECK(evidence.valuesWeighed() == 4);  // the blank and the ISO value say nothing
  CHECK(evidence.suggestion() == "%m/%d/%Y");
}

TEST_CASE("a French file's dates suggest %d/%m/%Y") {
  DateFormatEvidence evidence;
  for (const char* raw : {"03/04/1975", "14/07/1985", "01/02/2000"}) evidence.add(raw);
  CHECK(evidence.suggestion() == "%d/%m/%Y");
}

TEST_CASE("a file of only ambiguous dates suggests nothing") {
  DateFormatEvidence evidence;
  for (const char* raw : {"03/04/1975", "07/08/1980", "12/01/2001"}) evidence.add(raw);
  CHECK(evidence.valuesWeighed() == 3);
  CHECK(evidence.suggestion() == std::nullopt);
}

TEST_CASE("a file that no one pattern reads suggests nothing") {
  DateFormatEvidence mixed;
  for (const char* raw : {"31/12/1980", "12/31/1980"}) mixed.add(raw);
  CHECK(mixed.suggestion() == std::nullopt);
  DateFormatEvidence broken;
  broken.add("not a date");
  CHECK(broken.suggestion() == std::nullopt);
  DateFormatEvidence isoOnly;
  isoOnly.add("1980-12-31");
  CHECK(isoOnly.valuesWeighed() == 0);
  CHECK(isoOnly.suggestion() == std::nullopt);
}

TEST_CASE("a file with two-digit years suggests the %y pattern") {
  DateFormatEvidence evidence;
  for (const char* raw : {"03/04/75", "25/12/80"}) evidence.add(raw);
  CHECK(evidence.suggestion() == "%d/%m/%y");
}

}  // namespace
}  // namespace entente::text
