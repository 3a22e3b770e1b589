// What an import tells the person who ran it: each rejected row and each dropped
// field as it happens (on stderr, the first hundred of each), then one summary that
// says once per file what needs attention: counts, what the updates changed field by
// field, dropped fields per column and reason, the date format that would read the
// file's ambiguous dates, repeated customer_ids, customers with nothing to match on,
// suspected special-category columns, and the customers a full export no longer has.
#pragma once

#include "protocol/control.capnp.h"
#include "text/date-reading.h"
#include "tools/commands.h"
#include "tools/import-mapping.h"

#include <map>
#include <string>
#include <vector>

namespace entente::tools {

class ImportSummary {
 public:
  ImportSummary(const ImportOptions& options, const std::vector<std::string>& header, const MappedHeader& mapped);

  // The node's file-level notes, said before any row is sent.
  void headerChecked(protocol::control::HeaderCheck::Reader header);
  // Each raw value of a date column without a format, to say which format reads them.
  void sawValue(const MappedField& field, const std::string& raw);
  void rejected(uint64_t line, const std::string& reason);
  void dropped(uint64_t line, const std::string& column, const std::string& reason);

  void print(uint64_t rows, uint64_t lastLine, protocol::control::ImportCounts::Reader total,
             protocol::control::ImportReport::Reader report);

 private:
  // The file's own name of a canonical column ("Mobile" for phone), for messages.
  std::string sourceOf(const std::string& target) const;
  void printJson(uint64_t rows, protocol::control::ImportCounts::Reader total,
                 protocol::control::ImportReport::Reader report);

  const ImportOptions& options_;
  std::map<std::string, std::string> sources_;  // target -> the file's column
  // Date columns read without a format: what their values say, and how many read two ways.
  struct DateColumn {
    text::DateFormatEvidence evidence;
    uint64_t ambiguous = 0;
  };
  std::map<std::string, DateColumn> dates_;
  std::vector<std::string> headerNotes_;
  uint64_t rejectedShown_ = 0, droppedShown_ = 0, rejectedMore_ = 0, droppedMore_ = 0;
};

}  // namespace entente::tools
