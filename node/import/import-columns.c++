#include "node/import/import-columns.h"

#include "text/date-reading.h"

#include <algorithm>

#include <cctype>
#include <ctime>

namespace entente::node {
namespace {

constexpr std::string_view kPrefix = "consent_";
constexpr std::string_view kCommonColumns[] = {"consent_source", "consent_date", "consent_basis",
                                               "consent_notice_version", "consent_expires"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isCommon(std::string_view name) {
  for (auto c : kCommonColumns) {
    if (c == name) return true;
  }
  return false;
}

}  // namespace

bool isConsentColumn(std::string_view name) { return name.substr(0, kPrefix.size()) == kPrefix; }

std::optional<int64_t> isoDateToUnix(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  std::tm tm = {};
  tm.tm_year = std::stoi(std::string(text.substr(0, 4))) - 1900;
  tm.tm_mon = std::stoi(std::string(text.substr(5, 2))) - 1;
  tm.tm_mday = std::stoi(std::string(text.substr(8, 2)));
  int year = tm.tm_year, month = tm.tm_mon, day = tm.tm_mday;
  time_t t = timegm(&tm);
  // timegm normalises 2025-02-30 to March: a changed date was not a real one.
  if (tm.tm_year != year || tm.tm_mon != month || tm.tm_mday != day) return std::nullopt;
  return static_cast<int64_t>(t);
}

std::optional<std::string> readConsentColumns(const std::map<std::string, std::string, std::less<>>& columns,
                                              const NodeConfig& config, const std::string& source, int64_t nowUnix,
                                              const std::map<std::string, std::string, std::less<>>& dateFormats,
                                              std::vector<ConsentUpdate>& out) {
  // A consent date through the import's date rules, as Unix time at 00:00 UTC.
  auto dateOf = [&](std::string_view column, std::string_view value, std::string& why) -> std::optional<int64_t> {
    auto format = dateFormats.find(column);
    auto date = text::readDate(value, column, format == dateFormats.end() ? std::string_view() : format->second);
    if (!date) {
      why = date.rejection;
      return std::nullopt;
    }
    return isoDateToUnix(*date.iso);
  };
  std::string why;
  auto get = [&](std::string_view name) -> std::string {
    auto it = columns.find(name);
    return it == columns.end() ? std::string() : it->second;
  };
  storage::ConsentChange common;
  common.recordedAtUnix = nowUnix;
  common.atUnix = nowUnix;
  common.source = get("consent_source").empty() ? source : source + " (" + get("consent_source") + ")";
  if (auto date = get("consent_date"); !date.empty()) {
    auto at = dateOf("consent_date", date, why);
    if (!at) return why;
    common.atUnix = *at;
  }
  if (auto basis = lower(get("consent_basis")); !basis.empty()) {
    if (basis != "consent" && basis != "contract" && basis != "legitimate-interest") {
      return std::string("consent_basis must be consent, contract or legitimate-interest");
    }
    common.basis = basis;
  }
  common.noticeVersion = get("consent_notice_version");
  if (auto expires = get("consent_expires"); !expires.empty()) {
    auto at = dateOf("consent_expires", expires, why);
    if (!at) return why;
    common.expiresAtUnix = *at;
  }
  for (auto& [name, value] : columns) {
    if (!isConsentColumn(name) || isCommon(name) || value.empty()) continue;
    std::string purpose = name.substr(kPrefix.size());
    if (!config.knowsPurpose(purpose)) {
      return name + " names an unknown purpose; known purposes: " + config.purposeNames();
    }
    ConsentUpdate update{purpose, common};
    std::string v = lower(value);
    if (v == "yes" || v == "true" || v == "1" || v == "y" || v == "granted") {
      update.change.granted = true;
    } else if (v == "no" || v == "false" || v == "0" || v == "n" || v == "withdrawn") {
      update.change.granted = false;
    } else if (auto at = dateOf(name, value, why)) {
      update.change.granted = true;
      update.change.atUnix = *at;
    } else {
      return name + " must be granted/withdrawn, yes/no, true/false, 1/0 or the ISO date of the grant; a mapping's "
                    "values table can translate others (docs/operations.md, \"Mappings\")";
    }
    out.push_back(std::move(update));
  }
  return std::nullopt;
}

bool isCanonicalColumn(std::string_view name) {
  return isConsentColumn(name) ||
         std::find(std::begin(kCanonicalColumns), std::end(kCanonicalColumns), name) != std::end(kCanonicalColumns);
}

}  // namespace entente::node
