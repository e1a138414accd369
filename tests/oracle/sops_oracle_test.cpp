// Files encrypted by the real sops tool (age keys from age-keygen, OpenPGP keys from gpg), decrypted
// by gitopsd and compared with `sops --decrypt` of the same file.
#include "../unit/render/print_error.hpp"
#include "oracle_tools.hpp"

#include "gitopsd/decrypt/decrypting_tree.hpp"
#include "gitopsd/decrypt/sops.hpp"
#include "gitopsd/render/yaml.hpp"
#include "../unit/render/memory_tree.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace gitopsd;
using gitopsd::oracle::quote;
using gitopsd::oracle::run;
using gitopsd::oracle::tools_bin;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void spit(const std::filesystem::path& p, std::string_view text) { std::ofstream(p, std::ios::binary) << text; }

// A temporary folder with one age identity and a sops that uses it.
struct sops_fixture {
  std::filesystem::path dir;
  std::string recipient;
  decrypt::keyring keys;

  sops_fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gitopsd-sops-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    REQUIRE(run("age-keygen -o " + quote((dir / "id.agekey").string()) + " 2>/dev/null").status == 0);
    auto r = run("age-keygen -y " + quote((dir / "id.agekey").string()));
    REQUIRE(r.status == 0);
    recipient = r.out.substr(0, r.out.find('\n'));
    REQUIRE(decrypt::add_key(keys, "id.agekey", slurp(dir / "id.agekey")));
  }
  ~sops_fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  sops_fixture(const sops_fixture&) = delete;
  sops_fixture& operator=(const sops_fixture&) = delete;

  std::string sops(const std::string& args, const std::string& env = "") const {
    auto r = run("cd " + quote(dir.string()) + " && " + env + " " + quote(tools_bin() + "/sops") + " " + args + " 2>/dev/null");
    INFO("sops " << args);
    REQUIRE(r.status == 0);
    return r.out;
  }
  // Encrypts `plain` saved as `name` with age; the encrypted text.
  std::string encrypt(const std::string& name, std::string_view plain, const std::string& extra = "") const {
    spit(dir / name, plain);
    return sops("--encrypt --age " + recipient + " " + extra + " " + quote(name));
  }
  // What `sops --decrypt` makes of `encrypted` saved as `name`.
  std::string oracle(const std::string& name, std::string_view encrypted) const {
    spit(dir / ("enc-" + name), encrypted);
    return sops("--decrypt " + quote("enc-" + name), "SOPS_AGE_KEY_FILE=" + quote((dir / "id.agekey").string()));
  }
};

// YAML or JSON documents as one compact JSON text, for comparing values rather than layout.
std::string as_json(std::string_view text) {
  render::limits lim;
  lim.rules = render::yaml_rules::kustomize;
  auto docs = render::decode_documents(text, "x.yaml", lim);
  REQUIRE(docs);
  std::string out;
  for (const auto& d : *docs) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    out += buf.GetString();
    out += '\n';
  }
  return out;
}

std::string decrypted(const decrypt::keyring& keys, std::string_view text, const std::string& name) {
  decrypt::sops_decryptor d(keys, render::limits{});
  auto out = d.decrypt_file(text, name);
  INFO(name << ": " << (out ? std::string("decrypted") : out.error().what()));
  REQUIRE(out);
  REQUIRE(*out);
  return **out;
}

std::string decrypt_error(const decrypt::keyring& keys, std::string_view text, const std::string& name) {
  decrypt::sops_decryptor d(keys, render::limits{});
  auto out = d.decrypt_file(text, name);
  REQUIRE_FALSE(out);
  return out.error().what();
}

constexpr std::string_view planted = "planted-secret-7f3c";

const std::string secret_yaml = R"(apiVersion: v1
kind: Secret
metadata:
  name: db
  labels: {tier: backend}
type: Opaque
stringData:
  password: planted-secret-7f3c
  port: 5432
  ratio: 1.50
  enabled: true
  empty: ""
  nothing: null
  when: 2024-01-02
  list: [a, 7, {deep: x}]
  note_unencrypted: left as is
