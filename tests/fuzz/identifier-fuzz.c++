// Fuzz target: normalising any bytes as any identifier must not crash, must be
// idempotent when it succeeds, must give the same answer on the fast route as on
// ICU's alone, and must never echo the input in a rejection. (The
// echo check applies to inputs holding a byte that no fixed reason text contains,
// such as '+' or any non-ASCII byte; otherwise the fuzzer soon finds an input that
// is a fragment of a reason, like "letters, digits".)
#include "text/identifier-normaliser.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using entente::text::IdentifierNormaliser;
  static IdentifierNormaliser normaliser("FR");
  static IdentifierNormaliser icuOnly("FR", IdentifierNormaliser::Route::icuOnly);
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  bool echoable = input.find_first_of("+#!$%&*;<=>?[]^_`{|}~\"") != std::string::npos;
  for (unsigned char c : input) echoable = echoable || c >= 0x80;
  // of(n, text): one normalisation by normaliser n.
  auto check = [&](auto of) {
    entente::text::Normalisation n = of(normaliser, input);
    entente::text::Normalisation icu = of(icuOnly, input);
    if (n.value != icu.value || n.rejection != icu.rejection) std::abort();
    if (n) {
      auto second = of(normaliser, *n.value);
      if (!second || *second.value != *n.value) std::abort();
    } else if (echoable && n.rejection.find(input) != std::string::npos) {
      std::abort();
    }
  };
  using N = const IdentifierNormaliser&;
  using S = const std::string&;
  switch (data[0] % 6) {
    case 0: check([](N n, S v) { return n.email(v); }); break;
    case 1: check([](N n, S v) { return n.phone(v, ""); }); break;
    case 2: check([](N n, S v) { return n.birthDate(v); }); break;
    case 3: check([](N n, S v) { return n.name(v); }); break;
    case 4: check([](N n, S v) { return n.postalCode(v); }); break;
    case 5: check([](N n, S v) { return n.country(v); }); break;
  }
  return 0;
}
