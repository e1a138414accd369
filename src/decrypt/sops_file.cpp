#include "gitopsd/decrypt/sops.hpp"

#include "data_key_source.hpp"
#include "sops_metadata.hpp"
#include "sops_tree.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <limits>

namespace gitopsd::decrypt {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::string_view sealed_mark = "ENC[AES256_GCM,";

// A first document holding a `sops` mapping that carries any of SOPS's fields: an encrypted file
// (a damaged one too, such as one whose MAC was taken out, which must fail rather than pass as text).
bool has_metadata(const std::vector<rapidjson::Document>& docs) {
  if (docs.empty() || !docs.front().IsObject()) return false;
  auto m = docs.front().FindMember("sops");
  if (m == docs.front().MemberEnd() || !m->value.IsObject()) return false;
  for (const char* field : {"mac", "lastmodified", "version", "age", "pgp", "key_groups"})
    if (m->value.HasMember(field)) return true;
  return false;
}

// dotenv as SOPS reads it: KEY=VALUE lines ("\n" in a value is a newline), '#' comments.
struct dotenv_file {
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<std::pair<std::string, std::string>> metadata;  // "sops_" entries, prefix removed
  // Comment lines (without '#'), each before the entry at `before` (entries.size(): at the end).
  std::vector<std::pair<std::size_t, std::string>> comments;
};

result<dotenv_file> read_dotenv(std::string_view text) {
  dotenv_file out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      out.comments.emplace_back(out.entries.size(), std::string(line.substr(1)));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return make_error(errc::malformed, fmt::format("line {} has no '='", line_no));
    std::string key(line.substr(0, eq));
    std::string value;
    for (std::string_view v = line.substr(eq + 1); !v.empty();) {
      if (v.substr(0, 2) == "\\n") {
        value += '\n';
        v.remove_prefix(2);
      } else {
        value += v.front();
        v.remove_prefix(1);
      }
    }
    if (key.rfind("sops_", 0) == 0)
      out.metadata.emplace_back(key.substr(5), std::move(value));
    else
      out.entries.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

// Entries as SOPS writes them back, with the comment lines in their places.
std::string write_dotenv(const rapidjson::Value& doc, const std::vector<std::pair<std::size_t, std::string>>& comments) {
  std::string out;
  std::size_t index = 0;
  auto next_comment = comments.begin();
  auto comments_before = [&](std::size_t at) {
    for (; next_comment != comments.end() && next_comment->first <= at; ++next_comment)
      ((out += '#') += next_comment->second) += '\n';
  };
  for (const auto& m : doc.GetObject()) {
    comments_before(index++);
    std::string value = mac_bytes(m.value);
    (out += std::string_view(m.name.GetString(), m.name.GetStringLength())) += '=';
    for (char c : value) {
      if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    OPENSSL_cleanse(value.data(), value.size());
    out += '\n';
  }
  comments_before(std::numeric_limits<std::size_t>::max());
  return out;
}

// dotenv comments are encrypted at the top level: their additional data is the empty path, ":".
void open_comments(std::vector<std::pair<std::size_t, std::string>>& comments, const data_key& key) {
  for (auto& [_, text] : comments) {
    auto sealed = parse_sealed(text);
    if (!sealed || sealed->type != "comment") continue;
    if (auto plain = open_sealed(*sealed, key, ":")) text = std::move(*plain);
  }
}

std::string write_json(const rapidjson::Value& doc) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 4);
  doc.Accept(w);
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

}  // namespace

sops_format format_for_path(std::string_view path) {
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return sops_format::yaml;
  if (ends_with(path, ".json")) return sops_format::json;
  if (ends_with(path, ".env")) return sops_format::dotenv;
  if (ends_with(path, ".ini")) return sops_format::ini;
  return sops_format::binary;
}

bool has_sops_marks(std::string_view text, sops_format format) {
  if (text.find(sealed_mark) == std::string_view::npos) return false;
  switch (format) {
    case sops_format::dotenv: return text.rfind("sops_mac=ENC[", 0) == 0 || text.find("\nsops_mac=ENC[") != std::string_view::npos;
    case sops_format::ini: return text.find("[sops]") != std::string_view::npos;
    case sops_format::yaml: return text.find("sops") != std::string_view::npos;
    case sops_format::json:
    case sops_format::binary: return text.find("\"sops\"") != std::string_view::npos;
  }
  return false;
}

sops_decryptor::sops_decryptor(const keyring& keys, render::limits yaml)
    : yaml_(yaml), keys_(std::make_unique<data_key_source>(keys)) {
  // SOPS reads YAML with go-yaml v3: only true/false are booleans, timestamps stay text.
  yaml_.rules = render::yaml_rules::kustomize;
}

sops_decryptor::~sops_decryptor() = default;

result<std::optional<std::string>> sops_decryptor::decrypt_file(std::string_view text, std::string_view path) {
  auto format = format_for_path(path);
  if (!has_sops_marks(text, format)) return std::optional<std::string>{};
  if (format == sops_format::ini)
    return make_error(errc::unsupported, "SOPS files in the INI format are not supported");

  sops_metadata md;
  std::vector<rapidjson::Document> docs;
  std::vector<std::pair<std::size_t, std::string>> comments;
  if (format == sops_format::dotenv) {
    auto env = read_dotenv(text);
    if (!env) return env.error();
    auto flat = read_flat_metadata(env->metadata);
    if (!flat) return flat.error();
    md = std::move(*flat);
    comments = std::move(env->comments);
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    for (auto& [k, v] : env->entries)
      doc.AddMember(rapidjson::Value(k.c_str(), static_cast<rapidjson::SizeType>(k.size()), a),
                    rapidjson::Value(v.c_str(), static_cast<rapidjson::SizeType>(v.size()), a), a);
    docs.push_back(std::move(doc));
  } else {
    auto decoded = render::decode_documents(text, path, yaml_);
    // Text that does not parse, or has no SOPS metadata, is left for the render to judge.
    if (!decoded || !has_metadata(*decoded)) return std::optional<std::string>{};
    docs = std::move(*decoded);
    auto read = read_metadata(docs.front()["sops"]);
    if (!read) return read.error();
    md = std::move(*read);
    for (auto& d : docs)
      if (d.IsObject()) d.RemoveMember("sops");
  }

  auto select = value_selector::make(md.rules);
  if (!select) return select.error();
  auto key = keys_->unwrap(md);
  if (!key) return key.error();
  auto mac = decrypt_tree(docs, *select, *key);
  // Comments are outside the MAC; one that does not open stays as written, as with sops.
  if (mac && select->encrypted({})) open_comments(comments, *key);
  result<void> checked = mac ? check_mac(md.mac, md.last_modified, *mac, *key) : result<void>(mac.error());
  OPENSSL_cleanse(key->data(), key->size());
  if (!checked) return checked.error();

  std::string out;
  switch (format) {
    case sops_format::dotenv: out = write_dotenv(docs.front(), comments); break;
    case sops_format::json: out = write_json(docs.front()); break;
    case sops_format::binary: {
      auto data = docs.front().IsObject() ? docs.front().FindMember("data") : docs.front().MemberEnd();
      if (data == docs.front().MemberEnd() || !data->value.IsString())
        return make_error(errc::malformed, "a binary SOPS file has no string `data`");
      out.assign(data->value.GetString(), data->value.GetStringLength());
      break;
    }
    default:
      for (std::size_t i = 0; i < docs.size(); ++i) {
        if (i > 0) out += "---\n";
        out += render::to_yaml(docs[i]);
      }
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace gitopsd::decrypt