data:
  key: aGVsbG8=
)";

}  // namespace

TEST_CASE("sops: YAML files encrypted by sops decrypt to what sops --decrypt gives, under each rule", "[oracle]") {
  sops_fixture f;
  for (const std::string rule : {"", "--encrypted-regex '^(data|stringData)$'", "--unencrypted-regex '^(apiVersion|kind|metadata|type)$'",
                                 "--encrypted-suffix Data", "--unencrypted-suffix _unencrypted",
                                 "--encrypted-regex '^stringData$' --mac-only-encrypted"}) {
    INFO("rule " << rule);
    auto enc = f.encrypt("secret.yaml", secret_yaml, rule);
    CHECK(enc.find(planted) == std::string::npos);
    CHECK(as_json(decrypted(f.keys, enc, "secret.yaml")) == as_json(f.oracle("secret.yaml", enc)));
  }
  // Several documents share one data key and MAC.
  std::string two = secret_yaml + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\ndata: {a: b}\n";
  auto enc = f.encrypt("two.yaml", two);
  auto got = decrypted(f.keys, enc, "two.yaml");
  CHECK(as_json(got) == as_json(f.oracle("two.yaml", enc)));
  CHECK(as_json(got) == as_json(two));
}

TEST_CASE("sops: JSON, dotenv and binary files decrypt to what sops --decrypt gives", "[oracle]") {
  sops_fixture f;
  std::string json = R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"},
                        "data": {"a": "planted-secret-7f3c", "n": 12, "f": 0.25, "b": false, "l": [1, "x"]}})";
  auto enc = f.encrypt("c.json", json);
  CHECK(as_json(decrypted(f.keys, enc, "c.json")) == as_json(f.oracle("c.json", enc)));

  std::string env = "TOKEN=planted-secret-7f3c\n# a comment\nMULTI=line1\\nline2\nEMPTY=\nURL=https://x?a=b\n";
  enc = f.encrypt("app.env", env);
  CHECK(enc.find(planted) == std::string::npos);
  CHECK(decrypted(f.keys, enc, "app.env") == f.oracle("app.env", enc));

  std::string blob;
  for (int i = 0; i < 3000; ++i) blob += static_cast<char>((i * 37 + 11) % 256);
  enc = f.encrypt("blob.bin", blob);
  CHECK(decrypted(f.keys, enc, "blob.bin") == blob);
  CHECK(f.oracle("blob.bin", enc) == blob);
}

TEST_CASE("sops: a file changed after encryption, or for another key, fails naming the cause and no value", "[oracle]") {
  sops_fixture f;
  auto enc = f.encrypt("secret.yaml", secret_yaml, "--encrypted-regex '^(data|stringData)$'");
  auto changed = [&](std::string_view from, std::string_view to) {
    std::string t = enc;
    auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    return t;
  };
  // A plain value edited: the MAC no longer matches.
  auto e = decrypt_error(f.keys, changed("name: db", "name: dc"), "secret.yaml");
  CHECK(e == "the MAC does not match the file's values (the file was changed after encryption)");
  CHECK(e.find("MAC does not match") != std::string::npos);
  CHECK(e.find(planted) == std::string::npos);
  // An encrypted value moved to another key: its additional data (the key path) fails.
  auto lines = enc;
  auto pw = lines.substr(lines.find("password: ") + 10);
  pw = pw.substr(0, pw.find('\n'));
  auto port = lines.substr(lines.find("port: ") + 6);
  port = port.substr(0, port.find('\n'));
  e = decrypt_error(f.keys, changed(port, pw), "secret.yaml");
  CHECK(e.find("stringData.port") != std::string::npos);
  CHECK(e.find(planted) == std::string::npos);
  // lastmodified changed: the stored MAC is bound to it.
  auto lm = enc.substr(enc.find("lastmodified: ") + 14);
  lm = lm.substr(0, lm.find('\n'));
  e = decrypt_error(f.keys, changed(lm, "\"2001-01-01T00:00:00Z\""), "secret.yaml");
  CHECK(e.find("sops.mac does not authenticate") != std::string::npos);
  // Another identity: the file's recipient is named.
  sops_fixture other;
  e = decrypt_error(other.keys, enc, "secret.yaml");
  CHECK(e.find("no decryption key opens the data key") != std::string::npos);
  CHECK(e.find(f.recipient) != std::string::npos);
  // No MAC at all.
  auto mac_at = enc.find("    mac: ");
  std::string no_mac = enc.substr(0, mac_at) + enc.substr(enc.find('\n', mac_at) + 1);
  e = decrypt_error(f.keys, no_mac, "secret.yaml");
  CHECK(e == "sops.mac is missing");
}

