#include "gitopsd/verify/openpgp.hpp"

#include "gitopsd/verify/errc.hpp"
#include "gpgme_home.hpp"

#include <fmt/format.h>

#include <fstream>

namespace gitopsd::verify {

result<std::string> verify_openpgp(std::string_view signature, std::string_view payload,
                                   const std::vector<openpgp_key>& keys, std::string_view what) {
  auto internal = [&](std::string_view step, gpgme_error_t err) {
    return make_error(errc::internal, fmt::format("{}: OpenPGP verification: {}: {}", what, step, gpgme_strerror(err)));
  };
  using namespace gpgme_home;
  ensure_initialized();
  temp_home home;
  if (home.path().empty()) return make_error(errc::internal, fmt::format("{}: cannot create a temporary keyring", what));
  // Only the keys imported here are known; no agent or key server is ever asked.
  std::ofstream(home.path() + "/gpg.conf") << "no-autostart\nno-auto-key-retrieve\n";

  ctx_ptr ctx;
  if (auto err = open_context(home, ctx); err != 0) return internal("opening the keyring", err);

  for (const auto& key : keys) {
    auto data = memory_data(key.armored);
    if (!data) return internal("reading a key", 0);
    if (auto err = gpgme_op_import(ctx.get(), data.get()); err != 0)
      return make_error(errc::invalid_keys, fmt::format("{}: key {} cannot be imported: {}", what, key.name, gpgme_strerror(err)));
    gpgme_import_result_t imported = gpgme_op_import_result(ctx.get());
    if (imported == nullptr || (imported->imported == 0 && imported->unchanged == 0))
      return make_error(errc::invalid_keys, fmt::format("{}: key {} holds no OpenPGP public key", what, key.name));
  }

  auto sig = memory_data(signature);
  auto signed_text = memory_data(payload);
  if (!sig || !signed_text) return internal("reading the signature", 0);
  if (auto err = gpgme_op_verify(ctx.get(), sig.get(), signed_text.get(), nullptr); err != 0)
    return make_error(errc::malformed, fmt::format("{}: the OpenPGP signature cannot be read: {}", what, gpgme_strerror(err)));
  gpgme_verify_result_t verified = gpgme_op_verify_result(ctx.get());
  if (verified == nullptr || verified->signatures == nullptr)
    return make_error(errc::malformed, fmt::format("{}: the OpenPGP block holds no signature", what));
  if (verified->signatures->next != nullptr)
    return make_error(errc::malformed, fmt::format("{}: the OpenPGP block holds more than one signature", what));
  gpgme_signature_t s = verified->signatures;
  std::string key_id = s->fpr != nullptr ? s->fpr : "(no key id)";
  auto fail = [&](errc code, std::string_view why) {
    return make_error(code, fmt::format("{}: OpenPGP key {}: {}", what, key_id, why));
  };
  switch (gpgme_err_code(s->status)) {
    case GPG_ERR_NO_ERROR: break;
    case GPG_ERR_NO_PUBKEY: return fail(errc::unknown_key, "not among the trusted keys");
    case GPG_ERR_BAD_SIGNATURE: return fail(errc::bad_signature, "the signature does not match the signed content");
    case GPG_ERR_KEY_EXPIRED: return fail(errc::key_expired, "the key has expired");
    case GPG_ERR_SIG_EXPIRED: return fail(errc::key_expired, "the signature has expired");
    case GPG_ERR_CERT_REVOKED: return fail(errc::key_revoked, "the key has been revoked");
    default: return fail(errc::bad_signature, gpgme_strerror(s->status));
  }
  // A good signature may still be flagged by the summary (GPGME reports some states only there).
  if ((s->summary & GPGME_SIGSUM_KEY_REVOKED) != 0) return fail(errc::key_revoked, "the key has been revoked");
  if ((s->summary & GPGME_SIGSUM_KEY_EXPIRED) != 0) return fail(errc::key_expired, "the key has expired");
  if ((s->summary & GPGME_SIGSUM_SIG_EXPIRED) != 0) return fail(errc::key_expired, "the signature has expired");
  if ((s->summary & GPGME_SIGSUM_RED) != 0) return fail(errc::bad_signature, "the signature is marked bad");
  return key_id;
}

}  // namespace gitopsd::verify
