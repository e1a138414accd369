// The sshsig format: parsing the armored block and verifying it with OpenSSL.
#include "gitopsd/core/base64.hpp"

#include "../core/openssl_ptr.hpp"
#include "gitopsd/verify/errc.hpp"
#include "gitopsd/verify/ssh.hpp"
#include "ssh_wire.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace gitopsd::verify {
namespace {

constexpr std::string_view begin_marker = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view end_marker = "-----END SSH SIGNATURE-----";
constexpr std::string_view magic = "SSHSIG";
constexpr std::size_t max_armored = 64 * 1024;  // real ones are under 2 KiB (RSA 16384 included)

error malformed(std::string_view why) { return make_error(errc::malformed, fmt::format("SSH signature: {}", why)); }

using openssl::md_ctx_ptr;
using openssl::pkey_ctx_ptr;
using openssl::pkey_ptr;
using bn_ptr = openssl::owned<BIGNUM, BN_free>;
using bld_ptr = openssl::owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using params_ptr = openssl::owned<OSSL_PARAM, OSSL_PARAM_free>;
using ecdsa_sig_ptr = openssl::owned<ECDSA_SIG, ECDSA_SIG_free>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

bn_ptr to_bn(std::string_view magnitude) {
  return bn_ptr(BN_bin2bn(bytes(magnitude), static_cast<int>(magnitude.size()), nullptr));
}

pkey_ptr from_params(const char* algorithm, OSSL_PARAM_BLD* bld) {
  params_ptr params(OSSL_PARAM_BLD_to_param(bld));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return {};
  return pkey_ptr(key);
}

std::string wire_string(std::string_view s) {
  std::string out(4, '\0');
  auto n = static_cast<std::uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (24 - 8 * i)) & 0xff);
  out.append(s);
  return out;
}

// One verification: the key made from its wire form, the digest (null for ed25519) and the
// signature bytes in the form OpenSSL expects.
struct prepared {
  pkey_ptr key;
  const EVP_MD* md = nullptr;
  std::string signature;
};

result<prepared> prepare(std::string_view key_blob, std::string_view sig_blob, std::string_view what,
                         std::string_view fingerprint) {
  auto fail = [&](errc code, std::string_view why) {
    return make_error(code, fmt::format("{}: SSH key {}: {}", what, fingerprint, why));
  };
  wire::reader k(key_blob);
  auto type = k.string();
  wire::reader s(sig_blob);
  auto format = s.string();
  auto raw = s.string();
  if (!type || !format || !raw || !s.done()) return fail(errc::malformed, "the signature field is malformed");
  prepared out;
  if (*type == "ssh-ed25519") {
    auto pk = k.string();
    if (!pk || pk->size() != 32 || !k.done()) return fail(errc::malformed, "the ed25519 key is malformed");
    if (*format != "ssh-ed25519" || raw->size() != 64) return fail(errc::malformed, "the ed25519 signature is malformed");
    out.key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(*pk), pk->size()));
    out.signature = *raw;
  } else if (type->starts_with("ecdsa-sha2-")) {
    auto curve = k.string();
    auto point = k.string();
    if (!curve || !point || !k.done() || "ecdsa-sha2-" + std::string(*curve) != *type)
      return fail(errc::malformed, "the ECDSA key is malformed");
    const char* group = nullptr;
    if (*curve == "nistp256") group = "prime256v1", out.md = EVP_sha256();
    else if (*curve == "nistp384") group = "secp384r1", out.md = EVP_sha384();
    else if (*curve == "nistp521") group = "secp521r1", out.md = EVP_sha512();
    else return fail(errc::unsupported, fmt::format("ECDSA curve {} is not supported", *curve));
    if (*format != *type) return fail(errc::malformed, "the signature's format does not match the key");
    wire::reader rs(*raw);
    auto r = rs.positive_mpint();
    auto sv = rs.positive_mpint();
    if (!r || !sv || !rs.done()) return fail(errc::malformed, "the ECDSA signature is malformed");
    bld_ptr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point->data(), point->size()) != 1)
      return fail(errc::internal, "OpenSSL cannot build the key");
    out.key = from_params("EC", bld.get());
    ecdsa_sig_ptr sig(ECDSA_SIG_new());
    bn_ptr rb = to_bn(*r), sb = to_bn(*sv);
    if (!sig || !rb || !sb || ECDSA_SIG_set0(sig.get(), rb.get(), sb.get()) != 1)
      return fail(errc::internal, "OpenSSL cannot build the signature");
    rb.release();
    sb.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) return fail(errc::internal, "OpenSSL cannot encode the signature");
    out.signature.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  } else if (*type == "ssh-rsa") {
    auto e = k.positive_mpint();
    auto n = k.positive_mpint();
    if (!e || !n || !k.done()) return fail(errc::malformed, "the RSA key is malformed");
    if (n->size() < 256) return fail(errc::unsupported, fmt::format("RSA keys under 2048 bits are refused ({} bits)", n->size() * 8));
    if (n->size() > 2048) return fail(errc::unsupported, "RSA keys over 16384 bits are refused");
    if (*format == "rsa-sha2-256") out.md = EVP_sha256();
    else if (*format == "rsa-sha2-512") out.md = EVP_sha512();
    else return fail(errc::unsupported, fmt::format("RSA signature format {} is refused (SHA-256 or SHA-512 only)", *format));
    if (raw->size() > n->size()) return fail(errc::malformed, "the RSA signature is longer than the modulus");
    out.signature = std::string(n->size() - raw->size(), '\0') + std::string(*raw);  // OpenSSH may drop leading zeros
    bn_ptr nb = to_bn(*n), eb = to_bn(*e);
    bld_ptr bld(OSSL_PARAM_BLD_new());
    if (!nb || !eb || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, nb.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, eb.get()) != 1)
      return fail(errc::internal, "OpenSSL cannot build the key");
    out.key = from_params("RSA", bld.get());
  } else {
    return fail(errc::unsupported, fmt::format("key type {} is not supported", *type));
  }
  if (!out.key) return fail(errc::malformed, "OpenSSL refuses the public key");
  return out;
}

}  // namespace