TEST_CASE("sops: OpenPGP-wrapped data keys open with the armored secret key in a private keyring", "[oracle]") {
  sops_fixture f;
  auto home = f.dir / "gnupg";
  std::filesystem::create_directories(home);
  std::filesystem::permissions(home, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  std::string gpg = "gpg --homedir " + quote(home.string()) + " --batch ";
  REQUIRE(run(gpg + "--passphrase '' --quick-gen-key 'team <team@example.com>' default default never 2>/dev/null").status == 0);
  auto fpr = run(gpg + "--with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}'").out;
  fpr = fpr.substr(0, fpr.find('\n'));
  REQUIRE(fpr.size() == 40);
  spit(f.dir / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: {v: planted-secret-7f3c}\n");
  auto enc = f.sops("--encrypt --pgp " + fpr + " cm.yaml", "GNUPGHOME=" + quote(home.string()));
  auto secret_key = run(gpg + "--armor --export-secret-keys " + fpr).out;
  decrypt::keyring keys;
  REQUIRE(decrypt::add_key(keys, "team.asc", secret_key));
  CHECK(as_json(decrypted(keys, enc, "cm.yaml")) ==
        as_json("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: {v: planted-secret-7f3c}\n"));
  // A key that is not the file's: its fingerprint is named.
  auto e = decrypt_error(f.keys, enc, "cm.yaml");
  CHECK(e.find(fpr) != std::string::npos);
  run("gpgconf --homedir " + quote(home.string()) + " --kill all >/dev/null 2>&1");
}

TEST_CASE("sops: without keys an encrypted file is refused by name, a plain one reads as it is", "[oracle]") {
  sops_fixture f;
  auto enc = f.encrypt("secret.yaml", secret_yaml);
  testing::memory_tree files;
  files.files = {{"app/secret.yaml", enc}, {"app/plain.yaml", "a: sops mac ENC[AES256_GCM,x]\n"}};
  decrypt::decrypting_tree none(files, nullptr, render::limits{});
  auto refused = none.read("app/secret.yaml");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what() ==
        "app/secret.yaml: the file is encrypted with SOPS and no decryption keys are given (spec.decryption, or --decrypt-keys)");
  auto plain = none.read("app/plain.yaml");
  REQUIRE(plain);
  CHECK(*plain == "a: sops mac ENC[AES256_GCM,x]\n");
  decrypt::decrypting_tree with(files, &f.keys, render::limits{});
  auto ok = with.read("app/secret.yaml");
  REQUIRE(ok);
  CHECK(as_json(*ok) == as_json(secret_yaml));
}

TEST_CASE("sops: found by content, whatever the file name and document, and read as sops reads plain values", "[oracle]") {
  sops_fixture f;
  // Plain values SOPS hashes as go-yaml v3 reads them: timestamps as written, 0x1F as 31.
  std::string odd = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: odd
  annotations: {a: true, b: 1.0, when: 2024-01-02}
data_plain: {date: 2024-01-02, hex: 0x1F, octal: 017, under: 1_000, big: 1.2345678901234568e+29, yes: yes}
stringData: {password: planted-secret-7f3c}
)";
  auto enc = f.encrypt("odd.yaml", odd, "--encrypted-regex '^stringData$'");
  auto got = decrypted(f.keys, enc, "odd.yaml");
  CHECK(as_json(got) == as_json(f.oracle("odd.yaml", enc)));
  CHECK(got.find("# keep") == std::string::npos);

  // A YAML file under another name, and a dotenv file not named .env.
  CHECK(as_json(decrypted(f.keys, enc, "odd.enc")) == as_json(f.oracle("odd.yaml", enc)));
  auto env = f.encrypt("app.env", "TOKEN=planted-secret-7f3c\n");
  CHECK(decrypted(f.keys, env, "secrets.txt") == "TOKEN=planted-secret-7f3c\n");

  // A plain document before a separately encrypted one, and two encrypted files joined.
  std::string plain_cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n";
  auto second = f.encrypt("s.yaml", secret_yaml);
  auto joined = decrypted(f.keys, plain_cm + "---\n" + second + "---\n" + enc, "all.yaml");
  CHECK(as_json(joined) == as_json(plain_cm + "---\n" + secret_yaml + "---\n" + f.oracle("odd.yaml", enc)));
  CHECK(joined.find("ENC[") == std::string::npos);

  // The text stays the file's own: comments and layout are kept.
  auto commented = f.encrypt("c.yaml", "# top comment\nkind: ConfigMap\ndata:\n  x: planted-secret-7f3c  # keep\n",
                             "--encrypted-regex '^data$'");
  auto text = decrypted(f.keys, commented, "c.yaml");
  CHECK(text.find("# top comment") != std::string::npos);
  CHECK(text.find("ENC[") == std::string::npos);
  CHECK(text.find("sops") == std::string::npos);
}

