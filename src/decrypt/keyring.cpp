#include "gitopsd/decrypt/keyring.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

result<void> add_key(keyring& keys, std::string_view name, std::string_view content) {
  if (ends_with(name, ".agekey")) {
    auto ids = parse_age_identities(content, name);
    if (!ids) return ids.error();
    if (ids->empty()) return make_error(errc::invalid_identity, fmt::format("{} holds no age identity", name));
    keys.age.insert(keys.age.end(), ids->begin(), ids->end());
    return {};
  }
  if (ends_with(name, ".asc")) {
    if (content.find("-----BEGIN PGP PRIVATE KEY BLOCK-----") == std::string_view::npos)
      return make_error(errc::invalid_identity, fmt::format("{} holds no armored OpenPGP private key", name));
    keys.openpgp.push_back({std::string(name), std::string(content)});
    return {};
  }
  return make_error(errc::invalid_identity,
                    fmt::format("{}: a decryption key's name must end in .agekey (age) or .asc (OpenPGP)", name));
}

result<keyring> keyring_from_entries(const std::map<std::string, std::string>& data, std::string_view what) {
  keyring keys;
  for (const auto& [name, content] : data) {
    if (!ends_with(name, ".agekey") && !ends_with(name, ".asc")) continue;
    if (auto ok = add_key(keys, name, content); !ok) return ok.error().wrap(what);
  }
  if (keys.empty())
    return make_error(errc::invalid_identity, fmt::format("{} holds no entry ending in .agekey (age) or .asc (OpenPGP)", what));
  return keys;
}

}  // namespace gitopsd::decrypt
