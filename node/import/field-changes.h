// What an import changed in the customers it updated, field by field: the summary and
// the dry run say "phone removed from 1,200 customers" instead of a bare "updated",
// so that a re-import that loses a column is seen before it is run.
#pragma once

#include "storage/records.capnp.h"

#include <map>
#include <string>

namespace entente::node {

struct FieldChangeCount {
  uint64_t changed = 0, added = 0, removed = 0;
};

class FieldChanges {
 public:
  // Counts the canonical fields and attributes that differ between the stored record
  // and the one replacing it.
  void compare(storage::schema::Customer::Reader before, storage::schema::Customer::Reader after);
  void add(const FieldChanges& other);
  // Field name ("phone", or an attribute's column name) -> counts, in name order.
  const std::map<std::string, FieldChangeCount>& counts() const { return counts_; }

 private:
  void count(const std::string& field, std::string_view before, std::string_view after);
  std::map<std::string, FieldChangeCount> counts_;
};

}  // namespace entente::node
