#include "gitopsd/decrypt/decrypting_tree.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt {

decrypting_tree::decrypting_tree(const file_tree& inner, const keyring* keys, const render::limits& yaml)
    : inner_(inner), yaml_(yaml), decryptor_(keys != nullptr ? std::make_unique<sops_decryptor>(*keys, yaml) : nullptr) {}

result<std::string> decrypting_tree::read(std::string_view file) const {
  auto text = inner_.read(file);
  if (!text) return text;
  if (!has_sops_marks(*text, format_for_path(file))) return text;
  auto name = render::printable_name(file);
  std::lock_guard lock(mutex_);
  if (!decryptor_) {
    // Only a parse tells a SOPS file from text that merely looks like one.
    const keyring none;
    sops_decryptor probe(none, yaml_);
    auto attempt = probe.decrypt_file(*text, file);
    if (attempt && !*attempt) return text;
    if (!failure_) failure_ = make_error_code(errc::no_identity);
    return make_error(errc::no_identity, fmt::format("{}: the file is encrypted with SOPS and no decryption keys are given "
                                                     "(spec.decryption, or --decrypt-keys)", name));
  }
  auto plain = decryptor_->decrypt_file(*text, file);
  if (!plain) {
    if (!failure_) failure_ = plain.error().code;
    return plain.error().wrap(fmt::format("decrypting {}", name));
  }
  if (!*plain) return text;
  return std::move(**plain);
}

boost::system::error_code decrypting_tree::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace gitopsd::decrypt
