// How every client command reaches its node: finds the node folder (--node DIR, else
// $ENTENTE_NODE, else ./entente-node), connects to the control socket in it, and logs
// in with a token (--token-file FILE, else $ENTENTE_TOKEN, else $ENTENTE_TOKEN_FILE,
// else the node folder's admin.token when this user can read it). When the node is
// not running it says so, and how to start it.
#pragma once

#include "protocol/control.capnp.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace entente::tools {

// The exit code of a client command whose node is not running (docs/operations.md).
constexpr int kNotRunning = 3;

// A failure the CLI reports as "entente: <message>" with exit code `exitCode`.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exitCode = 1)
      : std::runtime_error(message), exitCode_(exitCode) {}
  int exitCode() const { return exitCode_; }

 private:
  int exitCode_;
};

// The node folder named by --node (may be empty), $ENTENTE_NODE or ./entente-node.
std::filesystem::path resolveNodeDir(const std::string& nodeOption);

// The --token-file of the command being run (empty when not given).
std::string& tokenFileOption();

class ControlClient {
 public:
  // Throws CliError when the folder holds no node or the node is not running.
  explicit ControlClient(const std::filesystem::path& nodeDir);

  protocol::control::ControlSession::Client& control() { return session_; }
  // Who the token says we are.
  const std::string& name() const { return name_; }
  const std::string& role() const { return role_; }
  kj::WaitScope& waitScope() { return io_.waitScope; }

  // Waits for a promise, turning an RPC failure into a CliError with the node's message.
  template <typename T>
  T wait(kj::Promise<T>&& promise);
  void wait(kj::Promise<void>&& promise);
  // Runs what the event loop has ready (writes of messages sent, replies), without
  // blocking: for a caller busy between waits, so that a large message it sent goes
  // out meanwhile instead of only at its next wait.
  void poll();

 private:
  kj::AsyncIoContext io_;
  kj::Own<kj::AsyncIoStream> stream_;
  kj::Own<capnp::TwoPartyClient> rpc_;
  protocol::control::ControlSession::Client session_;
  std::string name_, role_;
};

[[noreturn]] void rethrowAsCliError(const kj::Exception& e);

template <typename T>
T ControlClient::wait(kj::Promise<T>&& promise) {
  try {
    return promise.wait(io_.waitScope);
  } catch (const kj::Exception& e) {
    rethrowAsCliError(e);
  }
}

}  // namespace entente::tools
