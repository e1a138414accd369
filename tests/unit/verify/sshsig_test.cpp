// The sshsig parser and authorized_keys reader on hand-made input: every malformed shape fails
// with errc::malformed / invalid_keys before anything is verified.
#include "gitopsd/core/base64.hpp"
#include "gitopsd/verify/errc.hpp"
#include "gitopsd/verify/signed_object.hpp"
#include "gitopsd/verify/ssh.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using namespace gitopsd;
using namespace gitopsd::verify;

namespace {

std::string u32(std::uint32_t n) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (24 - 8 * i)) & 0xff);
  return out;
}
std::string str(std::string_view s) { return u32(static_cast<std::uint32_t>(s.size())) + std::string(s); }

std::string armor(std::string_view blob) {
  return "-----BEGIN SSH SIGNATURE-----\n" + base64_encode(blob) + "\n-----END SSH SIGNATURE-----\n";
}

std::string ed25519_key() { return str("ssh-ed25519") + str(std::string(32, 'k')); }

std::string blob(std::string_view ns = "git", std::string_view hash = "sha512", std::string_view magic = "SSHSIG",
                 std::uint32_t version = 1) {
  return std::string(magic) + u32(version) + str(ed25519_key()) + str(ns) + str("") + str(hash) +
         str(str("ssh-ed25519") + str(std::string(64, 's')));
}

}  // namespace

TEST_CASE("sshsig: a well-formed block parses into its fields") {
  auto sig = parse_sshsig(armor(blob()));
  REQUIRE(sig.has_value());
  CHECK(sig->namespace_ == "git");
  CHECK(sig->hash_algorithm == "sha512");
  CHECK(sig->public_key == ed25519_key());
}

TEST_CASE("sshsig: wrong magic, version, namespace and hash are refused") {
  CHECK(parse_sshsig(armor(blob("git", "sha512", "SSHSIH"))).error().code == errc::malformed);
  CHECK(parse_sshsig(armor(blob("git", "sha512", "SSHSIG", 2))).error().what().find("version 2") != std::string::npos);
  auto ns = parse_sshsig(armor(blob("file")));
  REQUIRE(!ns);
  CHECK(ns.error().what().find("namespace is \"file\"") != std::string::npos);
  CHECK(parse_sshsig(armor(blob("git", "md5"))).error().code == errc::malformed);
}

TEST_CASE("sshsig: every truncation of a valid blob is refused, none reads past the end") {
  std::string full = blob();
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("truncated to " << n);
    auto sig = parse_sshsig(armor(full.substr(0, n)));
    REQUIRE(!sig);
    CHECK(sig.error().code == errc::malformed);
  }
}

TEST_CASE("sshsig: lengths larger than the data, trailing bytes and broken armor are refused") {
  std::string huge = std::string("SSHSIG") + u32(1) + u32(0xffffffffu) + "x";
  CHECK(!parse_sshsig(armor(huge)));
  CHECK(parse_sshsig(armor(blob() + "extra")).error().what().find("trailing") != std::string::npos);
  CHECK(!parse_sshsig("-----BEGIN SSH SIGNATURE-----\nAAAA"));  // no END line
  CHECK(!parse_sshsig("-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n"));
  CHECK(!parse_sshsig("no block at all"));
  CHECK(!parse_sshsig(armor(std::string(70000, 'a'))));  // over the size bound
}

TEST_CASE("sshsig: a signature by an unlisted key names its fingerprint") {
  auto sig = parse_sshsig(armor(blob()));
  REQUIRE(sig.has_value());
  auto r = verify_sshsig(*sig, "payload", {}, "commit 123456789abc");
  REQUIRE(!r);
  CHECK(r.error().code == errc::unknown_key);
  CHECK(r.error().what().find(ssh_fingerprint(ed25519_key())) != std::string::npos);
  CHECK(r.error().what().find("commit 123456789abc") != std::string::npos);
}

TEST_CASE("sshsig: a listed key with a forged signature does not verify") {
  auto sig = parse_sshsig(armor(blob()));
  REQUIRE(sig.has_value());
  std::vector<ssh_public_key> keys{{"ssh-ed25519", ed25519_key(), ssh_fingerprint(ed25519_key())}};
  auto r = verify_sshsig(*sig, "payload", keys, "commit x");
  REQUIRE(!r);
  // 'k'*32 is not a valid point for every OpenSSL build: either refused or not verifying.
  CHECK((r.error().code == errc::bad_signature || r.error().code == errc::malformed));
}

