// Fuzz target: decoding any text as a pairing invitation (node/partners/invitation.h)
// must not crash, must refuse only with InvitationError, and must never accept an
// expired invitation or hand back fields that break the one-field-a-line format; and
// an invitation that the code encodes must decode to the same fields.
//
// Two kinds of input, so that the fuzzer gets past the signature too:
//   - a first byte of 0x01: the rest are the fields of an invitation that the target
//     signs and encodes itself: the expiry (8 bytes, little-endian, Unix seconds),
//     then the name, the address, the purposes (comma-separated) and the secret,
//     separated by NUL bytes (the secret takes the rest, NULs included). The
//     encoded text is decoded as any other text, and also checked to decode to the
//     same fields when they survive the format (no line feed, no empty purpose).
//   - anything else: the text of an invitation, decoded as it is.
// "Now" is fixed at 2026-01-01; the seeds expire in 2100 or have already expired.
#include "node/partners/invitation.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

using entente::node::Invitation;
using entente::node::InvitationError;

namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "invitation-fuzz: %s\n", what);
  std::abort();
}

bool hasLineFeed(const std::string& s) { return s.find('\n') != std::string::npos; }

// Decodes `text`; returns whether it was accepted, after checking what came back.
bool decodeChecked(std::string_view text, Invitation& out) {
  try {
    out = entente::node::decodeInvitation(text, kNow);
  } catch (const InvitationError& e) {
    if (std::string_view(e.what()).empty()) fail("a refusal without a reason");
    return false;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invitation-fuzz: %s\n", e.what());
    fail("decodeInvitation threw something other than InvitationError");
  }
  if (out.expiresAtUnix <= kNow) fail("accepted an expired invitation");
  if (hasLineFeed(out.nodeName) || hasLineFeed(out.address) || hasLineFeed(out.secret)) {
    fail("a field holds a line feed");
  }
  for (auto& p : out.purposes) {
    if (p.empty() || p.find_first_of(",\n") != std::string::npos) fail("a purpose that is empty or holds a separator");
  }
  return true;
}

void roundTrip(std::string_view rest) {
  static const auto signer = entente::crypto::NodeIdentity::generate("fuzz-signer");
  if (rest.size() < 8) return;
  Invitation invitation;
  uint64_t expires;
  std::memcpy(&expires, rest.data(), sizeof expires);
  invitation.expiresAtUnix = static_cast<int64_t>(expires);
  rest.remove_prefix(8);
  std::string fields[4];
  for (size_t i = 0; i < 4; ++i) {
    size_t nul = i < 3 ? rest.find('\0') : std::string_view::npos;
    fields[i] = std::string(rest.substr(0, nul));
    rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
  }
  invitation.nodeName = fields[0];
  invitation.address = fields[1];
  bool plain = !hasLineFeed(fields[0]) && !hasLineFeed(fields[1]) && !hasLineFeed(fields[2]) &&
               !hasLineFeed(fields[3]);
  if (!fields[2].empty()) {
    for (size_t at = 0;;) {
      size_t comma = fields[2].find(',', at);
      invitation.purposes.push_back(fields[2].substr(at, comma == std::string::npos ? std::string::npos : comma - at));
      plain = plain && !invitation.purposes.back().empty();
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  invitation.secret = fields[3];
  invitation.publicKey = signer.publicKey();

  std::string text = entente::node::encodeInvitation(invitation, signer);
  Invitation back;
  bool accepted = decodeChecked(text, back);
  if (!plain) return;
  if (accepted != (invitation.expiresAtUnix > kNow)) fail("an invitation the code encoded was refused");
  if (accepted && (back.nodeName != invitation.nodeName || back.address != invitation.address ||
                   back.publicKey != invitation.publicKey || back.purposes != invitation.purposes ||
                   back.expiresAtUnix != invitation.expiresAtUnix || back.secret != invitation.secret)) {
    fail("an invitation decoded to other fields than were encoded");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input.front() == '\x01') {
    roundTrip(input.substr(1));
  } else {
    Invitation ignored;
    decodeChecked(input, ignored);
  }
  return 0;
}
