#include "gitopsd/decrypt/decrypting_tree.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt {

namespace {
const keyring no_keys;
}  // namespace

decrypting_tree::decrypting_tree(const file_tree& inner, const keyring* keys, const render::limits& yaml)
    : inner_(inner), have_keys_(keys != nullptr), decryptor_(std::make_unique<sops_decryptor>(keys ? *keys : no_keys, yaml)) {}

result<std::string> decrypting_tree::read(std::string_view file) const {
  auto text = inner_.read(file);
  if (!text || !has_sops_marks(*text)) return text;
  std::lock_guard lock(mutex_);
  auto plain = decryptor_->decrypt_file(*text, file);
  if (plain && !*plain) return text;
  auto name = render::printable_name(file);
  if (!have_keys_) {
    if (!failure_) failure_ = make_error_code(errc::no_identity);
    return make_error(errc::no_identity, fmt::format("{}: the file is encrypted with SOPS and no decryption keys are given "
                                                     "(spec.decryption, or --decrypt-keys)", name));
  }
  if (!plain) {
    if (!failure_) failure_ = plain.error().code;
    return plain.error().wrap(fmt::format("decrypting {}", name));
  }
  return std::move(**plain);
}

boost::system::error_code decrypting_tree::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace gitopsd::decrypt
