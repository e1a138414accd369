#include "tls_verify.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace gitopsd::git {
namespace {

template <class T, void (*F)(T*)>
struct free_with {
  void operator()(T* p) const { F(p); }
};
using x509_ptr = std::unique_ptr<X509, free_with<X509, X509_free>>;
using store_ptr = std::unique_ptr<X509_STORE, free_with<X509_STORE, X509_STORE_free>>;
using ctx_ptr = std::unique_ptr<X509_STORE_CTX, free_with<X509_STORE_CTX, X509_STORE_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, free_with<BIO, BIO_free_all>>;

bool is_ip(std::string_view host) {
  return host.find_first_not_of("0123456789.") == std::string_view::npos || host.find(':') != std::string_view::npos;
}

}  // namespace

std::optional<std::string> verify_with_ca(std::string_view leaf_der, std::string_view ca_pem, std::string_view host) {
  const auto* p = reinterpret_cast<const unsigned char*>(leaf_der.data());
  x509_ptr leaf(d2i_X509(nullptr, &p, static_cast<long>(leaf_der.size())));
  if (!leaf) return "the server certificate cannot be parsed";

  store_ptr store(X509_STORE_new());
  bio_ptr bio(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  int loaded = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
    ++loaded;
  }
  ERR_clear_error();
  if (loaded == 0) return "ca.crt holds no PEM certificate";

  ctx_ptr ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1) return "cannot set up verification";
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  std::string h(host);
  if (is_ip(h))
    X509_VERIFY_PARAM_set1_ip_asc(param, h.c_str());
  else
    X509_VERIFY_PARAM_set1_host(param, h.c_str(), h.size());
  if (X509_verify_cert(ctx.get()) == 1) return std::nullopt;
  int err = X509_STORE_CTX_get_error(ctx.get());
  return std::string(X509_verify_cert_error_string(err));
}

}  // namespace gitopsd::git
