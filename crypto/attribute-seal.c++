#include "crypto/attribute-seal.h"

#include "crypto/random.h"
#include "crypto/wipe.h"

#include <sodium.h>

#include <stdexcept>
#include <string_view>

namespace entente::crypto {
namespace {

constexpr std::string_view kSealDomain = "entente/enrich/v1";
constexpr uint8_t kAbsent = 0xFF;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kMacBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

}  // namespace

SealKey sealKeyOf(const Point& blinded) {
  SealKey key{};
  crypto_generichash_blake2b(key.data(), key.size(), blinded.data(), blinded.size(),
                             reinterpret_cast<const uint8_t*>(kSealDomain.data()), kSealDomain.size());
  return key;
}

size_t sealedBytes(size_t attributes) { return kNonceBytes + kMacBytes + attributes * kAttributeSlotBytes; }

void sealAttributes(const SealKey& key, std::span<const std::optional<std::string>> values,
                    std::vector<uint8_t>& out) {
  if (values.size() > kMaxSealedAttributes) throw std::invalid_argument("too many attributes to seal");
  std::vector<uint8_t> record(values.size() * kAttributeSlotBytes, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t* slot = record.data() + i * kAttributeSlotBytes;
    if (!values[i] || values[i]->size() > kMaxAttributeValueBytes) {
      slot[0] = kAbsent;
      continue;
    }
    slot[0] = static_cast<uint8_t>(values[i]->size());
    std::copy(values[i]->begin(), values[i]->end(), slot + 1);
  }
  size_t base = out.size();
  out.resize(base + sealedBytes(values.size()));
  uint8_t* nonce = out.data() + base;
  randomBytes({nonce, kNonceBytes});
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, record.data(), record.size(), nullptr, 0,
                                             nullptr, nonce, key.data());
  wipe(record.data(), record.size());
}

std::optional<std::vector<std::optional<std::string>>> openAttributes(const SealKey& key,
                                                                      std::span<const uint8_t> sealed,
                                                                      size_t attributes) {
  if (sealed.size() != sealedBytes(attributes)) throw std::invalid_argument("a sealed record of the wrong length");
  std::vector<uint8_t> record(attributes * kAttributeSlotBytes);
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(record.data(), &length, nullptr, sealed.data() + kNonceBytes,
                                                 sealed.size() - kNonceBytes, nullptr, 0, sealed.data(),
                                                 key.data()) != 0) {
    return std::nullopt;
  }
  std::vector<std::optional<std::string>> values(attributes);
  for (size_t i = 0; i < attributes; ++i) {
    const uint8_t* slot = record.data() + i * kAttributeSlotBytes;
    if (slot[0] == kAbsent || slot[0] > kMaxAttributeValueBytes) continue;
    values[i] = std::string(reinterpret_cast<const char*>(slot + 1), slot[0]);
  }
  wipe(record.data(), record.size());
  return values;
}

}  // namespace entente::crypto
