#include "sops_tree.hpp"

#include "../core/openssl_ptr.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <re2/re2.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace gitopsd::decrypt {

struct value_selector::compiled {
  std::unique_ptr<RE2> unencrypted;
  std::unique_ptr<RE2> encrypted;
};

namespace {

// Go's regexp (RE2 syntax, linear time); a pattern from a file in Git.
result<std::unique_ptr<RE2>> compile(const std::string& pattern, std::string_view what) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(8 << 20);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) return make_error(errc::malformed, fmt::format("sops.{} is not a valid regular expression", what));
  return re;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The additional data SOPS binds a value to: its key path joined with ':' and a trailing ':'.
std::string additional_data(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& key : path) (out += key) += ':';
  return out;
}

std::string path_name(const std::vector<std::string>& path) {
  if (path.empty()) return "(top level)";
  std::string out;
  for (const auto& key : path) {
    if (!out.empty()) out += '.';
    out += key;
  }
  return out;
}

// Go's strconv.FormatFloat(d, 'f', -1, 64): the shortest digits that read back as d, written
// without an exponent (1e23 is "100000000000000000000000", not the double's exact value).
std::string fixed_shortest(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific);
  if (ec != std::errc()) return {};
  std::string_view sci(buf.data(), static_cast<std::size_t>(end - buf.data()));
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  if (exponent >= 0) {
    auto whole = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0');
    return out + digits.substr(0, whole) + "." + digits.substr(whole);
  }
  return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
}

// Go's strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view s) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (s == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (s == f) return false;
  return std::nullopt;
}

// The decrypted bytes as the value of SOPS's type; an error when they do not read as that type.
result<void> set_typed(rapidjson::Value& v, const std::string& type, const std::string& plain,
                       rapidjson::Document::AllocatorType& alloc, const std::vector<std::string>& path) {
  auto bad = [&] {
    return make_error(errc::malformed, fmt::format("the value at {} does not read as its type {}", path_name(path), type));
  };
  if (type == "str" || type == "bytes" || type == "time") {
    v.SetString(plain.data(), static_cast<rapidjson::SizeType>(plain.size()), alloc);
  } else if (type == "int") {
    std::string_view s = plain;
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return bad();
    v.SetInt64(n);
  } else if (type == "float") {
    double d = 0;
    auto [end, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), d);
    if (plain.empty() || ec != std::errc() || end != plain.data() + plain.size()) return bad();
    // JSON, and so a Kubernetes object, has no infinity or NaN.
    if (!std::isfinite(d))
      return make_error(errc::unsupported, fmt::format("the value at {} is not a finite number", path_name(path)));
    v.SetDouble(d);
  } else if (type == "bool") {
    auto b = parse_bool(plain);
    if (!b) return bad();
    v.SetBool(*b);
  } else {
    return make_error(errc::unsupported, fmt::format("the value at {} has the unknown type {}", path_name(path), type));
  }
  return {};
}

// A decrypted value as YAML text that reads back as that value: strings double-quoted (JSON
// escapes are YAML's too), floats with a point so they stay floats.
std::string yaml_scalar(const rapidjson::Value& v, const std::string& plain) {
  if (v.IsString()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
  }
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsDouble() && plain.find_first_of(".eE") == std::string::npos) return plain + ".0";
  return plain;
}

struct frame {
  rapidjson::Value* value;
  std::size_t depth;           // path length of the parent
  const rapidjson::Value* key; // the mapping key leading here, or none in a sequence
};

class sha512 {
 public:
  sha512() : ctx_(EVP_MD_CTX_new()) { ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha512(), nullptr) == 1; }
  void add(std::string_view bytes) { ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1; }
  std::optional<std::string> hex_upper() {
    std::array<unsigned char, 64> md{};
    unsigned int n = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), md.data(), &n) != 1) return std::nullopt;
    std::string out;
    for (unsigned i = 0; i < n; ++i) out += fmt::format("{:02X}", md[i]);
    return out;
  }

 private:
  openssl::md_ctx_ptr ctx_;
  bool ok_ = false;
};

// SOPS's fixed prefix of the MAC with mac_only_encrypted, so the two settings never give one MAC.
constexpr std::array<unsigned char, 32> mac_only_encrypted_prefix = {
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69};

}  // namespace

result<value_selector> value_selector::make(const encryption_rules& rules) {
  value_selector s;
  s.rules_ = rules;
  auto c = std::make_shared<compiled>();
  if (!rules.unencrypted_regex.empty()) {
    auto re = compile(rules.unencrypted_regex, "unencrypted_regex");
    if (!re) return re.error();
    c->unencrypted = std::move(*re);
  }
  if (!rules.encrypted_regex.empty()) {
    auto re = compile(rules.encrypted_regex, "encrypted_regex");
    if (!re) return re.error();
    c->encrypted = std::move(*re);
  }
  s.regex_ = std::move(c);
  return s;
}