result<sshsig> parse_sshsig(std::string_view armored, std::string_view required_namespace) {
  if (armored.size() > max_armored) return malformed("the block is too large");
  auto begin = armored.find(begin_marker);
  if (begin == std::string_view::npos) return malformed("no BEGIN SSH SIGNATURE line");
  auto body_start = begin + begin_marker.size();
  auto end = armored.find(end_marker, body_start);
  if (end == std::string_view::npos) return malformed("no END SSH SIGNATURE line");
  auto blob = base64_decode(armored.substr(body_start, end - body_start));
  if (!blob) return malformed("the body is not base64");
  wire::reader r(*blob);
  if (!r.literal(magic)) return malformed("wrong magic (not SSHSIG)");
  auto version = r.u32();
  if (!version) return malformed("truncated before the version");
  if (*version != 1) return malformed(fmt::format("version {} is not supported", *version));
  auto key = r.string();
  auto ns = r.string();
  auto reserved = r.string();
  auto hash = r.string();
  auto sig = r.string();
  if (!key || !ns || !reserved || !hash || !sig) return malformed("truncated");
  if (!r.done()) return malformed("trailing bytes after the signature");
  if (*ns != required_namespace)
    return malformed(fmt::format("namespace is \"{}\", not \"{}\"", ns->substr(0, 64), required_namespace));
  if (*hash != "sha256" && *hash != "sha512") return malformed(fmt::format("hash algorithm \"{}\" is not supported", hash->substr(0, 64)));
  return sshsig{std::string(*key), std::string(*ns), std::string(*hash), std::string(*sig)};
}

result<std::string> verify_sshsig(const sshsig& sig, std::string_view payload, const std::vector<ssh_public_key>& trusted,
                                  std::string_view what) {
  std::string fingerprint = ssh_fingerprint(sig.public_key);
  const ssh_public_key* key = nullptr;
  for (const auto& k : trusted)
    if (k.blob == sig.public_key) key = &k;
  if (key == nullptr)
    return make_error(errc::unknown_key, fmt::format("{}: signed by SSH key {}, which is not among the trusted keys", what, fingerprint));
  auto ready = prepare(key->blob, sig.signature, what, fingerprint);
  if (!ready) return ready.error();

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const EVP_MD* hash = sig.hash_algorithm == "sha512" ? EVP_sha512() : EVP_sha256();
  if (EVP_Digest(payload.data(), payload.size(), digest, &digest_len, hash, nullptr) != 1)
    return make_error(errc::internal, fmt::format("{}: hashing the payload failed", what));
  std::string signed_data(magic);
  signed_data += wire_string(sig.namespace_);
  signed_data += wire_string("");
  signed_data += wire_string(sig.hash_algorithm);
  signed_data += wire_string(std::string_view(reinterpret_cast<const char*>(digest), digest_len));

  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, ready->md, nullptr, ready->key.get()) != 1)
    return make_error(errc::internal, fmt::format("{}: OpenSSL cannot verify with SSH key {}", what, fingerprint));
  int ok = EVP_DigestVerify(ctx.get(), bytes(ready->signature), ready->signature.size(), bytes(signed_data), signed_data.size());
  if (ok != 1)
    return make_error(errc::bad_signature,
                      fmt::format("{}: the signature by SSH key {} does not match the signed content", what, fingerprint));
  return fingerprint;
}

}  // namespace gitopsd::verify
