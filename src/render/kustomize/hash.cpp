// kustomize's generated-name hash: SHA-256 of a Go encoding/json rendering of the object's
// identifying content, first ten hex digits with 0,1,3,a,e swapped for letters (no vowels, no
// digit-only suffixes).
#include "model.hpp"

#include "gitopsd/core/json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace gitopsd::render::kustomize {
namespace {

constexpr std::array<std::uint32_t, 64> k = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void go_json_value(std::string& out, const rapidjson::Value& v) {
  if (v.IsString()) return go_json_string(out, json::view(v));
  if (v.IsObject()) {
    // encoding/json writes map keys sorted.
    std::vector<const rapidjson::Value::Member*> members;
    for (const auto& m : v.GetObject()) members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](auto* x, auto* y) { return json::view(x->name) < json::view(y->name); });
    out += '{';
    bool first = true;
    for (auto* m : members) {
      if (!first) out += ',';
      first = false;
      go_json_string(out, json::view(m->name));
      out += ':';
      go_json_value(out, m->value);
    }
    out += '}';
    return;
  }
  if (v.IsArray()) {
    out += '[';
    bool first = true;
    for (const auto& item : v.GetArray()) {
      if (!first) out += ',';
      first = false;
      go_json_value(out, item);
    }
    out += ']';
    return;
  }
  out += json::serialize(v);
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg(data);
  std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bits >> (i * 8)) & 0xff);
  for (std::size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i)
      w[i] = (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + i * 4])) << 24) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + i * 4 + 1])) << 16) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + i * 4 + 2])) << 8) |
             static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + i * 4 + 3]));
    for (std::size_t i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, hh] = h;
    for (std::size_t i = 0; i < 64; ++i) {
      std::uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (auto word : h)
    for (int i = 28; i >= 0; i -= 4) out += digits[(word >> i) & 0xf];
  return out;
}

void go_json_string(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; invalid bytes become U+FFFD as in Go.
    std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    std::uint32_t cp = len == 4 ? c & 0x07u : len == 3 ? c & 0x0fu : c & 0x1fu;
    bool ok = len != 0 && i + len <= s.size() && c < 0xf5 && c != 0xc0 && c != 0xc1;
    for (std::size_t j = 1; ok && j < len; ++j) {
      auto cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))))
      ok = false;
    if (!ok) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    else out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
}

void add_name_hashes(resmap& ra) {
  for (auto& r : ra) {
    if (!r.needs_hash) continue;
    r.store_prev();
    r.set_name(r.name() + "-" + name_hash(r.obj));
  }
}

std::string name_hash(const rapidjson::Value& object) {
  std::string kind(json::get_string(object, "kind").value_or(""));
  // kustomize looks the name up as one field called "metadata/name", which never exists, so its
  // hashes cover an empty name; reproduced on purpose to get the same suffixes.
  std::string name;
  auto field = [&](std::string& out, const char* key) {
    const rapidjson::Value* v = json::find(object, key);
    if (v == nullptr || v->IsNull()) out += "\"\"";
    else go_json_value(out, *v);
  };
  auto has_map = [&](const char* key) {
    const rapidjson::Value* v = json::find(object, key);
    return v != nullptr && v->IsObject();
  };
  std::string text;
  if (kind == "ConfigMap") {
    text = "{";
    if (has_map("binaryData")) {
      text += "\"binaryData\":";
      field(text, "binaryData");
      text += ',';
    }
    text += "\"data\":";
    field(text, "data");
    text += ",\"kind\":\"ConfigMap\",\"name\":";
    go_json_string(text, name);
    text += '}';
  } else {
    text = "{\"data\":";
    field(text, "data");
    text += ",\"kind\":\"Secret\",\"name\":";
    go_json_string(text, name);
    if (has_map("stringData")) {
      text += ",\"stringData\":";
      field(text, "stringData");
    }
    text += ",\"type\":";
    field(text, "type");
    text += '}';
  }
  std::string hex = sha256_hex(text).substr(0, 10);
  for (char& c : hex) {
    switch (c) {
      case '0': c = 'g'; break;
      case '1': c = 'h'; break;
      case '3': c = 'k'; break;
      case 'a': c = 'm'; break;
      case 'e': c = 't'; break;
      default: break;
    }
  }
  return hex;
}

}  // namespace gitopsd::render::kustomize
