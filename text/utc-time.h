// The one way Entente writes a time: Unix seconds shown in UTC, computed with the
// C++20 <chrono> calendar (no locale, no time zone database, no static buffer). Logs,
// audit reports and the command line all take their text from here.
#pragma once

#include <cstdint>
#include <string>

namespace entente::text {

// 2026-12-04T16:28:04Z: logs and audit messages.
std::string utcTimestamp(int64_t unixSeconds);
// 2026-12-04 16:28: tables on the command line.
std::string utcMinute(int64_t unixSeconds);
// 2026-12-04.
std::string utcDate(int64_t unixSeconds);
// 20261204: keys of per-day counters (they sort by day).
std::string utcDayKey(int64_t unixSeconds);

}  // namespace entente::text
