// Date reading by the rules of the header. ISO forms and the day-first/month-first
// shapes are parsed here by hand, since their rules (one reading or none) are ours;
// user patterns go to strptime_l in the C locale, so that %b means English month
// names whatever locale the process runs in. Reasons are fixed phrases plus the field
// name and the user's own pattern, never the value.

#include "text/date-reading.h"

#include <locale.h>
#include <time.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>

namespace entente::text {

namespace {

// No date spelling is near this long; longer values are malformed, not truncated.
constexpr size_t kMaxDateBytes = 64;
constexpr size_t kMaxFormatBytes = 64;

struct CalendarDate {
  int year;
  int month;
  int day;
  bool operator==(const CalendarDate&) const = default;
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Years 1-9999 only: the result must be writable as YYYY, and no record predates 1 AD.
bool isCalendarDate(const CalendarDate& d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  int days = d.month == 2 && isLeapYear(d.year) ? 29 : kDays[d.month - 1];
  return d.day <= days;
}

std::string isoOf(const CalendarDate& d) {
  char out[32];  // room for any int, to satisfy -Wformat-truncation
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
  return out;
}

std::string_view trimmed(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// A run of minDigits..maxDigits ASCII digits at `pos`, advancing it; nullopt otherwise.
std::optional<int> number(std::string_view s, size_t& pos, size_t minDigits, size_t maxDigits) {
  size_t start = pos;
  int value = 0;
  while (pos < s.size() && isDigit(s[pos]) && pos - start < maxDigits) {
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos - start < minDigits || (pos < s.size() && isDigit(s[pos]))) return std::nullopt;
  return value;
}

bool consume(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// The time after an ISO date: HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]. Only its shape and
// ranges are checked; the date is kept as written, whatever the offset.
bool isIsoTime(std::string_view s, size_t pos) {
  auto hour = number(s, pos, 2, 2);
  if (!hour || *hour > 23 || !consume(s, pos, ':')) return false;
  auto minute = number(s, pos, 2, 2);
  if (!minute || *minute > 59) return false;
  if (consume(s, pos, ':')) {
    auto second = number(s, pos, 2, 2);
    if (!second || *second > 60) return false;  // 60: a leap second
    if (consume(s, pos, '.') || consume(s, pos, ',')) {
      if (!number(s, pos, 1, 9)) return false;
    }
  }
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  // ±HH:MM, or ±HHMM read as one number of four digits.
  std::string offset(s.substr(pos + 1));
  if (offset.size() == 5 && offset[2] == ':') offset.erase(2, 1);
  size_t at = 0;
  auto hhmm = number(offset, at, 4, 4);
  return hhmm && at == offset.size() && *hhmm / 100 <= 23 && *hhmm % 100 <= 59;
}

// YYYYMMDD, or YYYY-M-D optionally followed by a time. nullopt when `s` has no ISO
// shape; a date that is not in the calendar is returned as it is, for the caller.
std::optional<CalendarDate> isoShape(std::string_view s) {
  if (s.size() == 8 && std::all_of(s.begin(), s.end(), isDigit)) {
    auto at = [&](size_t from, size_t length) {
      int value = 0;
      for (size_t i = from; i < from + length; ++i) value = value * 10 + (s[i] - '0');
      return value;
    };
    return CalendarDate{at(0, 4), at(4, 2), at(6, 2)};
  }
  size_t pos = 0;
  auto year = number(s, pos, 4, 4);
  if (!year || !consume(s, pos, '-')) return std::nullopt;
  auto month = number(s, pos, 1, 2);
  if (!month || !consume(s, pos, '-')) return std::nullopt;
  auto day = number(s, pos, 1, 2);
  if (!day) return std::nullopt;
  if (pos != s.size()) {
    char separator = s[pos++];
    if ((separator != 'T' && separator != 't' && separator != ' ') || !isIsoTime(s, pos)) {
      return std::nullopt;
    }
  }
  return CalendarDate{*year, *month, *day};
}

// D/M/YYYY or M/D/YYYY with one kind of separator: the two numbers before the year,
// and the separator for the reason. nullopt for any other shape.
struct TwoWayShape {
  int first;
  int second;
  int year;
  char separator;
};

std::optional<TwoWayShape> twoWayShape(std::string_view s) {
  size_t pos = 0;
  auto first = number(s, pos, 1, 2);
  if (!first || pos >= s.size()) return std::nullopt;
  char separator = s[pos];
  if (separator != '/' && separator != '.' && separator != '-') return std::nullopt;
  ++pos;
  auto second = number(s, pos, 1, 2);
  if (!second || !consume(s, pos, separator)) return std::nullopt;
  auto year = number(s, pos, 4, 4);
  if (!year || pos != s.size()) return std::nullopt;
  return TwoWayShape{*first, *second, *year, separator};
}

locale_t cLocale() {
  static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return locale;
}

enum class PatternResult { READ, NOT_A_DATE, NO_MATCH };

// strptime on a NUL-terminated copy; the whole value must be consumed. Fields the
// pattern does not set stay at INT_MIN, so a pattern without a day cannot pass.
PatternResult readWithPattern(std::string_view value, std::string_view format, CalendarDate& out) {
  if (value.size() > kMaxDateBytes || format.size() > kMaxFormatBytes ||
      value.find('\0') != std::string_view::npos || format.find('\0') != std::string_view::npos) {
    return PatternResult::NO_MATCH;
  }
  std::string text(value);
  std::string pattern(format);
  std::tm fields{};
  fields.tm_year = fields.tm_mon = fields.tm_mday = INT_MIN;
  const char* end = strptime_l(text.c_str(), pattern.c_str(), &fields, cLocale());
  if (end == nullptr || *end != '\0') return PatternResult::NO_MATCH;
  if (fields.tm_year == INT_MIN || fields.tm_mon == INT_MIN || fields.tm_mday == INT_MIN) {
    return PatternResult::NO_MATCH;
  }
  out = CalendarDate{fields.tm_year + 1900, fields.tm_mon + 1, fields.tm_mday};
  // %Y reads "80" as the year 80: a two-digit year under a four-digit pattern is a
  // pattern mismatch (the file wants %y), not a date in antiquity.
  if (out.year < 1000) return PatternResult::NO_MATCH;
  return isCalendarDate(out) ? PatternResult::READ : PatternResult::NOT_A_DATE;
}

DateReading rejected(DateOutcome outcome, std::string_view field, std::string_view why) {
  DateReading reading;
  reading.outcome = outcome;
  reading.rejection = std::string(field) + ": " + std::string(why);
  return reading;
}

DateReading read(const CalendarDate& date) {
  DateReading reading;
  reading.outcome = DateOutcome::OK;
  reading.iso = isoOf(date);
  return reading;
}

constexpr std::string_view kNotInCalendar = "not a day of the calendar";
constexpr std::string_view kMalformed =
    "not a date in a known form (YYYY-MM-DD, YYYYMMDD, an ISO date and time, or D/M/YYYY or "
    "M/D/YYYY where only one reading is possible); give the file's format with --date-format";

}  // namespace

DateReading readDate(std::string_view raw, std::string_view field, std::string_view format) {
  std::string_view value = trimmed(raw);
  if (value.empty()) return rejected(DateOutcome::MALFORMED, field, "is empty");
  if (value.size() > kMaxDateBytes) return rejected(DateOutcome::MALFORMED, field, kMalformed);

  auto iso = isoShape(value);
  if (!format.empty()) {
    if (auto problem = dateFormatProblem(format)) {
      return rejected(DateOutcome::DOES_NOT_MATCH_FORMAT, field, *problem);
    }
    CalendarDate date{};
    auto result = readWithPattern(value, format, date);
    if (result == PatternResult::READ) return read(date);
    if (iso && isCalendarDate(*iso)) return read(*iso);
    if (result == PatternResult::NOT_A_DATE || iso) {
      return rejected(DateOutcome::NOT_A_CALENDAR_DATE, field, kNotInCalendar);
    }
    return rejected(DateOutcome::DOES_NOT_MATCH_FORMAT, field,
                    "does not match the date format '" + std::string(format) + "' nor ISO YYYY-MM-DD");
  }

  if (iso) {
    if (isCalendarDate(*iso)) return read(*iso);
    return rejected(DateOutcome::NOT_A_CALENDAR_DATE, field, kNotInCalendar);
  }
  auto shape = twoWayShape(value);
  if (!shape) return rejected(DateOutcome::MALFORMED, field, kMalformed);
  CalendarDate dayFirst{shape->year, shape->second, shape->first};
  CalendarDate monthFirst{shape->year, shape->first, shape->second};
  bool dayFirstReads = isCalendarDate(dayFirst);
  bool monthFirstReads = isCalendarDate(monthFirst);
  if (dayFirstReads && monthFirstReads && dayFirst != monthFirst) {
    std::string sep(1, shape->separator);
    return rejected(DateOutcome::AMBIGUOUS, field,
                    "03" + sep + "04-style date could be day-first or month-first; give the file's "
                    "format with --date-format (e.g. '%d" + sep + "%m" + sep + "%Y' or '%m" + sep +
                    "%d" + sep + "%Y')");
  }
  if (dayFirstReads) return read(dayFirst);
  if (monthFirstReads) return read(monthFirst);
  return rejected(DateOutcome::NOT_A_CALENDAR_DATE, field, kNotInCalendar);
}

std::optional<std::string> dateFormatProblem(std::string_view format) {
  if (format.size() > kMaxFormatBytes) return "the date format is longer than 64 bytes";
  if (format.find('\0') != std::string_view::npos) return "the date format contains a NUL byte";
  bool year = false, month = false, day = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (++i == format.size()) return "the date format ends with a lone '%'";
    if (format[i] == 'E' || format[i] == 'O') {  // POSIX modifiers: %Ey, %Od
      if (++i == format.size()) return "the date format ends with a lone '%'";
    }
    switch (format[i]) {
      case 'Y': case 'y': year = true; break;
      case 'm': case 'b': case 'B': case 'h': month = true; break;
      case 'd': case 'e': day = true; break;
      case 'D': case 'F': year = month = day = true; break;  // %m/%d/%y and %Y-%m-%d
      default: break;
    }
  }
  if (!year || !month || !day) {
    return "the date format needs a year (%Y or %y), a month (%m or %b) and a day (%d)";
  }
  return std::nullopt;
}

std::vector<std::string_view> commonDateFormatsReading(std::string_view raw) {
  std::string_view value = trimmed(raw);
  std::vector<std::string_view> reading;
  for (std::string_view format : kCommonDateFormats) {
    CalendarDate date{};
    if (readWithPattern(value, format, date) == PatternResult::READ) reading.push_back(format);
  }
  return reading;
}

void DateFormatEvidence::add(std::string_view raw) {
  std::string_view value = trimmed(raw);
  if (value.empty()) return;
  if (auto iso = isoShape(value); iso && isCalendarDate(*iso)) return;
  ++weighed_;
  uint32_t reading = 0;
  for (size_t i = 0; i < kCommonDateFormats.size(); ++i) {
    CalendarDate date{};
    if (readWithPattern(value, kCommonDateFormats[i], date) == PatternResult::READ) {
      reading |= uint32_t{1} << i;
    }
  }
  stillReading_ &= reading;
}

std::optional<std::string_view> DateFormatEvidence::suggestion() const {
  if (weighed_ == 0 || stillReading_ == 0 || (stillReading_ & (stillReading_ - 1)) != 0) {
    return std::nullopt;
  }
  for (size_t i = 0; i < kCommonDateFormats.size(); ++i) {
    if (stillReading_ & (uint32_t{1} << i)) return kCommonDateFormats[i];
  }
  return std::nullopt;
}

}  // namespace entente::text
