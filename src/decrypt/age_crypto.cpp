#include "age_crypto.hpp"

#include "../core/openssl_ptr.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>

namespace gitopsd::decrypt::detail {
namespace {

using openssl::cipher_ctx_ptr;
using openssl::pkey_ctx_ptr;
using openssl::pkey_ptr;
using kdf_ptr = openssl::owned<EVP_KDF, EVP_KDF_free>;
using kdf_ctx_ptr = openssl::owned<EVP_KDF_CTX, EVP_KDF_CTX_free>;

constexpr std::size_t tag_size = 16;

error failed(std::string_view what) {
  return make_error(errc::internal, std::string("OpenSSL: ") + std::string(what) + " failed");
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
// OpenSSL octet-string parameters take a non-const pointer they do not write through.
void* param_bytes(std::string_view s) { return const_cast<char*>(s.data()); }

pkey_ptr private_key(const key32& secret) {
  return pkey_ptr(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret.bytes.data(), secret.bytes.size()));
}

}  // namespace

bool random_fill(unsigned char* out, std::size_t size) {
  return RAND_priv_bytes(out, static_cast<int>(size)) == 1;
}

result<std::array<unsigned char, 32>> x25519_public(const key32& secret) {
  auto key = private_key(secret);
  std::array<unsigned char, 32> out{};
  std::size_t len = out.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), out.data(), &len) != 1 || len != out.size())
    return failed("X25519 public key");
  return out;
}

result<key32> x25519_shared(const key32& secret, std::string_view peer) {
  if (peer.size() != 32) return make_error(errc::malformed, "X25519 share is not 32 bytes");
  auto key = private_key(secret);
  pkey_ptr peer_key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, bytes(peer), peer.size()));
  if (!key || !peer_key) return failed("X25519 key");
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  key32 out;
  std::size_t len = out.bytes.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.bytes.data(), &len) != 1 || len != out.bytes.size())
    // OpenSSL refuses a low-order point (all-zero result) here.
    return make_error(errc::malformed, "X25519 share is a low-order point");
  static const std::array<unsigned char, 32> zero{};
  if (CRYPTO_memcmp(out.bytes.data(), zero.data(), zero.size()) == 0)
    return make_error(errc::malformed, "X25519 share is a low-order point");
  return out;
}

result<key32> hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info) {
  kdf_ptr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  kdf_ctx_ptr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) return failed("HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_bytes(ikm), ikm.size());
  if (!salt.empty())
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_bytes(salt), salt.size());
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_bytes(info), info.size());
  params[n] = OSSL_PARAM_construct_end();
  key32 out;
  if (EVP_KDF_derive(ctx.get(), out.bytes.data(), out.bytes.size(), params) != 1) return failed("HKDF");
  return out;
}

result<std::array<unsigned char, 32>> hmac_sha256(const key32& key, std::string_view data) {
  std::array<unsigned char, 32> out{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.bytes.data(), key.bytes.size(), bytes(data),
                data.size(), out.data(), out.size(), &len) == nullptr ||
      len != out.size())
    return failed("HMAC");
  return out;
}

result<std::string> aead_seal(const key32& key, const nonce12& nonce, std::string_view plaintext) {
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + tag_size, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, final_len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, key.bytes.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &final_len) != 1 ||
      static_cast<std::size_t>(len + final_len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, tag_size, dst + plaintext.size()) != 1)
    return failed("ChaCha20-Poly1305 encryption");
  return out;
}

result<bool> aead_open(const key32& key, const nonce12& nonce, std::string_view sealed, std::string& out) {
  out.clear();
  if (sealed.size() < tag_size) return false;
  auto body = sealed.substr(0, sealed.size() - tag_size);
  auto tag = sealed.substr(body.size());
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  std::string plain(body.size() + 1, '\0');  // one spare byte: never a null destination
  auto* dst = reinterpret_cast<unsigned char*>(plain.data());
  int len = 0, final_len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, key.bytes.data(), nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, bytes(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, tag_size, param_bytes(tag)) != 1) {
    wipe(plain);
    return failed("ChaCha20-Poly1305 decryption");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &final_len) != 1) {
    wipe(plain);  // unauthenticated bytes never leave
    return false;
  }
  plain.resize(body.size());
  out = std::move(plain);
  return true;
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace gitopsd::decrypt::detail
