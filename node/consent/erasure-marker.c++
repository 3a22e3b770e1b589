#include "node/consent/erasure-marker.h"

#include "crypto/hash.h"
#include "crypto/wipe.h"

#include <string>

namespace entente::node {
namespace {
constexpr std::string_view kLabel = "entente erasure-mark key v1";
// The customer_id is marked as a kind of its own, apart from the identifier kinds.
constexpr uint8_t kCustomerIdKind = 0xff;
}  // namespace

ErasureMarker::ErasureMarker(const crypto::NodeIdentity& identity) {
  auto signature = identity.sign({reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size()});
  key_ = crypto::blake2b256({reinterpret_cast<const uint8_t*>(signature.data()), signature.size()});
  crypto::wipe(signature.data(), signature.size());
}

ErasureMarker::~ErasureMarker() { crypto::wipe(key_.data(), key_.size()); }

storage::ErasureDigest ErasureMarker::ofIdentifier(uint8_t kind, std::string_view normalised) const {
  std::string text(1, static_cast<char>(kind));
  text += normalised;
  auto digest = crypto::blake2b256Keyed(key_, text);
  crypto::wipe(text);
  return digest;
}

storage::ErasureDigest ErasureMarker::ofCustomerId(std::string_view customerId) const {
  return ofIdentifier(kCustomerIdKind, customerId);
}

}  // namespace entente::node
