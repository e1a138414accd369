// Verification of commits and tags signed at test time by the real tools (gpg, ssh-keygen via
// git), read from the repository the way the Git source reads them.
#include "gitopsd/git/signed_objects.hpp"
#include "gitopsd/verify/errc.hpp"
#include "gitopsd/verify/verify.hpp"
#include "signers.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace gitopsd;
using namespace gitopsd::test;
using verify::errc;

namespace {

verify::signed_object read(const work_repo& repo, const std::string& id) {
  auto obj = git::read_signed_object(repo.dir / ".git", id);
  REQUIRE(obj.has_value());
  return *obj;
}

verify::key_set keys(std::map<std::string, std::string> data) {
  auto k = verify::parse_key_set(data, "Secret test/keys");
  REQUIRE(k.has_value());
  return *k;
}

std::string signed_commit(const work_repo& repo, const std::string& config, const std::string& message) {
  repo.write("file.txt", message);
  repo.git("add -A");
  repo.git(config + "commit -q -S -m '" + message + "'");
  return repo.git("rev-parse HEAD");
}

// The signed commit's object with another message and the original signature kept.
std::string tampered_copy(const work_repo& repo, const std::string& id) {
  return repo.git("cat-file commit " + id + " | sed 's/^signed one$/signed two/' | git -C '" + repo.dir.string() +
                  "' hash-object -t commit -w --stdin");
}

// The signed commit's object rewritten by an awk program, written as a new commit object.
std::string crafted_copy(const work_repo& repo, const std::string& id, const std::string& awk_program) {
  return repo.git("cat-file commit " + id + " | awk '" + awk_program + "' | git -C '" + repo.dir.string() +
                  "' hash-object -t commit -w --stdin");
}

// awk: the gpgsig header (with its continuation lines) held in `sig` and left out of the output.
constexpr const char* hold_signature = "/^gpgsig /{s=1; sig=$0 \"\\n\"; next} s&&/^ /{sig=sig $0 \"\\n\"; next} {s=0} ";

// True when verified; otherwise the reason is shown with the failure.
bool ok(const result<std::string>& r) {
  if (!r) UNSCOPED_INFO(r.error().what());
  return r.has_value();
}

}  // namespace

TEST_CASE("SSH: commits signed with ed25519, ECDSA and RSA keys verify and name the key") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  for (auto [name, args] : {std::pair{"ed", "-t ed25519"}, std::pair{"p256", "-t ecdsa -b 256"},
                            std::pair{"p384", "-t ecdsa -b 384"}, std::pair{"p521", "-t ecdsa -b 521"},
                            std::pair{"rsa", "-t rsa -b 3072"}}) {
    INFO(name);
    ssh_signer signer(dir.path, name, args);
    auto id = signed_commit(repo, signer.git_config(), std::string("by ") + name);
    auto who = verify::verify_object(read(repo, id), keys({{"team.pub", signer.public_key()}}));
    REQUIRE(ok(who));
    CHECK(*who == "SSH " + signer.fingerprint());
  }
}

TEST_CASE("SSH: RSA signatures with SHA-512 verify") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  ssh_signer signer(dir.path, "rsa", "-t rsa -b 2048");
  // ssh-keygen -Y sign picks rsa-sha2-512 for RSA keys; the format is checked by the verifier.
  auto id = signed_commit(repo, signer.git_config(), "rsa");
  auto obj = read(repo, id);
  auto sig = verify::parse_sshsig(obj.signature);
  REQUIRE(sig.has_value());
  CHECK(ok(verify::verify_object(obj, keys({{"a.pub", signer.public_key()}}))));
}

TEST_CASE("SSH: a commit signed by another key, a tampered commit and an unsigned commit fail") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  ssh_signer trusted(dir.path, "trusted", "-t ed25519");
  ssh_signer other(dir.path, "other", "-t ed25519");
  auto trusted_keys = keys({{"trusted.pub", trusted.public_key()}});

  auto by_other = verify::verify_object(read(repo, signed_commit(repo, other.git_config(), "other")), trusted_keys);
  REQUIRE(!by_other);
  CHECK(by_other.error().code == errc::unknown_key);
  CHECK(by_other.error().what().find(other.fingerprint()) != std::string::npos);

  auto good = signed_commit(repo, trusted.git_config(), "signed one");
  REQUIRE(ok(verify::verify_object(read(repo, good), trusted_keys)));
  auto forged = tampered_copy(repo, good);
  REQUIRE(forged != good);
  auto tampered = verify::verify_object(read(repo, forged), trusted_keys);
  REQUIRE(!tampered);
  CHECK(tampered.error().code == errc::bad_signature);
  CHECK(tampered.error().what().find("commit " + forged.substr(0, 12)) != std::string::npos);

  auto plain = repo.commit("unsigned");
  auto unsigned_result = verify::verify_object(read(repo, plain), trusted_keys);
  REQUIRE(!unsigned_result);
  CHECK(unsigned_result.error().code == errc::unsigned_object);
  CHECK(unsigned_result.error().what() == "commit " + plain.substr(0, 12) + " is not signed");
}

