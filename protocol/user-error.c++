#include "protocol/user-error.h"

namespace entente::protocol {

void failWith(std::string message) {
  throw kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message));
}

std::string userMessage(const kj::Exception& e) {
  std::string text = e.getDescription().cStr();
  for (std::string_view prefix : {"remote exception: ", "std::exception: "}) {
    while (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  }
  if (e.getType() == kj::Exception::Type::DISCONNECTED && text.find("disconnect") == std::string::npos) {
    text = "the connection dropped (" + text + ")";
  }
  return text;
}

}  // namespace entente::protocol
