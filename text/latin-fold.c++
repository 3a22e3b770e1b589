// The table of text/latin-fold.h. Entries come from the caller's ICU pipeline, never
// from a hand-written list, so the table follows the ICU version the build links.

#include "text/latin-fold.h"

#include "text/code-points.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

namespace entente::text {

namespace {

constexpr UChar32 kTableRanges[][2] = {{0x0000, 0x0250}, {0x1E00, 0x1F00}};

}  // namespace

LatinFold::LatinFold(const std::function<std::string(UChar32)>& foldOf,
                     const std::function<bool(UChar32)>& trimmable) {
  entries_.resize(0x250 + 0x100);
  for (const auto& range : kTableRanges) {
    for (UChar32 c = range[0]; c < range[1]; ++c) {
      Entry& e = entries_[static_cast<size_t>(indexOf(c))];
      e.fold = foldOf(c);
      e.trimmable = trimmable(c);
      e.stableNfkc = u_getIntPropertyValue(c, UCHAR_NFKC_QUICK_CHECK) == UNORM_YES &&
                     u_getCombiningClass(c) == 0;
    }
  }
}

bool LatinFold::isStableNfkc(std::string_view utf8) const {
  return eachCodePoint(utf8, [&](UChar32 c) {
    int i = indexOf(c);
    return i >= 0 && entries_[static_cast<size_t>(i)].stableNfkc;
  });
}

std::optional<std::string> LatinFold::fold(std::string_view nfkc) const {
  std::vector<const Entry*> found;
  found.reserve(nfkc.size());
  bool covered = eachCodePoint(nfkc, [&](UChar32 c) {
    int i = indexOf(c);
    if (i < 0) return false;
    found.push_back(&entries_[static_cast<size_t>(i)]);
    return true;
  });
  if (!covered) return std::nullopt;
  size_t begin = 0;
  size_t end = found.size();
  while (begin < end && found[begin]->trimmable) ++begin;
  while (end > begin && found[end - 1]->trimmable) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) out += found[i]->fold;
  return out;
}

}  // namespace entente::text