TEST_CASE("SSH: a signed annotated tag verifies in Tag mode, and a lightweight tag has nothing to verify") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  ssh_signer signer(dir.path, "tagger", "-t ed25519");
  auto commit = repo.commit("plain");
  repo.git(signer.git_config() + "tag -s v1.0.0 -m release");
  auto tag_id = repo.git("rev-parse refs/tags/v1.0.0");
  auto tag = read(repo, tag_id);
  CHECK(tag.kind == verify::signed_object::type::tag);
  CHECK(tag.name == "v1.0.0");
  auto k = keys({{"t.pub", signer.public_key()}});
  verify::revision_objects objects{read(repo, commit), tag, "v1.0.0"};
  auto who = verify::verify_revision(verify::mode::tag, objects, k);
  REQUIRE(ok(who));
  CHECK(*who == "tag v1.0.0 (" + tag_id.substr(0, 12) + ") by SSH " + signer.fingerprint());
  // TagAndHEAD also needs the (unsigned) commit signed.
  auto both = verify::verify_revision(verify::mode::tag_and_head, objects, k);
  REQUIRE(!both);
  CHECK(both.error().code == errc::unsigned_object);
  auto lightweight = verify::verify_revision(verify::mode::tag, {read(repo, commit), std::nullopt, ""}, k);
  REQUIRE(!lightweight);
  CHECK(lightweight.error().what().find("annotated tag") != std::string::npos);
}

TEST_CASE("Tag mode: a good tag signature does not vouch for another commit or under another name") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  ssh_signer signer(dir.path, "tagger", "-t ed25519");
  auto released = repo.commit("released");
  repo.git(signer.git_config() + "tag -s v1.0.0 -m release");
  auto tag = read(repo, repo.git("rev-parse refs/tags/v1.0.0"));
  CHECK(tag.target == released);
  auto k = keys({{"t.pub", signer.public_key()}});
  // A server advertising the signed tag beside another commit as its peeled value.
  auto other = repo.commit("not released");
  auto swapped = verify::verify_revision(verify::mode::tag, {read(repo, other), tag, "v1.0.0"}, k);
  REQUIRE(!swapped);
  CHECK(swapped.error().code == errc::mismatch);
  CHECK(swapped.error().what().find("not to the commit applied " + other.substr(0, 12)) != std::string::npos);
  // An old release's signed tag pushed again as a newer name.
  auto replayed = verify::verify_revision(verify::mode::tag, {read(repo, released), tag, "v9.9.9"}, k);
  REQUIRE(!replayed);
  CHECK(replayed.error().code == errc::mismatch);
  CHECK(replayed.error().what().find("selected as tag v9.9.9") != std::string::npos);
  CHECK(ok(verify::verify_revision(verify::mode::tag, {read(repo, released), tag, "v1.0.0"}, k)));
}

TEST_CASE("OpenPGP: a commit signed with gpg verifies in a private keyring and names the fingerprint") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  gpg_signer signer(dir.path, "alice");
  auto id = signed_commit(repo, signer.git_config(), "signed one");
  auto k = keys({{"alice.asc", signer.public_key()}});
  auto who = verify::verify_object(read(repo, id), k);
  REQUIRE(ok(who));
  CHECK(*who == "OpenPGP " + signer.fingerprint);

  auto forged = verify::verify_object(read(repo, tampered_copy(repo, id)), k);
  REQUIRE(!forged);
  CHECK(forged.error().code == errc::bad_signature);
}

TEST_CASE("OpenPGP: signed tags verify, and another key's signature is unknown") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  gpg_signer alice(dir.path, "alice");
  gpg_signer mallory(dir.path, "mallory");
  repo.commit("plain");
  repo.git(alice.git_config() + "tag -s v2.0.0 -m release");
  auto tag = read(repo, repo.git("rev-parse refs/tags/v2.0.0"));
  auto who = verify::verify_object(tag, keys({{"alice.asc", alice.public_key()}}));
  REQUIRE(ok(who));
  CHECK(*who == "OpenPGP " + alice.fingerprint);

  auto id = signed_commit(repo, mallory.git_config(), "by mallory");
  auto unknown = verify::verify_object(read(repo, id), keys({{"alice.asc", alice.public_key()}}));
  REQUIRE(!unknown);
  CHECK(unknown.error().code == errc::unknown_key);
  // gpg names the issuer by fingerprint (or its long key id, the fingerprint's tail).
  CHECK(mallory.fingerprint.find(unknown.error().what().substr(unknown.error().what().find("OpenPGP key ") + 12, 16)) !=
        std::string::npos);
  // No SSH key trusted at all: an OpenPGP signature is refused the same way.
  ssh_signer s(dir.path, "s", "-t ed25519");
  auto no_pgp = verify::verify_object(read(repo, id), keys({{"s.pub", s.public_key()}}));
  REQUIRE(!no_pgp);
  CHECK(no_pgp.error().code == errc::unknown_key);
}

