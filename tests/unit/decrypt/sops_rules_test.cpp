// The decisions of SOPS decryption that need no keys: value syntax, which values are encrypted,
// the bytes the MAC covers, metadata reading.
#include "../render/print_error.hpp"
#include "../../../src/decrypt/sops_metadata.hpp"
#include "../../../src/decrypt/sops_text.hpp"
#include "../../../src/decrypt/sops_tree.hpp"
#include "../../../src/decrypt/sops_value.hpp"

#include "gitopsd/render/yaml.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::decrypt;

namespace {

rapidjson::Document doc(std::string_view text) {
  auto docs = render::decode_documents(text, "t.yaml");
  REQUIRE(docs);
  REQUIRE(docs->size() == 1);
  return std::move(docs->front());
}

encryption_rules rule(std::string encryption_rules::*field, std::string value) {
  encryption_rules r;
  r.*field = std::move(value);
  return r;
}

value_selector selector(encryption_rules rules) {
  auto s = value_selector::make(rules);
  REQUIRE(s);
  return *s;
}

}  // namespace

TEST_CASE("sops values: the ENC[...] form is read strictly") {
  auto v = parse_sealed("ENC[AES256_GCM,data:aGk=,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]");
  REQUIRE(v);
  CHECK(v->data == "hi");
  CHECK(v->iv.size() == 32);
  CHECK(v->type == "str");
  CHECK_FALSE(parse_sealed("ENC[AES256_GCM,data:aGk=,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]x"));
  CHECK_FALSE(parse_sealed("ENC[AES256_GCM,data:aGk=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]"));
  CHECK_FALSE(parse_sealed("ENC[AES256_GCM,data:a!k=,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]"));
  CHECK_FALSE(parse_sealed("ENC[AES256_GCM,data:aGk=,iv:AAAA,tag:AAAA,type:str]"));  // a tag is 16 bytes
  CHECK_FALSE(parse_sealed("ENC[AES256_GCM,data:aGk=,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:]"));
  CHECK_FALSE(parse_sealed("plain text"));
}

TEST_CASE("sops values: a value sealed under another key or path does not open") {
  auto v = parse_sealed("ENC[AES256_GCM,data:aGk=,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]");
  REQUIRE(v);
  data_key key{};
  auto opened = open_sealed(*v, key, "a:b:");
  REQUIRE_FALSE(opened);
  CHECK(opened.error().what() == "a value does not authenticate under the file's data key");
}

