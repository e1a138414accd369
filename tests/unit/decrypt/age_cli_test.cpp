// Our age code against the real age tools in both directions: files age writes, binary and
// armored, decrypt with our code; files we write decrypt with `age -d`; keys agree both ways.
#include "age_cli.hpp"
#include "age_fixture.hpp"
#include "gitopsd/decrypt/errc.hpp"

using namespace gitopsd;
using namespace gitopsd::decrypt;
using gitopsd::test::age_cli;
using gitopsd::test::plaintext_of_size;

namespace {

constexpr std::size_t no_limit = 1 << 24;
const std::vector<std::size_t> sizes{0, 1, 65536, 65537, 100000};

std::vector<age_identity> identities_in(const age_cli& cli, const std::string& name) {
  auto ids = parse_age_identities(cli.read(name), name);
  REQUIRE(ids);
  return *ids;
}

}  // namespace

TEST_CASE("age tool: files age encrypts, binary and armored, decrypt with our code") {
  age_cli cli;
  auto recipient = cli.keygen("key.txt");
  auto ids = identities_in(cli, "key.txt");  // age-keygen's comment lines included
  REQUIRE(ids.size() == 1);
  CHECK(ids[0].recipient == recipient);
  for (auto size : sizes) {
    for (bool armored : {false, true}) {
      INFO("size " << size << (armored ? " armored" : " binary"));
      auto plain = plaintext_of_size(size);
      auto file = cli.run_tool("age", std::string(armored ? "-a " : "") + "-r " + recipient, plain);
      CHECK((file.rfind(armored ? "-----BEGIN AGE" : "age-encryption.org/v1", 0) == 0));
      auto back = age_decrypt(file, ids, no_limit);
      REQUIRE(back);
      CHECK(*back == plain);
    }
  }
}

TEST_CASE("age tool: files we encrypt, binary and armored, decrypt with age") {
  age_cli cli;
  auto recipient = cli.keygen("key.txt");
  for (auto size : sizes) {
    for (bool armored : {false, true}) {
      INFO("size " << size << (armored ? " armored" : " binary"));
      auto plain = plaintext_of_size(size);
      auto file = age_encrypt(plain, {recipient}, armored);
      REQUIRE(file);
      CHECK(cli.run_tool("age", "-d -i '" + cli.path("key.txt").string() + "'", *file) == plain);
    }
  }
}

TEST_CASE("age tool: our generated identity works with age and derives age-keygen's recipient") {
  age_cli cli;
  auto text = age_generate_identity();
  REQUIRE(text);
  cli.write("ours.txt", *text + "\n");
  auto ids = identities_in(cli, "ours.txt");
  CHECK(ids.at(0).recipient == cli.recipient_of("ours.txt"));

  auto plain = plaintext_of_size(70000);
  auto by_age = cli.run_tool("age", "-a -r " + ids[0].recipient, plain);
  auto back = age_decrypt(by_age, ids, no_limit);
  REQUIRE(back);
  CHECK(*back == plain);
  auto by_us = age_encrypt(plain, {ids[0].recipient}, false);
  REQUIRE(by_us);
  CHECK(cli.run_tool("age", "-d -i '" + cli.path("ours.txt").string() + "'", *by_us) == plain);
}

TEST_CASE("age tool: a file for two recipients decrypts with either identity") {
  age_cli cli;
  auto a = cli.keygen("a.txt"), b = cli.keygen("b.txt"), c = cli.keygen("c.txt");
  auto file = cli.run_tool("age", "-r " + a + " -r " + b, "data key");
  for (const char* key : {"a.txt", "b.txt"}) {
    auto back = age_decrypt(file, identities_in(cli, key), no_limit);
    REQUIRE(back);
    CHECK(*back == "data key");
  }
  auto wrong = age_decrypt(file, identities_in(cli, "c.txt"), no_limit);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "no identity matches any of the file's 2 X25519 recipients");
  // And the same from our side: age decrypts our two-recipient file with either key.
  auto ours = age_encrypt("data key", {a, b}, true);
  REQUIRE(ours);
  for (const char* key : {"a.txt", "b.txt"})
    CHECK(cli.run_tool("age", "-d -i '" + cli.path(key).string() + "'", *ours) == "data key");
}

TEST_CASE("age tool: an ssh-ed25519 stanza beside the X25519 one is skipped") {
  age_cli cli;
  auto recipient = cli.keygen("key.txt");
  gitopsd::test::run("ssh-keygen -q -N '' -t ed25519 -f '" + cli.path("ssh").string() + "'");
  auto file = cli.run_tool("age", "-R '" + cli.path("ssh.pub").string() + "' -r " + recipient, "mixed");
  CHECK(file.find("-> ssh-ed25519 ") != std::string::npos);
  auto back = age_decrypt(file, identities_in(cli, "key.txt"), no_limit);
  REQUIRE(back);
  CHECK(*back == "mixed");
  cli.keygen("other.txt");
  auto wrong = age_decrypt(file, identities_in(cli, "other.txt"), no_limit);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "no identity matches any of the file's 1 X25519 recipient");
}

TEST_CASE("age tool: armor whose last line is a full 64 columns reads both ways") {
  age_cli cli;
  auto recipient = cli.keygen("key.txt");
  auto ids = identities_in(cli, "key.txt");
  // Pick the plaintext size that makes the binary file a whole number of 48-byte armor lines.
  auto empty = age_encrypt("", {recipient}, false);
  REQUIRE(empty);
  auto size = (48 - empty->size() % 48) % 48;
  auto plain = plaintext_of_size(size);
  auto ours = age_encrypt(plain, {recipient}, true);
  REQUIRE(ours);
  auto last_data = ours->rfind('\n', ours->rfind("-----END") - 2) + 1;
  CHECK(ours->find('\n', last_data) - last_data == 64);
  CHECK(cli.run_tool("age", "-d -i '" + cli.path("key.txt").string() + "'", *ours) == plain);
  auto theirs = cli.run_tool("age", "-a -r " + recipient, plain);
  auto back = age_decrypt(theirs, ids, no_limit);
  REQUIRE(back);
  CHECK(*back == plain);
}
