// The digests that let a node recognise a person it erased (storage/erasure-marks.h):
// BLAKE2b-256 of each identifier (kind byte, then its normalised value) and of the
// customer_id, keyed with a secret derived from the node's identity key. The key is
// the node's Ed25519 signature of a fixed label (signatures are deterministic), hashed:
// only a process that holds the unsealed identity key can compute a digest, so a copy
// of the store alone cannot be searched for an e-mail address.
#pragma once

#include "crypto/node-identity.h"
#include "storage/erasure-marks.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace entente::node {

class ErasureMarker {
 public:
  explicit ErasureMarker(const crypto::NodeIdentity& identity);
  ~ErasureMarker();
  ErasureMarker(const ErasureMarker&) = delete;
  ErasureMarker& operator=(const ErasureMarker&) = delete;

  storage::ErasureDigest ofIdentifier(uint8_t kind, std::string_view normalised) const;
  storage::ErasureDigest ofCustomerId(std::string_view customerId) const;

 private:
  std::array<uint8_t, 32> key_;
};

}  // namespace entente::node
