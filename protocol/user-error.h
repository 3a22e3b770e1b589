// Errors at the RPC edge: the one place where the exceptions of the layers below
// (std::exception and its kinds: StoreError, SessionError, IdentityError, ...) become
// the text a user reads on the other side of a Cap'n Proto call, and where the CLI
// strips KJ's decorations from what it received. Below this edge the code uses std
// types and exceptions; at it, KJ (docs/architecture.md, section 5).
#pragma once

#include <kj/exception.h>

#include <exception>
#include <string>

namespace entente::protocol {

// An error to show the other side as is: a refusal or a failed request, worded for
// the person who reads it (what failed, on what, what to do next).
[[noreturn]] void failWith(std::string message);

// Runs `body`, turning a std::exception (from the session logic or the store) into a
// KJ exception whose text the other side shows as is.
template <typename Body>
auto userFacing(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const kj::Exception&) {
    throw;
  } catch (const std::exception& e) {
    failWith(e.what());
  }
}

// The message of an exception without KJ's decorations ("remote exception: ...",
// file and line), fit for a user.
std::string userMessage(const kj::Exception& e);

}  // namespace entente::protocol
