#include "node/import/event-date.h"

#include <catch2/catch.hpp>

using namespace entente::node;

TEST_CASE("an ISO date is read as its day number since 1970-01-01") {
  CHECK(readEventDate("1970-01-01") == 0);
  CHECK(readEventDate("1969-12-31") == -1);
  CHECK(readEventDate("2000-03-01") == 11017);
  CHECK(readEventDate("2024-02-29") == 19782);
  CHECK(readEventDate("2025-03-14") == 20161);
}

TEST_CASE("a date and time is read by the date as written, whatever its time and offset") {
  CHECK(readEventDate("2025-03-14T23:59:00+02:00") == 20161);
  CHECK(readEventDate("2025-03-14T00:00") == 20161);
  CHECK(readEventDate("2025-03-14 08:15:00") == 20161);
  CHECK(readEventDate("2025-03-14 08:15") == 20161);
}

TEST_CASE("a text that is not a real date in ISO form is refused") {
  for (auto text : {"", "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-3-14", "14/03/2025",
                    "2025-03-14x", "2025-03-14T", "2025-03-14T8:15", "2025-03-14 noon", "0999-12-31", "2025_03_14",
                    "２０２５-03-14"}) {
    INFO(text);
    CHECK_FALSE(readEventDate(text));
  }
}

TEST_CASE("day numbers and calendar dates convert both ways for four thousand years") {
  for (int32_t day = -719162; day <= 2932896; day += 97) {  // 0001-01-01 to 9999-12-31
    auto date = calendarDate(day);
    REQUIRE(dayNumber(date) == day);
    if (date.year >= 1000) REQUIRE(readEventDate(isoDate(day)) == day);
  }
  CHECK(isoDate(20161) == "2025-03-14");
  CHECK(isoDate(-1) == "1969-12-31");
}

TEST_CASE("a Unix time falls on its UTC day, before 1970 as well") {
  CHECK(dayOfUnix(0) == 0);
  CHECK(dayOfUnix(86399) == 0);
  CHECK(dayOfUnix(86400) == 1);
  CHECK(dayOfUnix(-1) == -1);
  CHECK(dayOfUnix(1735689600) == *readEventDate("2025-01-01"));
}

TEST_CASE("months back are calendar months, ending at the shorter month's last day") {
  auto day = [](const char* text) { return *readEventDate(text); };
  CHECK(isoDate(monthsBefore(day("2025-03-31"), 1)) == "2025-02-28");
  CHECK(isoDate(monthsBefore(day("2024-03-31"), 1)) == "2024-02-29");
  CHECK(isoDate(monthsBefore(day("2025-01-15"), 3)) == "2024-10-15");
  CHECK(isoDate(monthsBefore(day("2025-06-30"), 12)) == "2024-06-30");
  CHECK(isoDate(monthsBefore(day("2024-02-29"), 12)) == "2023-02-28");
  CHECK(isoDate(monthsBefore(day("2025-01-31"), 24)) == "2023-01-31");
  CHECK(isoDate(monthsBefore(day("2025-05-31"), 3)) == "2025-02-28");
}
