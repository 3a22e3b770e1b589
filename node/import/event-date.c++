#include "node/import/event-date.h"

#include <cstdio>

namespace entente::node {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int digitsAt(std::string_view s, size_t at, size_t count) {
  int value = 0;
  for (size_t i = at; i < at + count; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned daysInMonth(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<int32_t> readEventDate(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!isDigit(text[i])) return std::nullopt;
  }
  if (text.size() > 10) {
    // A date and time: the time must at least look like one, so that "2025-03-01x" or
    // a date with trailing words is not silently cut.
    auto time = text.substr(11);
    if ((text[10] != 'T' && text[10] != ' ') || time.size() < 5 || !isDigit(time[0]) || !isDigit(time[1]) ||
        time[2] != ':' || !isDigit(time[3]) || !isDigit(time[4])) {
      return std::nullopt;
    }
  }
  CalendarDate date{digitsAt(text, 0, 4), static_cast<unsigned>(digitsAt(text, 5, 2)),
                    static_cast<unsigned>(digitsAt(text, 8, 2))};
  if (date.year < 1000 || date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > daysInMonth(date.year, date.month)) {
    return std::nullopt;
  }
  return dayNumber(date);
}

// Howard Hinnant's days_from_civil and civil_from_days (proleptic Gregorian, eras of
// 400 years), exact for every date an event can carry.
int32_t dayNumber(CalendarDate date) {
  int y = date.year - (date.month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (date.month > 2 ? date.month - 3 : date.month + 9) + 2) / 5 + date.day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CalendarDate calendarDate(int32_t dayNumber) {
  int z = dayNumber + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  int year = static_cast<int>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

int32_t dayOfUnix(int64_t unixSeconds) {
  int64_t days = unixSeconds / 86400;
  if (unixSeconds % 86400 < 0) --days;  // floor, for times before 1970
  return static_cast<int32_t>(days);
}

int32_t monthsBefore(int32_t day, int months) {
  auto date = calendarDate(day);
  int index = date.year * 12 + static_cast<int>(date.month) - 1 - months;
  int year = index >= 0 ? index / 12 : (index - 11) / 12;
  auto month = static_cast<unsigned>(index - year * 12 + 1);
  unsigned last = daysInMonth(year, month);
  return dayNumber({year, month, date.day < last ? date.day : last});
}

std::string isoDate(int32_t day) {
  auto date = calendarDate(day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", date.year, date.month, date.day);
  return text;
}

}  // namespace entente::node