TEST_CASE("authorized_keys: keys and comments are read, and bad lines are named") {
  std::string line = "ssh-ed25519 " + base64_encode(ed25519_key()) + " someone@example";
  auto keys = parse_authorized_keys("# team keys\n\n" + line + "\n\t" + line + "\r\n", "Secret s key a.pub");
  REQUIRE(keys.has_value());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].fingerprint == ssh_fingerprint(ed25519_key()));

  auto mismatch = parse_authorized_keys("ssh-rsa " + base64_encode(ed25519_key()), "k.pub");
  REQUIRE(!mismatch);
  CHECK(mismatch.error().what().find("k.pub line 1") != std::string::npos);
  CHECK(!parse_authorized_keys("ssh-ed25519 ***", "k.pub"));
  CHECK(!parse_authorized_keys("ssh-ed25519", "k.pub"));
  CHECK(!parse_authorized_keys("not-a-key AAAA", "k.pub"));
  auto sk = parse_authorized_keys("sk-ssh-ed25519@openssh.com AAAA", "k.pub");
  REQUIRE(!sk);
  CHECK(sk.error().what().find("not supported") != std::string::npos);
}

TEST_CASE("authorized_keys: a line with options is refused, naming the Secret key and the line") {
  std::string line = "ssh-ed25519 " + base64_encode(ed25519_key()) + " ca@example";
  for (const auto* options : {"cert-authority", "restrict,command=\"echo a b\"", "principals=\"alice\"", "no-pty"}) {
    INFO(options);
    auto refused = parse_authorized_keys("# keys\n" + line + "\n" + options + " " + line + "\n", "Secret team/keys key ci.pub");
    REQUIRE(!refused);
    CHECK(refused.error().code == errc::invalid_keys);
    CHECK(refused.error().what() ==
          "Secret team/keys key ci.pub line 3: authorized_keys options before the key are not supported; list the key "
          "without them");
  }
}

TEST_CASE("tag objects split at their last signature block") {
  std::string head = "object 1\ntype commit\ntag v1\ntagger a <a> 1 +0000\n\nmessage\n";
  auto pgp = split_tag_signature(head + "-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n");
  CHECK(pgp.payload == head);
  CHECK(pgp.signature.starts_with("-----BEGIN PGP SIGNATURE-----"));
  auto none = split_tag_signature(head);
  CHECK(none.payload == head);
  CHECK(none.signature.empty());
  auto quoted = split_tag_signature("a -----BEGIN SSH SIGNATURE----- in text\n");
  CHECK(quoted.signature.empty());
}

TEST_CASE("commit objects: the gpgsig headers are removed and nothing else, and ambiguous objects are named") {
  std::string head = "tree 1\nparent 2\nauthor a <a> 1 +0000\ncommitter a <a> 1 +0000\n";
  std::string sig = "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n";
  std::string body = "\nmessage\n\n gpgsig indented is text\ngpgsigning is a word\n";
  auto parts = split_commit_signature(head + sig + body);
  CHECK(parts.problem.empty());
  CHECK(parts.payload == head + body);
  CHECK(parts.signature == "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n");
  // A signature header for the other hash is not signed content either; other continuations stay.
  std::string mergetag = "mergetag object 3\n type commit\n -----BEGIN PGP SIGNATURE-----\n -----END PGP SIGNATURE-----\n";
  auto both = split_commit_signature(head + mergetag + sig + "gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n x\n" + body);
  CHECK(both.problem.empty());
  CHECK(both.payload == head + mergetag + body);
  auto unsigned_parts = split_commit_signature(head + body);
  CHECK(unsigned_parts.signature.empty());
  CHECK(unsigned_parts.payload == head + body);
  CHECK(unsigned_parts.problem.empty());

  CHECK(split_commit_signature(head + sig + sig + body).problem == "it carries more than one gpgsig header");
  CHECK(split_commit_signature(head + sig + "gpgsig-sha256 a\ngpgsig-sha256 b\n" + body).problem ==
        "it carries more than one gpgsig-sha256 header");
  CHECK(split_commit_signature(head + "gpgsig\n" + body).problem == "its gpgsig header is empty");
  CHECK(split_commit_signature(head + "-----BEGIN PGP SIGNATURE-----\n" + body).problem ==
        "a header line starts a signature outside the gpgsig header");
  for (const auto* line : {"gpgsig x", "gpgsig-sha256 x", "-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"}) {
    INFO(line);
    auto quoted = split_commit_signature(head + sig + body + line + "\n");
    CHECK(quoted.problem.starts_with("its message holds a line that starts a signature"));
  }
}
