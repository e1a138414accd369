// Parsing the age header and armor: each malformed shape fails with errc::malformed and a message
// naming the line, before any key is tried.
#include "age_fixture.hpp"
#include "gitopsd/core/base64.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <vector>

using namespace gitopsd;
using namespace gitopsd::decrypt;
using gitopsd::test::fresh_identity;
using gitopsd::test::plaintext_of_size;

namespace {

constexpr std::size_t no_limit = 1 << 24;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

std::string unpadded(std::string_view bytes) {
  auto text = base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

// A one-recipient binary file as lines: version, stanza, body, MAC line, payload.
struct sample {
  age_identity id = fresh_identity();
  std::string file;
  std::vector<std::string> header;  // the first four lines
  std::string payload;
  sample() {
    auto f = age_encrypt("hello", {id.recipient}, false);
    REQUIRE(f);
    file = *f;
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
      auto end = file.find('\n', pos);
      header.push_back(file.substr(pos, end - pos));
      pos = end + 1;
    }
    payload = file.substr(pos);
  }
  [[nodiscard]] std::string with(const std::vector<std::string>& lines) const {
    return join_lines(lines) + "\n" + payload;
  }
};

void expect_malformed(const std::string& file, const age_identity& id, const std::string& message) {
  auto r = age_decrypt(file, {id}, no_limit);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::malformed);
  CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("age header: the sample has the expected shape") {
  sample s;
  CHECK(s.header[0] == "age-encryption.org/v1");
  CHECK(s.header[1].rfind("-> X25519 ", 0) == 0);
  CHECK(s.header[2].size() == 43);
  CHECK(s.header[3].rfind("--- ", 0) == 0);
  CHECK(age_decrypt(s.with(s.header), {s.id}, no_limit));
}

TEST_CASE("age header: a bad version line is refused") {
  sample s;
  for (const char* version : {"age-encryption.org/v2", "age-encryption.org/v1 ", "", "AGE-ENCRYPTION.ORG/V1"}) {
    auto lines = s.header;
    lines[0] = version;
    expect_malformed(s.with(lines), s.id, "age header line 1: not an age v1 file (bad version line)");
  }
  expect_malformed("", s.id, "age header line 1: file is empty");
}

TEST_CASE("age header: stanza bodies must be canonical unpadded base64") {
  sample s;
  auto bad_char = s.header;
  bad_char[2][0] = '!';
  expect_malformed(s.with(bad_char), s.id, "age header line 3: stanza body is not canonical unpadded base64");
  auto padded = s.header;
  padded[2] += "=";
  expect_malformed(s.with(padded), s.id, "age header line 3: stanza body is not canonical unpadded base64");
  // 43 characters hold 32 bytes and 2 spare bits that must be zero.
  auto non_canonical = s.header;
  auto& last = non_canonical[2].back();
  last = last == 'A' ? 'B' : static_cast<char>(last ^ 1);
  auto text = s.with(non_canonical);
  REQUIRE(text != s.file);
  expect_malformed(text, s.id, "age header line 3: stanza body is not canonical unpadded base64");
  auto crlf = s.header;
  crlf[2] += "\r";
  expect_malformed(s.with(crlf), s.id, "age header line 3: stanza body is not canonical unpadded base64");
}

TEST_CASE("age header: stanza bodies are wrapped at 64 columns and end with a short line") {
  sample s;
  auto stanza = s.header[1];
  auto long_line = std::vector<std::string>{s.header[0], stanza, unpadded(std::string(60, 'b')), s.header[3]};
  expect_malformed(s.with(long_line), s.id, "age header line 3: stanza body line is longer than 64 columns");
  auto no_short = std::vector<std::string>{s.header[0], stanza, unpadded(std::string(48, 'b')), s.header[3]};
  expect_malformed(s.with(no_short), s.id,
                   "age header line 4: stanza body does not end with a line shorter than 64 columns");
  // A full line then an empty one is the canonical form of a 48-byte body.
  auto empty_last = std::vector<std::string>{s.header[0], "-> other-type arg", unpadded(std::string(48, 'b')), "",
                                             s.header[1], s.header[2], s.header[3]};
  auto r = age_decrypt(s.with(empty_last), {s.id}, no_limit);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_mac);  // parsed; the MAC covers the original header only
}

TEST_CASE("age header: stanza lines and the MAC line are checked") {
  sample s;
  auto expect_line = [&](std::size_t index, const std::string& text, const std::string& message) {
    auto l = s.header;
    l[index] = text;
    expect_malformed(s.with(l), s.id, message);
  };
  expect_line(1, "-> X25519  share", "age header line 2: malformed stanza argument");
  expect_line(1, "->", "age header line 2: malformed stanza line");
  expect_line(1, "->X25519 abc", "age header line 2: malformed stanza line");
  expect_line(1, "-> X25519 sh\x01re", "age header line 2: malformed stanza argument");
  expect_line(1, "X25519 share", "age header line 2: neither a stanza nor the MAC line");
  expect_line(3, "---", "age header line 4: malformed MAC line");
  expect_line(3, "--- ", "age header line 4: MAC is not 32 bytes of canonical base64");
  expect_line(3, "--- AAAA", "age header line 4: MAC is not 32 bytes of canonical base64");
  expect_line(3, "---x " + s.header[3].substr(4), "age header line 4: malformed MAC line");
  expect_line(3, s.header[3] + " extra", "age header line 4: malformed MAC line");
  expect_line(1, "-> X25519 " + s.header[1].substr(10) + "A",
              "X25519 stanza 1: share is not 32 bytes of canonical base64");
}

