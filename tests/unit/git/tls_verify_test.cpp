// The ca.crt check of HTTPS servers, with certificates made by the openssl CLI.

#include "../../../src/git/tls_verify.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>

using gitopsd::git::verify_with_ca;
using gitopsd::test::run;
using gitopsd::test::temp_dir;

namespace {

struct pki {
  temp_dir tmp;
  std::string dir() const { return tmp.path.string(); }
  void ca(const std::string& name) {
    run("cd '" + dir() + "' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " +
        name + ".key -out " + name + ".crt -addext basicConstraints=critical,CA:TRUE "
        "-addext keyUsage=critical,keyCertSign 2>/dev/null");
  }
  // A leaf for `san` signed by `ca`, in DER.
  std::string leaf(const std::string& ca, const std::string& name, const std::string& san) {
    run("cd '" + dir() + "' && openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + name +
        ".key -out " + name + ".csr 2>/dev/null && printf 'subjectAltName=" + san + "\\n' > " + name +
        ".ext && openssl x509 -req -days 1 -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
        ".key -CAcreateserial -extfile " + name + ".ext -outform DER -out " + name + ".der 2>/dev/null");
    return gitopsd::test::run("cat '" + dir() + "/" + name + ".der' | base64 -w0");
  }
  std::string file(const std::string& name) { return run("cat '" + dir() + "/" + name + "'"); }
};

std::string unbase64(const std::string& b64, const std::string& dir) {
  run("printf '%s' '" + b64 + "' | base64 -d > '" + dir + "/tmp.der'");
  std::ifstream in(dir + "/tmp.der", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a server certificate is checked against ca.crt and the host name", "[tls]") {
  pki p;
  p.ca("root");
  p.ca("other");
  const std::string der = unbase64(p.leaf("root", "srv", "DNS:git.example.com,IP:10.0.0.7"), p.dir());
  const std::string root = p.file("root.crt"), other = p.file("other.crt");

  CHECK_FALSE(verify_with_ca(der, root, "git.example.com").has_value());
  CHECK_FALSE(verify_with_ca(der, root, "10.0.0.7").has_value());
  CHECK_FALSE(verify_with_ca(der, other + "\n" + root, "git.example.com").has_value());  // a bundle
  CHECK(verify_with_ca(der, root, "evil.example.com") == std::optional<std::string>("hostname mismatch"));
  CHECK(verify_with_ca(der, root, "10.0.0.8") == std::optional<std::string>("IP address mismatch"));
  CHECK(verify_with_ca(der, other, "git.example.com") ==
        std::optional<std::string>("unable to get local issuer certificate"));
  CHECK(verify_with_ca(der, "not a certificate", "git.example.com") ==
        std::optional<std::string>("ca.crt holds no PEM certificate"));
  CHECK(verify_with_ca("garbage", root, "git.example.com") ==
        std::optional<std::string>("the server certificate cannot be parsed"));
}
