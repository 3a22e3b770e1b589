// Fuzz target: normalising any bytes as any identifier must not crash, must be
// idempotent when it succeeds, and must never echo the input in a rejection. (The
// echo check applies to inputs holding a byte that no fixed reason text contains,
// such as '+' or any non-ASCII byte; otherwise the fuzzer soon finds an input that
// is a fragment of a reason, like "letters, digits".)
#include "text/identifier-normaliser.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static entente::text::IdentifierNormaliser normaliser("FR");
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  bool echoable = input.find_first_of("+#!$%&*;<=>?[]^_`{|}~\"") != std::string::npos;
  for (unsigned char c : input) echoable = echoable || c >= 0x80;
  auto check = [&](const entente::text::Normalisation& n, auto again) {
    if (n) {
      auto second = again(*n.value);
      if (!second || *second.value != *n.value) std::abort();
    } else if (echoable && n.rejection.find(input) != std::string::npos) {
      std::abort();
    }
  };
  switch (data[0] % 6) {
    case 0: check(normaliser.email(input), [&](const std::string& v) { return normaliser.email(v); }); break;
    case 1: check(normaliser.phone(input, ""), [&](const std::string& v) { return normaliser.phone(v, ""); }); break;
    case 2: check(normaliser.birthDate(input), [&](const std::string& v) { return normaliser.birthDate(v); }); break;
    case 3: check(normaliser.name(input), [&](const std::string& v) { return normaliser.name(v); }); break;
    case 4: check(normaliser.postalCode(input), [&](const std::string& v) { return normaliser.postalCode(v); }); break;
    case 5: check(normaliser.country(input), [&](const std::string& v) { return normaliser.country(v); }); break;
  }
  return 0;
}
