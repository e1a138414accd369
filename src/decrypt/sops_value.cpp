#include "sops_value.hpp"

#include "../core/openssl_ptr.hpp"

#include "gitopsd/core/base64.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <openssl/evp.h>

#include <memory>

namespace gitopsd::decrypt {
namespace {

// "name:" followed by the text up to the next ',' (or the closing ']' for the last field).
std::optional<std::string_view> field(std::string_view& rest, std::string_view name, char end) {
  if (rest.substr(0, name.size()) != name) return std::nullopt;
  rest.remove_prefix(name.size());
  auto stop = rest.find(end);
  if (stop == std::string_view::npos || stop == 0) return std::nullopt;
  auto value = rest.substr(0, stop);
  rest.remove_prefix(stop + 1);
  return value;
}


}  // namespace

std::optional<sealed_value> parse_sealed(std::string_view text) {
  constexpr std::string_view prefix = "ENC[AES256_GCM,";
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  auto data = field(rest, "data:", ',');
  auto iv = data ? field(rest, "iv:", ',') : std::nullopt;
  auto tag = iv ? field(rest, "tag:", ',') : std::nullopt;
  auto type = tag ? field(rest, "type:", ']') : std::nullopt;
  if (!type || !rest.empty()) return std::nullopt;
  auto d = base64_decode(*data);
  auto i = base64_decode(*iv);
  auto t = base64_decode(*tag);
  if (!d || !i || !t || i->empty() || t->size() != 16) return std::nullopt;
  return sealed_value{std::move(*d), std::move(*i), std::move(*t), std::string(*type)};
}

result<std::string> open_sealed(const sealed_value& value, const data_key& key, std::string_view additional_data) {
  auto failed = [] { return make_error(errc::bad_mac, "a value does not authenticate under the file's data key"); };
  openssl::cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || value.iv.size() > 1024 || value.data.size() > (1u << 30)) return failed();
  auto* c = ctx.get();
  auto bytes = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  // SOPS uses 32-byte nonces with GCM (the nonce is hashed into the counter block).
  if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(value.iv.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(c, nullptr, nullptr, key.data(), bytes(value.iv)) != 1)
    return failed();
  int len = 0;
  if (!additional_data.empty() &&
      EVP_DecryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(additional_data.data()),
                        static_cast<int>(additional_data.size())) != 1)
    return failed();
  std::string plain(value.data.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  if (!value.data.empty() && EVP_DecryptUpdate(c, out, &len, bytes(value.data), static_cast<int>(value.data.size())) != 1)
    return failed();
  std::string tag = value.tag;
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1) return failed();
  int final_len = 0;
  if (EVP_DecryptFinal_ex(c, out + value.data.size(), &final_len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return failed();
  }
  return plain;
}

}  // namespace gitopsd::decrypt
