#include "data_key_source.hpp"

#include "../verify/gpgme_home.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <fstream>

namespace gitopsd::decrypt {

struct data_key_source::openpgp_session {
  gpgme_home::temp_home home;
  gpgme_home::ctx_ptr ctx;
  std::string problem;  // why the session cannot decrypt; empty when it can
  ~openpgp_session() { home.stop_agent(); }
};

namespace {

// A passphrase would need a person: keys for an agent in a cluster must have none.
gpgme_error_t refuse_passphrase(void*, const char*, const char*, int, int) { return GPG_ERR_CANCELED; }

std::string join(const std::vector<wrapped_key>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += k.id.empty() ? "(unnamed)" : k.id;
  }
  return out;
}

}  // namespace

data_key_source::data_key_source(const keyring& keys) : keys_(keys) {}
data_key_source::~data_key_source() = default;

result<std::string> data_key_source::open_openpgp(const std::string& message) {
  using namespace gpgme_home;
  if (!openpgp_) {
    ensure_initialized();
    openpgp_ = std::make_unique<openpgp_session>();
    auto& s = *openpgp_;
    if (s.home.path().empty()) {
      s.problem = "cannot create a temporary keyring";
    } else {
      // max-output: a data key is 32 bytes; a compressed message may hold gigabytes.
      std::ofstream(s.home.path() + "/gpg.conf") << "no-auto-key-retrieve\npinentry-mode loopback\nmax-output 1024\n";
      if (auto err = open_context(s.home, s.ctx); err != 0) {
        s.problem = fmt::format("opening the keyring: {}", gpgme_strerror(err));
      } else {
        gpgme_set_pinentry_mode(s.ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
        gpgme_set_passphrase_cb(s.ctx.get(), refuse_passphrase, nullptr);
        for (const auto& key : keys_.openpgp) {
          auto data = memory_data(key.armored);
          gpgme_error_t failed = data ? gpgme_op_import(s.ctx.get(), data.get()) : gpgme_error(GPG_ERR_ENOMEM);
          gpgme_import_result_t imported = failed == 0 ? gpgme_op_import_result(s.ctx.get()) : nullptr;
          if (failed != 0 || imported == nullptr || imported->secret_read == 0) {
            s.problem = fmt::format("OpenPGP key {} cannot be imported as a secret key{}{}", key.name,
                                    failed != 0 ? ": " : "", failed != 0 ? gpgme_strerror(failed) : "");
            break;
          }
        }
      }
    }
  }
  if (!openpgp_->problem.empty()) return make_error(errc::invalid_identity, openpgp_->problem);
  auto cipher = gpgme_home::memory_data(message);
  gpgme_data_t plain_raw = nullptr;
  if (!cipher || gpgme_data_new(&plain_raw) != 0) return make_error(errc::internal, "OpenPGP: out of memory");
  gpgme_home::data_ptr plain(plain_raw);
  if (auto err = gpgme_op_decrypt(openpgp_->ctx.get(), cipher.get(), plain.get()); err != 0) {
    auto code = gpgme_err_code(err);
    if (code == GPG_ERR_CANCELED || code == GPG_ERR_BAD_PASSPHRASE || code == GPG_ERR_NO_PASSPHRASE)
      return make_error(errc::invalid_identity, "an OpenPGP key that opens the data key has a passphrase; keys for the "
                                                "agent must have none");
    return make_error(errc::no_identity, fmt::format("OpenPGP: {}", gpgme_strerror(err)));
  }
  std::size_t n = 0;
  char* bytes = gpgme_data_release_and_get_mem(plain.release(), &n);
  std::string out(bytes != nullptr ? bytes : "", bytes != nullptr ? n : 0);
  if (bytes != nullptr) {
    OPENSSL_cleanse(bytes, n);
    gpgme_free(bytes);
  }
  return out;
}

result<data_key> data_key_source::unwrap(const sops_metadata& md) {
  constexpr std::size_t key_size = std::tuple_size_v<data_key>;
  auto take = [](std::string& bytes) {
    data_key k{};
    std::copy(bytes.begin(), bytes.end(), k.begin());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return k;
  };
  std::string last_problem;
  // Only entries for one of our recipients are opened, each with that identity alone: a file may
  // list many entries of many stanzas, and each attempt costs an X25519 exchange.
  for (const auto& wrapped : md.age) {
    for (const auto& id : keys_.age) {
      if (id.recipient != wrapped.id) continue;
      auto bytes = age_decrypt(wrapped.enc, {id}, key_size);
      if (bytes && bytes->size() == key_size) return take(*bytes);
      last_problem = bytes ? "an age-wrapped data key is not 32 bytes" : bytes.error().what();
    }
  }
  if (!keys_.openpgp.empty()) {
    for (const auto& wrapped : md.openpgp) {
      auto bytes = open_openpgp(wrapped.enc);
      if (bytes && bytes->size() == key_size) return take(*bytes);
      if (!bytes && bytes.error().code == errc::invalid_identity) return bytes.error();
      last_problem = bytes ? "an OpenPGP-wrapped data key is not 32 bytes" : bytes.error().what();
    }
  }
  std::string wrapped_for;
  if (!md.age.empty()) wrapped_for += fmt::format("age recipients {}", join(md.age));
  if (!md.openpgp.empty()) wrapped_for += fmt::format("{}OpenPGP keys {}", wrapped_for.empty() ? "" : "; ", join(md.openpgp));
  for (const auto& service : md.other_services)
    wrapped_for += fmt::format("{}{} (not supported)", wrapped_for.empty() ? "" : "; ", service);
  if (wrapped_for.empty()) wrapped_for = "no key";
  auto count = [](std::size_t n, std::string_view one, std::string_view many) { return fmt::format("{} {}", n, n == 1 ? one : many); };
  return make_error(errc::no_identity, fmt::format("no decryption key opens the data key (wrapped for {}; the keys given: "
                                                   "{}, {}){}{}",
                                                   wrapped_for, count(keys_.age.size(), "age identity", "age identities"),
                                                   count(keys_.openpgp.size(), "OpenPGP key", "OpenPGP keys"),
                                                   last_problem.empty() ? "" : ": ", last_problem));
}

}  // namespace gitopsd::decrypt
