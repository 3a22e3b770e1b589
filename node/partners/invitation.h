// Pairing invitations: one line that a node's administrator sends to a partner's
// administrator. It names the inviting node, where to reach it, its identity key,
// the purposes it offers and when it expires, carries a one-time pairing secret, and
// is signed with the node's identity key. Accepting it pins the inviter's key; the
// first connection, authenticated by TLS and the secret, pins the acceptor's key at
// the inviter. The secret makes the invitation a bearer credential until it is used
// or expires: send it over a channel you trust, and compare fingerprints by phone.
//
//   entente-invite-v1.<payload, URL-safe base64>.<Ed25519 signature, URL-safe base64>
#pragma once

#include "crypto/node-identity.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace entente::node {

class InvitationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Invitation {
  std::string nodeName;
  std::string address;
  crypto::PublicKey publicKey{};
  std::vector<std::string> purposes;
  int64_t expiresAtUnix = 0;
  std::string secret;
};

std::string encodeInvitation(const Invitation& invitation, const crypto::NodeIdentity& signer);
// Checks the format, the signature (by the key the invitation names) and the expiry
// against `nowUnix`. Throws InvitationError saying what is wrong.
Invitation decodeInvitation(std::string_view text, int64_t nowUnix);

}  // namespace entente::node
