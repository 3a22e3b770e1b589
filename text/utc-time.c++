#include "text/utc-time.h"

#include <chrono>
#include <cstdio>

namespace entente::text {
namespace {

struct UtcParts {
  int year;
  unsigned month, day;
  long hour, minute, second;
};

UtcParts partsOf(int64_t unixSeconds) {
  using namespace std::chrono;
  sys_seconds t{seconds{unixSeconds}};
  auto day = floor<days>(t);
  year_month_day date{day};
  hh_mm_ss<seconds> time{t - day};
  return {static_cast<int>(date.year()), static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
          static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
          static_cast<long>(time.seconds().count())};
}

}  // namespace

std::string utcTimestamp(int64_t unixSeconds) {
  auto p = partsOf(unixSeconds);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", p.year, p.month, p.day, p.hour, p.minute,
                p.second);
  return text;
}

std::string utcMinute(int64_t unixSeconds) {
  auto p = partsOf(unixSeconds);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld", p.year, p.month, p.day, p.hour, p.minute);
  return text;
}

std::string utcDate(int64_t unixSeconds) {
  auto p = partsOf(unixSeconds);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", p.year, p.month, p.day);
  return text;
}

std::string utcDayKey(int64_t unixSeconds) {
  auto p = partsOf(unixSeconds);
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02u", p.year, p.month, p.day);
  return text;
}

}  // namespace entente::text
