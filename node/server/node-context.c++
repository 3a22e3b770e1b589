#include "node/server/node-context.h"

#include "crypto/random.h"

namespace entente::node {

std::string newSessionId() { return crypto::randomHex(8); }

}  // namespace entente::node
