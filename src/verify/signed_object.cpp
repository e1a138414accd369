#include "gitopsd/verify/signed_object.hpp"

#include <fmt/format.h>

#include <array>

namespace gitopsd::verify {

std::string describe(const signed_object& o) {
  std::string short_id = o.id.substr(0, 12);
  if (o.kind == signed_object::type::tag) return fmt::format("tag {} ({})", o.name, short_id);
  return fmt::format("commit {}", short_id);
}

tag_parts split_tag_signature(std::string_view raw) {
  static constexpr std::array<std::string_view, 3> starts = {
      "-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"};
  // Scan line starts from the front; the last block start wins (a message may quote one).
  std::size_t found = std::string_view::npos;
  std::size_t line = 0;
  while (line < raw.size()) {
    auto rest = raw.substr(line);
    for (auto s : starts)
      if (rest.starts_with(s)) found = line;
    auto nl = raw.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  if (found == std::string_view::npos) return {std::string(raw), {}};
  return {std::string(raw.substr(0, found)), std::string(raw.substr(found))};
}

}  // namespace gitopsd::verify