TEST_CASE("sops: a file this reader cannot parse is refused, not passed on as ciphertext", "[oracle]") {
  sops_fixture f;
  std::string deep = "kind: ConfigMap\nd:\n";
  std::string indent = "  ";
  for (int i = 0; i < 300; ++i, indent += "  ") deep += indent + "k:\n";
  deep += indent + "v: planted-secret-7f3c\n";
  auto enc = f.encrypt("deep.yaml", deep);
  for (const decrypt::keyring* keys : std::vector<const decrypt::keyring*>{&f.keys, nullptr}) {
    testing::memory_tree files;
    files.files = {{"app/deep.yaml", enc}};
    decrypt::decrypting_tree tree(files, keys, render::limits{});
    auto read = tree.read("app/deep.yaml");
    REQUIRE_FALSE(read);
    CHECK(read.error().what().find("app/deep.yaml") != std::string::npos);
  }
}

TEST_CASE("sops: an OpenPGP key with a passphrase is refused by name", "[oracle]") {
  sops_fixture f;
  auto home = f.dir / "gnupg";
  std::filesystem::create_directories(home);
  std::filesystem::permissions(home, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  std::string gpg = "gpg --homedir " + quote(home.string()) + " --batch --pinentry-mode loopback ";
  REQUIRE(run(gpg + "--passphrase hunter2 --quick-gen-key 'locked <l@example.com>' default default never 2>/dev/null").status == 0);
  auto fpr = run(gpg + "--with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}'").out;
  fpr = fpr.substr(0, fpr.find('\n'));
  spit(f.dir / "cm.yaml", "kind: ConfigMap\ndata: {v: planted-secret-7f3c}\n");
  auto enc = f.sops("--encrypt --pgp " + fpr + " cm.yaml", "GNUPGHOME=" + quote(home.string()));
  auto secret_key = run(gpg + "--passphrase hunter2 --armor --export-secret-keys " + fpr).out;
  decrypt::keyring keys;
  REQUIRE(decrypt::add_key(keys, "locked.asc", secret_key));
  auto e = decrypt_error(keys, enc, "cm.yaml");
  CHECK(e.find("has a passphrase") != std::string::npos);

  run("gpgconf --homedir " + quote(home.string()) + " --kill all >/dev/null 2>&1");
}
