// Fuzz target: the CSV reader must never crash, hang or loop on any bytes, must make
// progress on every call, and must report line numbers that never go backwards.
#include "text/csv.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = entente::csv::Reader::fromString(std::string(reinterpret_cast<const char*>(data), size));
  entente::csv::Record record;
  std::optional<entente::csv::RecordError> error;
  uint64_t lastLine = 0;
  size_t records = 0;
  while (reader.next(record, error)) {
    if (record.line < lastLine) std::abort();
    lastLine = record.line;
    // Each record consumes at least one byte, so there can be no more records than bytes.
    if (++records > size + 1) std::abort();
  }
  return 0;
}
