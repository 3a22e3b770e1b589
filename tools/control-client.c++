#include "tools/control-client.h"

#include "crypto/wipe.h"
#include "node/server/node-config.h"
#include "protocol/user-error.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace entente::tools {

std::filesystem::path resolveNodeDir(const std::string& nodeOption) {
  if (!nodeOption.empty()) return nodeOption;
  if (const char* env = std::getenv("ENTENTE_NODE"); env != nullptr && *env != '\0') return env;
  return "entente-node";
}

void rethrowAsCliError(const kj::Exception& e) {
  if (e.getType() == kj::Exception::Type::DISCONNECTED) {
    throw CliError("the node closed the connection: " + protocol::userMessage(e) +
                   "; check the node's log (node.log in its folder)");
  }
  throw CliError(protocol::userMessage(e));
}

std::string& tokenFileOption() {
  static std::string path;
  return path;
}

namespace {

std::string readToken(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

std::string resolveToken(const node::NodePaths& paths) {
  if (!tokenFileOption().empty()) {
    auto token = readToken(tokenFileOption());
    if (token.empty()) throw CliError("cannot read a token from " + tokenFileOption(), 2);
    return token;
  }
  if (const char* env = std::getenv("ENTENTE_TOKEN"); env != nullptr && *env != '\0') return env;
  if (const char* file = std::getenv("ENTENTE_TOKEN_FILE"); file != nullptr && *file != '\0') {
    auto token = readToken(file);
    if (token.empty()) throw CliError(std::string("cannot read a token from $ENTENTE_TOKEN_FILE (") + file + ")", 2);
    return token;
  }
  if (access(paths.adminToken().c_str(), R_OK) == 0) return readToken(paths.adminToken());
  throw CliError("no token: pass --token-file FILE or set ENTENTE_TOKEN; an administrator issues tokens with "
                 "`entente token create --role marketer --name YOU`",
                 2);
}

}  // namespace

ControlClient::ControlClient(const std::filesystem::path& nodeDir)
    : io_(kj::setupAsyncIo()), session_(nullptr) {
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
    throw CliError("the node in " + paths.dir.string() + " is not running; start it with `entente node start --node " +
                       paths.dir.string() + "` (it runs in the foreground: use another terminal or a service manager)",
                   kNotRunning);
  }
  rpc_ = kj::heap<capnp::TwoPartyClient>(*stream_);
  auto login = rpc_->bootstrap().castAs<protocol::control::Control>().loginRequest();
  std::string token = resolveToken(paths);
  login.setToken(token);
  crypto::wipe(token);
  auto response = wait(login.send());
  session_ = response.getSession();
  name_ = response.getName();
  role_ = response.getRole();
}

void ControlClient::wait(kj::Promise<void>&& promise) {
  try {
    promise.wait(io_.waitScope);
  } catch (const kj::Exception& e) {
    rethrowAsCliError(e);
  }
}

void ControlClient::poll() {
  try {
    io_.waitScope.poll();
  } catch (const kj::Exception& e) {
    rethrowAsCliError(e);
  }
}

}  // namespace entente::tools
