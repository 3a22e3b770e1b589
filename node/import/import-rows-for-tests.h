// Imported rows as the CLI sends them, built from name/value pairs: for the unit tests
// of the imports (customers, history) and of the match selection, so that each builds
// a batch the same way. Lines start at 2, as under a header line.
#pragma once

#include "protocol/control.capnp.h"

#include <capnp/message.h>

#include <string>
#include <utility>
#include <vector>

namespace entente::node::testing {

using Row = std::vector<std::pair<std::string, std::string>>;

// The rows in `message`, one ImportRow per row; values go whole, NUL bytes included.
inline capnp::List<protocol::control::ImportRow>::Reader importRowsOf(capnp::MallocMessageBuilder& message,
                                                                      const std::vector<Row>& rows) {
  auto list = message.initRoot<protocol::control::CustomerImport::RowsParams>().initRows(
      static_cast<unsigned>(rows.size()));
  for (unsigned i = 0; i < rows.size(); ++i) {
    list[i].setLine(i + 2);
    auto fields = list[i].initFields(static_cast<unsigned>(rows[i].size()));
    for (unsigned j = 0; j < rows[i].size(); ++j) {
      fields[j].setName(rows[i][j].first);
      auto& value = rows[i][j].second;
      fields[j].setValue(capnp::Text::Reader(value.data(), value.size()));
    }
  }
  return list.asReader();
}

}  // namespace entente::node::testing
