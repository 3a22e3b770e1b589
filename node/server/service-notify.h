// Tells systemd how the node is doing when it runs as a Type=notify service
// (packaging/entente@.service): READY=1 once partners and the command line can
// connect, so that `systemctl start` returns and units ordered after it start only
// then; STOPPING=1 when it begins to stop. The protocol (sd_notify(3)) is one
// datagram of KEY=value lines to the AF_UNIX socket named in $NOTIFY_SOCKET: a few
// lines here rather than a dependency on libsystemd. Outside systemd ($NOTIFY_SOCKET
// unset) nothing is sent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace entente::node {

// Sends `state` (e.g. "READY=1\nSTATUS=serving") to the socket $NOTIFY_SOCKET names
// (a path, or "@name" for an abstract socket). Returns why it could not, or nothing
// when it was sent or when no service manager asked to be told.
std::optional<std::string> notifyServiceManager(std::string_view state);

}  // namespace entente::node