bool value_selector::encrypted(const std::vector<std::string>& path) const {
  bool encrypted = true;
  auto any = [&](auto&& match) {
    for (const auto& key : path)
      if (match(key)) return true;
    return false;
  };
  if (!rules_.unencrypted_suffix.empty() && any([&](const std::string& k) { return ends_with(k, rules_.unencrypted_suffix); }))
    encrypted = false;
  if (!rules_.encrypted_suffix.empty())
    encrypted = any([&](const std::string& k) { return ends_with(k, rules_.encrypted_suffix); });
  if (regex_->unencrypted && any([&](const std::string& k) { return RE2::PartialMatch(k, *regex_->unencrypted); }))
    encrypted = false;
  if (regex_->encrypted) encrypted = any([&](const std::string& k) { return RE2::PartialMatch(k, *regex_->encrypted); });
  return encrypted;
}

std::string mac_bytes(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "True" : "False";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) return fixed_shortest(v.GetDouble());
  return {};
}

result<std::string> decrypt_tree(std::vector<rapidjson::Document*>& documents, const value_selector& select,
                                 const data_key& key, std::vector<opened_value>* opened) {
  sha512 mac;
  if (select.mac_only_encrypted())
    mac.add(std::string_view(reinterpret_cast<const char*>(mac_only_encrypted_prefix.data()), mac_only_encrypted_prefix.size()));
  std::vector<std::string> path;
  std::vector<frame> stack;
  for (auto* doc : documents) {
    auto& alloc = doc->GetAllocator();
    stack.push_back({doc, 0, nullptr});
    // Depth first, children in document order, without recursion: nesting comes from the file.
    while (!stack.empty()) {
      frame f = stack.back();
      stack.pop_back();
      path.resize(f.depth);
      if (f.key != nullptr) path.emplace_back(f.key->GetString(), f.key->GetStringLength());
      rapidjson::Value& v = *f.value;
      if (v.IsObject()) {
        for (auto m = v.MemberEnd(); m != v.MemberBegin();) {
          --m;
          stack.push_back({&m->value, path.size(), &m->name});
        }
        continue;
      }
      if (v.IsArray()) {
        for (auto e = v.End(); e != v.Begin();) {
          --e;
          stack.push_back({e, path.size(), nullptr});
        }
        continue;
      }
      if (v.IsNull()) continue;
      bool encrypted = select.encrypted(path);
      if (encrypted && !(v.IsString() && v.GetStringLength() == 0)) {
        if (!v.IsString())
          return make_error(errc::malformed, fmt::format("the value at {} should be encrypted but is not", path_name(path)));
        std::string_view sealed_text(v.GetString(), v.GetStringLength());
        auto sealed = parse_sealed(sealed_text);
        if (!sealed)
          return make_error(errc::malformed, fmt::format("the value at {} should be encrypted but is not", path_name(path)));
        auto plain = open_sealed(*sealed, key, additional_data(path));
        if (!plain) return plain.error().wrap(fmt::format("the value at {}", path_name(path)));
        auto typed = set_typed(v, sealed->type, *plain, alloc, path);
        if (typed && opened != nullptr) opened->push_back({std::string(sealed_text), yaml_scalar(v, *plain)});
        OPENSSL_cleanse(plain->data(), plain->size());
        if (!typed) return typed.error();
      }
      if (!select.mac_only_encrypted() || encrypted) {
        auto bytes = mac_bytes(v);
        mac.add(bytes);
        OPENSSL_cleanse(bytes.data(), bytes.size());
      }
    }
  }
  auto hex = mac.hex_upper();
  if (!hex) return make_error(errc::internal, "computing the MAC failed");
  return *hex;
}

result<void> check_mac(std::string_view stored_mac, std::string_view last_modified, std::string_view computed,
                       const data_key& key) {
  auto sealed = parse_sealed(stored_mac);
  if (!sealed) return make_error(errc::malformed, "sops.mac is not an encrypted value");
  auto stored = open_sealed(*sealed, key, last_modified);
  if (!stored) return make_error(errc::bad_mac, "sops.mac does not authenticate (the file or its lastmodified was changed)");
  if (stored->size() != computed.size() || CRYPTO_memcmp(stored->data(), computed.data(), computed.size()) != 0)
    return make_error(errc::bad_mac, "the MAC does not match the file's values (the file was changed after encryption)");
  return {};
}

}  // namespace gitopsd::decrypt
