#pragma once
// Real signers for tests: OpenPGP keys made by gpg in a temporary GNUPGHOME and SSH keys made by
// ssh-keygen, used through `git commit -S` / `git tag -s` exactly as a user would.

#include "../git/local_repo.hpp"

#include <fstream>
#include <iterator>
#include <string>

namespace gitopsd::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// One gpg home with one key. `faked_time` (e.g. "20200101T000000") makes the key and every
// signature at that time, so a key that expired after a day signs validly and is expired now.
struct gpg_signer {
  std::filesystem::path home;
  std::filesystem::path program;  // wrapper git runs as gpg.program
  std::string fingerprint;

  gpg_signer(const std::filesystem::path& dir, const std::string& name, const std::string& expire = "1y",
             const std::string& faked_time = "")
      : home(dir / ("gnupg-" + name)), program(dir / ("gpg-" + name)) {
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    std::string fake = faked_time.empty() ? "" : " --faked-system-time " + faked_time + "!";
    std::ofstream(program) << "#!/bin/sh\nexec gpg --homedir '" << home.string() << "'" << fake << " \"$@\"\n";
    std::filesystem::permissions(program, std::filesystem::perms::owner_all);
    gpg("--batch --passphrase '' --quick-gen-key '" + name + " <" + name + "@example.com>' ed25519 sign " + expire);
    fingerprint = gpg("--batch --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}'");
  }
  ~gpg_signer() { std::system(("gpgconf --homedir '" + home.string() + "' --kill all >/dev/null 2>&1").c_str()); }
  gpg_signer(const gpg_signer&) = delete;
  gpg_signer& operator=(const gpg_signer&) = delete;

  std::string gpg(const std::string& args) const { return run("'" + program.string() + "' " + args); }
  [[nodiscard]] std::string public_key() const { return gpg("--armor --export " + fingerprint); }
  // Revokes the key with the certificate gpg made at generation time.
  void revoke() const {
    auto cert = home / "openpgp-revocs.d" / (fingerprint + ".rev");
    run("sed -i 's/^:-----BEGIN/-----BEGIN/' '" + cert.string() + "'");
    gpg("--batch --import '" + cert.string() + "'");
  }
  [[nodiscard]] std::string git_config() const {
    return "-c gpg.format=openpgp -c gpg.program='" + program.string() + "' -c user.signingkey=" + fingerprint + " ";
  }
};

struct ssh_signer {
  std::filesystem::path key;
  ssh_signer(const std::filesystem::path& dir, const std::string& name, const std::string& type_args) : key(dir / name) {
    run("ssh-keygen -q -N '' -C " + name + " " + type_args + " -f '" + key.string() + "'");
  }
  [[nodiscard]] std::string public_key() const { return slurp(key.string() + ".pub"); }
  [[nodiscard]] std::string fingerprint() const {
    auto line = run("ssh-keygen -l -E sha256 -f '" + key.string() + ".pub'");
    auto start = line.find("SHA256:");
    return line.substr(start, line.find(' ', start) - start);
  }
  [[nodiscard]] std::string git_config() const {
    return "-c gpg.format=ssh -c user.signingkey='" + key.string() + "' ";
  }
};

}  // namespace gitopsd::test
