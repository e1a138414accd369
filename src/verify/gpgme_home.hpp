#pragma once
// GPGME in a private, temporary GNUPGHOME (made with mkdtemp, removed with everything in it):
// only the keys imported there are known, never a user's or a shared keyring.

#include <gpgme.h>

#include <memory>
#include <string>
#include <string_view>

namespace gitopsd::gpgme_home {

void ensure_initialized();

class temp_home {
 public:
  temp_home();
  ~temp_home();
  temp_home(const temp_home&) = delete;
  temp_home& operator=(const temp_home&) = delete;
  // Empty when the folder could not be made.
  [[nodiscard]] const std::string& path() const { return path_; }
  // Stops the gpg-agent that secret-key operations start for this home (before it is removed).
  void stop_agent() const;

 private:
  std::string path_;
};

struct ctx_free {
  void operator()(gpgme_ctx_t c) const noexcept { gpgme_release(c); }
};
struct data_free {
  void operator()(gpgme_data_t d) const noexcept { gpgme_data_release(d); }
};
using ctx_ptr = std::unique_ptr<gpgme_context, ctx_free>;
using data_ptr = std::unique_ptr<gpgme_data, data_free>;

// A GPGME buffer over `bytes` (not copied: they must outlive it); null on failure.
data_ptr memory_data(std::string_view bytes);

// An OpenPGP context on `home`, or the GPGME error.
gpgme_error_t open_context(const temp_home& home, ctx_ptr& out);

}  // namespace gitopsd::gpgme_home