TEST_CASE("OpenPGP: signatures by expired and revoked keys are refused") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  gpg_signer expired(dir.path, "old", "1d", "20200101T000000");
  auto old_commit = signed_commit(repo, expired.git_config(), "made in 2020");
  auto e = verify::verify_object(read(repo, old_commit), keys({{"old.asc", expired.public_key()}}));
  REQUIRE(!e);
  CHECK(e.error().code == errc::key_expired);
  CHECK(e.error().what().find(expired.fingerprint) != std::string::npos);

  gpg_signer revoked(dir.path, "gone");
  auto id = signed_commit(repo, revoked.git_config(), "before revocation");
  REQUIRE(ok(verify::verify_object(read(repo, id), keys({{"gone.asc", revoked.public_key()}}))));
  revoked.revoke();
  auto r = verify::verify_object(read(repo, id), keys({{"gone.asc", revoked.public_key()}}));
  REQUIRE(!r);
  CHECK(r.error().code == errc::key_revoked);
}

TEST_CASE("key sets: .asc and .pub keys are read, others ignored, private and empty sets refused") {
  temp_dir dir;
  ssh_signer s(dir.path, "k", "-t ed25519");
  auto set = verify::parse_key_set({{"a.pub", s.public_key()}, {"README", "ignored"}}, "Secret ns/keys");
  REQUIRE(set.has_value());
  CHECK(set->ssh.size() == 1);
  auto none = verify::parse_key_set({{"README", "x"}}, "Secret ns/keys");
  REQUIRE(!none);
  CHECK(none.error().what() == "Secret ns/keys holds no key ending in .asc (OpenPGP) or .pub (SSH)");
  auto priv = verify::parse_key_set({{"a.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n"}}, "Secret ns/keys");
  REQUIRE(!priv);
  CHECK(priv.error().what().find("private key") != std::string::npos);
  CHECK(priv.error().what().find("BEGIN") == std::string::npos);
  CHECK(!verify::parse_key_set({{"a.asc", "junk"}}, "Secret ns/keys"));
  CHECK(!verify::parse_key_set({{"a.pub", "junk"}}, "Secret ns/keys"));
}

TEST_CASE("OpenPGP: the temporary keyring is removed after each verification") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  gpg_signer signer(dir.path, "alice");
  auto id = signed_commit(repo, signer.git_config(), "x");
  // A temporary folder of this test's own: other tests verifying in parallel use the shared one.
  auto own_tmp = dir.path / "tmp";
  std::filesystem::create_directories(own_tmp);
  const char* old_tmpdir = std::getenv("TMPDIR");
  std::string saved = old_tmpdir != nullptr ? old_tmpdir : "";
  ::setenv("TMPDIR", own_tmp.c_str(), 1);
  auto result = verify::verify_object(read(repo, id), keys({{"alice.asc", signer.public_key()}}));
  if (old_tmpdir != nullptr) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
  REQUIRE(ok(result));
  CHECK(std::filesystem::is_empty(own_tmp));
}

TEST_CASE("commits: only the gpgsig header signs, and a gpgsig line in the message or a second header is refused") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  ssh_signer trusted(dir.path, "trusted", "-t ed25519");
  auto k = keys({{"trusted.pub", trusted.public_key()}});
  auto good = signed_commit(repo, trusted.git_config(), "signed one");
  REQUIRE(ok(verify::verify_object(read(repo, good), k)));

  // The signature moved from the header to the end of the message: another commit (same tree),
  // which a search of the whole text for "gpgsig" would find signed by the trusted key.
  auto moved = crafted_copy(repo, good, std::string(hold_signature) + "{print} END{printf \"%s\", sig}");
  REQUIRE(repo.git("cat-file -p " + moved).find("\ngpgsig -----BEGIN SSH SIGNATURE-----") != std::string::npos);
  auto in_message = verify::verify_object(read(repo, moved), k);
  REQUIRE(!in_message);
  CHECK(in_message.error().code == errc::malformed);
  CHECK(in_message.error().what() == "commit " + moved.substr(0, 12) +
                                         ": its message holds a line that starts a signature or a gpgsig header; only "
                                         "the gpgsig header may sign");

  // The same header twice.
  auto twice = crafted_copy(repo, good, std::string(hold_signature) + "sig!=\"\"&&!done{printf \"%s%s\", sig, sig; done=1} {print}");
  auto two = verify::verify_object(read(repo, twice), k);
  REQUIRE(!two);
  CHECK(two.error().code == errc::malformed);
  CHECK(two.error().what() == "commit " + twice.substr(0, 12) + ": it carries more than one gpgsig header");

  // Put back where it was, byte for byte, the commit is the original and verifies.
  auto restored = crafted_copy(repo, good, std::string(hold_signature) + "sig!=\"\"&&!done{printf \"%s\", sig; done=1} {print}");
  CHECK(restored == good);
}
