#pragma once
// OpenSSL objects owned by std::unique_ptr, freed by their own free function.

#include <openssl/evp.h>

#include <memory>

namespace gitopsd::openssl {

template <class T, void (*Free)(T*)>
struct freer {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using owned = std::unique_ptr<T, freer<T, Free>>;

using pkey_ptr = owned<EVP_PKEY, EVP_PKEY_free>;
using pkey_ctx_ptr = owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using cipher_ctx_ptr = owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using md_ctx_ptr = owned<EVP_MD_CTX, EVP_MD_CTX_free>;

}  // namespace gitopsd::openssl
