// The date of a history event as a day number (days since 1970-01-01, the calendar
// date the ERP wrote, time and offset ignored), and the calendar arithmetic the
// history's facts need: "the last 12 months" are calendar months back from a day, not
// multiples of 30.44 days.
//
// A history file's date is read by text/date-reading.h (ISO 8601, or the file's
// pattern); readEventDate turns the ISO date it gives into a day number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace entente::node {

// "YYYY-MM-DD", or a date and time starting with one ("YYYY-MM-DDTHH:MM...",
// "YYYY-MM-DD HH:MM..."), whose date part is taken as written. Years 1000 to 9999.
// nullopt when it is not a real date (2025-02-30).
std::optional<int32_t> readEventDate(std::string_view text);

struct CalendarDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

int32_t dayNumber(CalendarDate date);
CalendarDate calendarDate(int32_t dayNumber);
// The UTC calendar day of a Unix time.
int32_t dayOfUnix(int64_t unixSeconds);
// The same day of the month `months` calendar months earlier, or the last day of that
// month when it is shorter (2025-03-31 less one month is 2025-02-28).
int32_t monthsBefore(int32_t dayNumber, int months);
// "YYYY-MM-DD".
std::string isoDate(int32_t dayNumber);

}  // namespace entente::node
