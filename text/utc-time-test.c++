// Unit tests of the UTC formatter: known instants, the day boundary, and times before 1970.

#include "text/utc-time.h"

#include <catch2/catch.hpp>

namespace entente::text {
namespace {

TEST_CASE("a Unix time is written in UTC in each of the four forms") {
  CHECK(utcTimestamp(1796401684) == "2026-12-04T16:28:04Z");
  CHECK(utcMinute(1796401684) == "2026-12-04 16:28");
  CHECK(utcDate(1796401684) == "2026-12-04");
  CHECK(utcDayKey(1796401684) == "20261204");
}

TEST_CASE("the last second of a day and the first of the next fall on their own days") {
  CHECK(utcTimestamp(1796428799) == "2026-12-04T23:59:59Z");
  CHECK(utcDayKey(1796428799) == "20261204");
  CHECK(utcDayKey(1796428800) == "20261205");
}

TEST_CASE("times before 1970 and leap days are written as calendar dates") {
  CHECK(utcTimestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(utcTimestamp(-1) == "1969-12-31T23:59:59Z");
  CHECK(utcDate(951782400) == "2000-02-29");
}

}  // namespace
}  // namespace entente::text
