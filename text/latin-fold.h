// What IdentifierNormaliser::name() makes of each Latin code point, worked out once by
// ICU itself, so that the names of Western European customers (Léa Lefèvre, Jesús de
// la Fuente, Jääskeläinen) are folded by table lookup instead of a transliterator run
// per field. Only text/identifier-normaliser.c++ uses it; every name holding a code
// point outside the table still goes through ICU there.
#pragma once

#include <unicode/umachine.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::text {

class LatinFold {
 public:
  // Code points U+0000..U+024F (ASCII, Latin-1 Supplement, Latin Extended-A and B) and
  // U+1E00..U+1EFF (Latin Extended Additional, Vietnamese letters).
  static bool covers(UChar32 c) { return indexOf(c) >= 0; }

  // foldOf: the whole ICU pipeline of name() on a text of that one code point, without
  // trimming; trimmable: whether decoding trims that code point from a field's ends.
  LatinFold(const std::function<std::string(UChar32)>& foldOf,
            const std::function<bool(UChar32)>& trimmable);

  // True when NFKC provably leaves `utf8` unchanged: every code point is in the table,
  // is NFKC_Quick_Check=Yes and has combining class 0 (Unicode's quick check answers
  // YES for such a text). Otherwise the caller normalises first.
  bool isStableNfkc(std::string_view utf8) const;

  // The folds of the code points of `nfkc` (valid UTF-8, already NFKC) joined, with
  // leading and trailing trimmable code points left out as decoding would; nullopt
  // when it holds a code point outside the table.
  std::optional<std::string> fold(std::string_view nfkc) const;

 private:
  struct Entry {
    std::string fold;
    bool trimmable = false;
    bool stableNfkc = false;
  };

  static int indexOf(UChar32 c) {
    if (c >= 0 && c < 0x250) return c;
    if (c >= 0x1E00 && c < 0x1F00) return 0x250 + (c - 0x1E00);
    return -1;
  }

  std::vector<Entry> entries_;
};

}  // namespace entente::text