TEST_CASE("sops rules: which values are encrypted, as SOPS decides from the key path") {
  auto dflt = selector(rule(&encryption_rules::unencrypted_suffix, "_unencrypted"));
  CHECK(dflt.encrypted({"data", "password"}));
  CHECK_FALSE(dflt.encrypted({"data", "note_unencrypted"}));
  CHECK_FALSE(dflt.encrypted({"outer_unencrypted", "inner"}));  // any key on the path counts

  auto suffix = selector(rule(&encryption_rules::encrypted_suffix, "_secret"));
  CHECK(suffix.encrypted({"db_secret", "password"}));
  CHECK_FALSE(suffix.encrypted({"db", "password"}));

  auto regex = selector(rule(&encryption_rules::encrypted_regex, "^(data|stringData)$"));
  CHECK(regex.encrypted({"stringData", "x"}));
  CHECK_FALSE(regex.encrypted({"metadata", "name"}));
  CHECK_FALSE(regex.encrypted({"metadata", "data2"}));

  auto unregex = selector(rule(&encryption_rules::unencrypted_regex, "^(kind|metadata)$"));
  CHECK_FALSE(unregex.encrypted({"metadata", "name"}));
  CHECK(unregex.encrypted({"spec", "x"}));
  // Go's regexp.Match finds a match anywhere in the key.
  CHECK_FALSE(selector(rule(&encryption_rules::unencrypted_regex, "eta")).encrypted({"metadata"}));

  auto bad = value_selector::make(rule(&encryption_rules::encrypted_regex, "(unclosed"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "sops.encrypted_regex is not a valid regular expression");
}

TEST_CASE("sops MAC: plain values hash as SOPS writes them, in document order, nulls skipped") {
  CHECK(mac_bytes(doc("a: true")["a"]) == "True");
  CHECK(mac_bytes(doc("a: false")["a"]) == "False");
  CHECK(mac_bytes(doc("a: 5432")["a"]) == "5432");
  CHECK(mac_bytes(doc("a: -7")["a"]) == "-7");
  CHECK(mac_bytes(doc("a: 1.50")["a"]) == "1.5");
  CHECK(mac_bytes(doc("a: 1.0")["a"]) == "1");
  CHECK(mac_bytes(doc("a: 0.1")["a"]) == "0.1");
  CHECK(mac_bytes(doc("a: 1e21")["a"]) == "1000000000000000000000");
  CHECK(mac_bytes(doc("a: 1e23")["a"]) == "100000000000000000000000");  // Go's digits, not the double's exact value
  CHECK(mac_bytes(doc("a: 1.5e300")["a"]) == "15" + std::string(299, '0'));
  CHECK(mac_bytes(doc("a: 0.000125")["a"]) == "0.000125");
  CHECK(mac_bytes(doc("a: -2.5e-7")["a"]) == "-0.00000025");
  CHECK(mac_bytes(doc("a: 123.456")["a"]) == "123.456");
  CHECK(mac_bytes(doc("a: text")["a"]) == "text");
  CHECK(mac_bytes(doc("a: null")["a"]).empty());

  // Every value plain: the MAC is SHA-512 of "v1" "True" "x" "3" "1.5" (sha512sum of the bytes).
  std::vector<rapidjson::Document> docs;
  docs.push_back(doc("k: v1\nn: {b: true, c: [x, 3, null]}\nf: 1.5\n"));
  std::vector<rapidjson::Document*> all{&docs[0]};
  auto mac = decrypt_tree(all, selector(rule(&encryption_rules::unencrypted_regex, ".")), data_key{});
  REQUIRE(mac);
  CHECK(*mac == "EC619CD4EA022962F160CB47F5170989FB3C597B82B38DF34B713325E1D917D0C814B8BB49CF2D4520D5FC34C77778B46444119DB96F116B92C710457DACDF40");

  // A value that should be encrypted but is plain: named by its path, its value not shown.
  std::vector<rapidjson::Document> plain;
  plain.push_back(doc("stringData: {password: hunter2}\n"));
  std::vector<rapidjson::Document*> one{&plain[0]};
  auto refused = decrypt_tree(one, selector(rule(&encryption_rules::encrypted_regex, "^stringData$")), data_key{});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what() == "the value at stringData.password should be encrypted but is not");
}

