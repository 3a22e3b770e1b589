#include "node/partners/invitation.h"

#include "crypto/credential.h"

#include <sstream>

namespace entente::node {
namespace {

constexpr std::string_view kPrefix = "entente-invite-v1.";
// Signed together with the payload so that no other signed message of the node can
// be passed off as an invitation.
constexpr std::string_view kSignatureContext = "entente/invitation/v1\n";

std::basic_string<uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace

std::string encodeInvitation(const Invitation& invitation, const crypto::NodeIdentity& signer) {
  std::string payload = "name=" + invitation.nodeName + "\naddress=" + invitation.address +
                        "\nkey=" + crypto::toBase64Url({invitation.publicKey.data(), invitation.publicKey.size()}) +
                        "\npurposes=" + join(invitation.purposes) +
                        "\nexpires=" + std::to_string(invitation.expiresAtUnix) + "\nsecret=" + invitation.secret +
                        "\n";
  auto signature = signer.sign(bytes(std::string(kSignatureContext) + payload));
  return std::string(kPrefix) + crypto::toBase64Url(bytes(payload)) + "." +
         crypto::toBase64Url({signature.data(), signature.size()});
}

Invitation decodeInvitation(std::string_view text, int64_t nowUnix) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    throw InvitationError("this is not an Entente invitation (it should start with entente-invite-v1.)");
  }
  text.remove_prefix(kPrefix.size());
  auto dot = text.find('.');
  std::basic_string<uint8_t> payloadBytes, signatureBytes;
  if (dot == std::string_view::npos || !crypto::fromBase64Url(text.substr(0, dot), payloadBytes) ||
      !crypto::fromBase64Url(text.substr(dot + 1), signatureBytes) || signatureBytes.size() != 64) {
    throw InvitationError("the invitation is damaged (was it cut when copied?); ask for a new one");
  }
  std::string payload(payloadBytes.begin(), payloadBytes.end());
  Invitation invitation;
  std::istringstream lines(payload);
  std::string line, keyText, expires;
  bool haveName = false, haveAddress = false, haveSecret = false;
  while (std::getline(lines, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string field = line.substr(0, eq), value = line.substr(eq + 1);
    if (field == "name") invitation.nodeName = value, haveName = true;
    else if (field == "address") invitation.address = value, haveAddress = true;
    else if (field == "key") keyText = value;
    else if (field == "expires") expires = value;
    else if (field == "secret") invitation.secret = value, haveSecret = true;
    else if (field == "purposes") {
      std::istringstream list(value);
      for (std::string p; std::getline(list, p, ',');) {
        if (!p.empty()) invitation.purposes.push_back(p);
      }
    }
  }
  std::basic_string<uint8_t> key;
  if (!haveName || !haveAddress || !haveSecret || expires.empty() || !crypto::fromBase64Url(keyText, key) ||
      key.size() != invitation.publicKey.size()) {
    throw InvitationError("the invitation lacks a field; ask for a new one");
  }
  std::copy(key.begin(), key.end(), invitation.publicKey.begin());
  crypto::Signature signature;
  std::copy(signatureBytes.begin(), signatureBytes.end(), signature.begin());
  if (!crypto::verifySignature(invitation.publicKey, bytes(std::string(kSignatureContext) + payload), signature)) {
    throw InvitationError("the invitation's signature does not verify: it was altered; ask for a new one");
  }
  try {
    invitation.expiresAtUnix = std::stoll(expires);
  } catch (const std::exception&) {
    throw InvitationError("the invitation's expiry is unreadable; ask for a new one");
  }
  if (invitation.expiresAtUnix <= nowUnix) {
    throw InvitationError("the invitation from '" + invitation.nodeName + "' has expired; ask for a new one");
  }
  return invitation;
}

}  // namespace entente::node
