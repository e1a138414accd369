#include "gitopsd/core/text.hpp"

namespace gitopsd {

std::string cut_utf8(std::string text, std::size_t limit, std::string_view marker) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  // A continuation byte (10xxxxxx) at the cut belongs to a character that starts before it.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text.append(marker);
}

}  // namespace gitopsd
