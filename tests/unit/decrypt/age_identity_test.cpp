// Reading age identity files: keys, comments and blank lines; errors name the source and line,
// never the line itself.
#include "../render/print_error.hpp"
#include "gitopsd/decrypt/age.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <catch2/catch.hpp>

#include <cctype>

using namespace gitopsd;
using namespace gitopsd::decrypt;

namespace {

// A fixed identity and the recipient `age-keygen -y` prints for it.
constexpr std::string_view known_identity =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
constexpr std::string_view known_recipient = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

}  // namespace

TEST_CASE("an identity file yields its keys and skips comments and blank lines") {
  auto a = age_generate_identity();
  auto b = age_generate_identity();
  REQUIRE(a);
  REQUIRE(b);
  std::string text = "# created: 2024-01-01T00:00:00Z\n# public key: age1...\n" + *a + "\n\n   \r\n" + *b + "\r\n";
  auto ids = parse_age_identities(text, "keys.agekey");
  REQUIRE(ids);
  REQUIRE(ids->size() == 2);
  CHECK((*ids)[0].recipient.rfind("age1", 0) == 0);
  CHECK((*ids)[0].recipient != (*ids)[1].recipient);
  CHECK((*ids)[0].secret != (*ids)[1].secret);
}

TEST_CASE("an identity's recipient is derived from its secret") {
  auto ids = parse_age_identities(known_identity, "k");
  REQUIRE(ids);
  CHECK(ids->at(0).recipient == known_recipient);
}

TEST_CASE("identity file errors name the source and line, not the content") {
  auto id = age_generate_identity();
  REQUIRE(id);
  struct bad_case {
    std::string text;
    std::size_t line;
  };
  std::string lower = *id;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string broken_sum = *id;
  broken_sum.back() = broken_sum.back() == 'Q' ? 'P' : 'Q';
  std::string recipient = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  for (const auto& c : std::vector<bad_case>{
           {"# header\n" + *id + "\nSECRETVALUE\n", 3},
           {"\n\n" + broken_sum + "\n", 3},
           {recipient + "\n", 1},                      // a public key is not an identity
           {*id + "\n# ok\n" + id->substr(0, 20) + "\n", 3},
           {"AGE-SECRET-KEY-1" + lower.substr(16) + "\n", 1},  // mixed case
       }) {
    auto ids = parse_age_identities(c.text, "secret/keys.agekey");
    REQUIRE_FALSE(ids);
    INFO(ids.error().message);
    CHECK(ids.error().code == errc::invalid_identity);
    CHECK(ids.error().message.rfind("secret/keys.agekey line " + std::to_string(c.line) + ": ", 0) == 0);
    CHECK(ids.error().message.find("SECRETVALUE") == std::string::npos);
    CHECK(ids.error().message.find(id->substr(16, 20)) == std::string::npos);
    CHECK(ids.error().message.find(lower.substr(16, 20)) == std::string::npos);
  }
}

TEST_CASE("a lower-case identity is refused as age refuses it") {
  std::string lower(known_identity);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto ids = parse_age_identities("\n" + lower, "k");
  REQUIRE_FALSE(ids);
  CHECK(ids.error().message == "k line 2: not an age X25519 identity (AGE-SECRET-KEY-1...)");
}

TEST_CASE("an identity file without identities is an error") {
  auto ids = parse_age_identities("# nothing here\n\n", "empty.agekey");
  REQUIRE_FALSE(ids);
  CHECK(ids.error().message == "empty.agekey: no age identity found");
}

TEST_CASE("generated identities are upper-case bech32 age secret keys") {
  auto id = age_generate_identity();
  REQUIRE(id);
  CHECK(id->rfind("AGE-SECRET-KEY-1", 0) == 0);
  CHECK(id->size() == 74);
}
