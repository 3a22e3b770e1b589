#include "tools/control-client.h"

#include "node/node-config.h"
#include "node/node-context.h"

#include <cstdlib>

namespace entente::tools {

std::filesystem::path resolveNodeDir(const std::string& nodeOption) {
  if (!nodeOption.empty()) return nodeOption;
  if (const char* env = std::getenv("ENTENTE_NODE"); env != nullptr && *env != '\0') return env;
  return "entente-node";
}

void rethrowAsCliError(const kj::Exception& e) {
  if (e.getType() == kj::Exception::Type::DISCONNECTED) {
    throw CliError("the node closed the connection: " + node::userMessage(e) +
                   "; check the node's log (node.log in its folder)");
  }
  throw CliError(node::userMessage(e));
}

ControlClient::ControlClient(const std::filesystem::path& nodeDir)
    : io_(kj::setupAsyncIo()), control_(nullptr) {
  node::NodePaths paths{std::filesystem::absolute(nodeDir).lexically_normal()};
  try {
    node::NodeConfig::load(paths.dir);
  } catch (const node::ConfigError& e) {
    throw CliError(e.what(), 2);
  }
  try {
    auto address = io_.provider->getNetwork()
                       .parseAddress(kj::str("unix:", paths.controlSocket().c_str()))
                       .wait(io_.waitScope);
    stream_ = address->connect().wait(io_.waitScope);
  } catch (const kj::Exception&) {
    throw CliError("the node in " + paths.dir.string() + " is not running; start it with `entente node start --dir " +
                       paths.dir.string() + "` (it runs in the foreground: use another terminal or a service manager)",
                   3);
  }
  rpc_ = kj::heap<capnp::TwoPartyClient>(*stream_);
  control_ = rpc_->bootstrap().castAs<protocol::control::Control>();
}

void ControlClient::wait(kj::Promise<void>&& promise) {
  try {
    promise.wait(io_.waitScope);
  } catch (const kj::Exception& e) {
    rethrowAsCliError(e);
  }
}

}  // namespace entente::tools