TEST_CASE("age header: a missing MAC line or a cut header is refused") {
  sample s;
  expect_malformed(s.header[0] + "\n" + s.header[1] + "\n" + s.header[2] + "\n", s.id,
                   "age header line 4: file ends inside the header (no MAC line)");
  expect_malformed(s.file.substr(0, 30), s.id, "age header line 2: file ends inside the header (no MAC line)");
  expect_malformed("age-encryption.org/v1", s.id, "age header line 1: file ends inside the header (no MAC line)");
}

TEST_CASE("age header: size and stanza count are bounded") {
  sample s;
  std::vector<std::string> many{s.header[0]};
  for (int i = 0; i < 101; ++i) {
    many.emplace_back("-> other");
    many.emplace_back("");
  }
  many.push_back(s.header[3]);
  expect_malformed(s.with(many), s.id, "age header line 202: more than 100 stanzas");
  auto huge = std::vector<std::string>{s.header[0], "-> other " + std::string(70000, 'a'), "", s.header[3]};
  expect_malformed(s.with(huge), s.id, "age header line 2: header is larger than 64 KiB");
}

TEST_CASE("age header: an scrypt stanza must be alone") {
  sample s;
  auto mixed = std::vector<std::string>{s.header[0], "-> scrypt " + unpadded(std::string(16, 's')) + " 18",
                                        unpadded(std::string(32, 'w')), s.header[1], s.header[2], s.header[3]};
  expect_malformed(s.with(mixed), s.id, "an scrypt stanza must be the only stanza");
  auto alone = std::vector<std::string>{s.header[0], mixed[1], mixed[2], s.header[3]};
  auto r = age_decrypt(s.with(alone), {s.id}, no_limit);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::no_identity);
  CHECK(r.error().message == "the file has no X25519 recipient");
}

TEST_CASE("age header: a malformed X25519 stanza is an error, not a skip") {
  sample s;
  auto two_args = s.header;
  two_args[1] += " extra";
  expect_malformed(s.with(two_args), s.id, "X25519 stanza 1: wants exactly one argument");
  auto short_body = s.header;
  short_body[2] = unpadded(std::string(31, 'b'));
  expect_malformed(s.with(short_body), s.id, "X25519 stanza 1: wrapped file key is not 32 bytes");
  auto zero_point = s.header;
  zero_point[1] = "-> X25519 " + unpadded(std::string(32, '\0'));
  expect_malformed(s.with(zero_point), s.id, "X25519 stanza 1: share is a low-order point");
}

TEST_CASE("age armor: malformed armor is refused with its line") {
  auto id = fresh_identity();
  auto file = age_encrypt(plaintext_of_size(300), {id.recipient}, true);
  REQUIRE(file);
  auto lines = split_lines(*file);  // begin, data..., end, ""
  REQUIRE(lines.size() > 6);
  REQUIRE(lines[1].size() == 64);
  auto expect = [&](const std::string& text, const std::string& message) {
    auto r = age_decrypt(text, {id}, no_limit);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed);
    CHECK(r.error().message == message);
  };
  auto bad_char = lines;
  bad_char[3][10] = '*';
  expect(join_lines(bad_char), "armor: invalid base64 on line 4");
  auto long_line = lines;
  long_line[2] += "AAAA";
  expect(join_lines(long_line), "armor: line longer than 64 columns on line 3");
  auto empty = lines;
  empty.insert(empty.begin() + 2, "");
  expect(join_lines(empty), "armor: empty line on line 3");
  auto short_mid = lines;
  short_mid[2] = short_mid[2].substr(0, 60);
  expect(join_lines(short_mid), "armor: short line not followed by the end line on line 4");
  auto no_end = std::vector<std::string>(lines.begin(), lines.end() - 2);
  expect(join_lines(no_end), "armor: no end line on line " + std::to_string(no_end.size() + 1));
  expect(*file + "trailing", "armor: data after the end line on line " + std::to_string(lines.size()));
  expect(*file + std::string(2000, '\n'),
         "armor: too much trailing whitespace on line " + std::to_string(lines.size()));
  expect("-----BEGIN AGE ENCRYPTED FILE-----", "armor: no end line on line 2");
}

TEST_CASE("age armor: whitespace around the armor and CRLF line ends are accepted") {
  auto id = fresh_identity();
  auto plain = plaintext_of_size(1000);
  auto file = age_encrypt(plain, {id.recipient}, true);
  REQUIRE(file);
  std::string crlf;
  for (char c : *file) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  for (const auto& text : {"\n  \n" + *file + "\n\n", crlf, file->substr(0, file->size() - 1)}) {
    auto r = age_decrypt(text, {id}, no_limit);
    REQUIRE(r);
    CHECK(*r == plain);
  }
}