TEST_CASE("sops metadata: rules, key groups and comment rules") {
  auto md = read_metadata(doc("{mac: m, lastmodified: '2024-05-01T10:00:00.123Z', age: [{recipient: r1, enc: e1}],"
                               " pgp: [{fp: F1, enc: e2}], kms: [{arn: x, enc: y}]}"));
  REQUIRE(md);
  CHECK(md->last_modified == "2024-05-01T10:00:00Z");
  CHECK(md->rules.unencrypted_suffix == "_unencrypted");  // no rule given: SOPS's default
  REQUIRE(md->age.size() == 1);
  CHECK(md->age[0].id == "r1");
  REQUIRE(md->openpgp.size() == 1);
  CHECK(md->openpgp[0].id == "F1");
  CHECK(md->other_services == std::vector<std::string>{"kms"});

  auto one_group = read_metadata(doc("{mac: m, lastmodified: x, key_groups: [{age: [{recipient: r, enc: e}]}]}"));
  REQUIRE(one_group);
  CHECK(one_group->age.size() == 1);
  auto shamir = read_metadata(doc("{mac: m, lastmodified: x, key_groups: [{age: [{recipient: r, enc: e}]}, {pgp: []}]}"));
  REQUIRE_FALSE(shamir);
  CHECK(shamir.error().what().find("Shamir") != std::string::npos);

  auto two_rules = read_metadata(doc("{mac: m, lastmodified: x, encrypted_regex: a, unencrypted_suffix: b}"));
  REQUIRE_FALSE(two_rules);
  auto comments = read_metadata(doc("{mac: m, lastmodified: x, encrypted_comment_regex: sops}"));
  REQUIRE_FALSE(comments);
  CHECK(comments.error().what() == "sops.encrypted_comment_regex is not supported (it depends on YAML comments)");
  CHECK_FALSE(read_metadata(doc("{lastmodified: x}")));
  CHECK_FALSE(read_metadata(doc("{mac: m, lastmodified: x, age: [{recipient: r}]}")));  // no enc

  CHECK(normalize_rfc3339("2024-05-01T10:00:00+00:00") == "2024-05-01T10:00:00Z");
  CHECK(normalize_rfc3339("2024-05-01T10:00:00+02:00") == "2024-05-01T10:00:00+02:00");
}

TEST_CASE("sops metadata: dotenv's flattened entries") {
  auto md = read_flat_metadata({{"age__list_0__map_enc", "E0"},
                                {"age__list_0__map_recipient", "R0"},
                                {"age__list_1__map_enc", "E1"},
                                {"age__list_1__map_recipient", "R1"},
                                {"lastmodified", "2024-05-01T10:00:00Z"},
                                {"mac", "M"},
                                {"mac_only_encrypted", "true"},
                                {"encrypted_regex", "^x$"}});
  REQUIRE(md);
  REQUIRE(md->age.size() == 2);
  CHECK(md->age[1].id == "R1");
  CHECK(md->age[1].enc == "E1");
  CHECK(md->rules.mac_only_encrypted);
  CHECK(md->rules.encrypted_regex == "^x$");
  CHECK(md->rules.unencrypted_suffix.empty());

  CHECK_FALSE(read_flat_metadata({{"age__list_1__map_enc", "E"}, {"mac", "M"}, {"lastmodified", "x"}}));  // gap
  CHECK_FALSE(read_flat_metadata({{"mac", "M"}, {"mac", "N"}, {"lastmodified", "x"}}));                  // twice
  CHECK_FALSE(read_flat_metadata({{"age__list_0", "E"}, {"mac", "M"}, {"lastmodified", "x"}}));          // no field
}

TEST_CASE("sops text: values go back into the file's own text, the sops block and encrypted comments go") {
  const std::string v1 = "ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]";
  const std::string v2 = "ENC[AES256_GCM,data:d,iv:e,tag:f,type:int]";
  const std::string note = "ENC[AES256_GCM,data:g,iv:h,tag:i,type:comment]";
  std::string text = "# head\nkind: ConfigMap\ndata:\n    x: " + v1 + " #" + note + "\n    n: '" + v2 +
                     "'\nsops:\n    mac: ENC[AES256_GCM,data:j,iv:k,tag:l,type:str]\n    version: 3.13.3\n---\nkind: Other\n";
  std::vector<opened_value> opened{{v1, "\"plain\""}, {v2, "7"}};
  auto out = substitute_plaintext(text, opened, 1);
  REQUIRE(out);
  CHECK(*out == "# head\nkind: ConfigMap\ndata:\n    x: \"plain\" #\n    n: 7\n---\nkind: Other\n");

  CHECK_FALSE(substitute_plaintext(text, opened, 2));  // a sops block the text does not hold
  std::vector<opened_value> missing{{v1, "\"plain\""}, {"ENC[AES256_GCM,data:z,iv:z,tag:z,type:str]", "1"}};
  CHECK_FALSE(substitute_plaintext(text, missing, 1));  // a value the text does not hold
}
