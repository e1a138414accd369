#include "field_names.hpp"

namespace gitopsd::render::kustomize {

std::string fold_field_name(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (std::size_t i = 0; i < key.size();) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
      ++i;
      continue;
    }
    // The only other characters whose upper case of their lower case is an ASCII letter.
    auto two = key.substr(i, 2), three = key.substr(i, 3);
    if (two == "\xC5\xBF") {  // U+017F long s
      out += 'S';
      i += 2;
    } else if (two == "\xC4\xB0" || two == "\xC4\xB1") {  // U+0130 I with dot, U+0131 dotless i
      out += 'I';
      i += 2;
    } else if (three == "\xE2\x84\xAA") {  // U+212A Kelvin sign
      out += 'K';
      i += 3;
    } else {
      out += static_cast<char>(c);  // stays non-ASCII, so it never matches a field name
      ++i;
    }
  }
  return out;
}

std::optional<std::string_view> match_field(std::string_view key, std::initializer_list<std::string_view> known) {
  for (auto k : known)
    if (k == key) return k;
  std::string folded = fold_field_name(key);
  for (auto k : known)
    if (fold_field_name(k) == folded) return k;
  return std::nullopt;
}

const rapidjson::Value* find_field(const rapidjson::Value& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  const rapidjson::Value* found = nullptr;
  std::string want = fold_field_name(name);
  for (const auto& m : obj.GetObject())
    if (fold_field_name(std::string_view(m.name.GetString(), m.name.GetStringLength())) == want) found = &m.value;
  return found;
}

}  // namespace gitopsd::render::kustomize
