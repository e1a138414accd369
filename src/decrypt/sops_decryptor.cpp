#include "gitopsd/decrypt/sops.hpp"

#include "data_key_source.hpp"
#include "sops_dotenv.hpp"
#include "sops_metadata.hpp"
#include "sops_text.hpp"
#include "sops_tree.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace gitopsd::decrypt {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::string_view sealed_mark = "ENC[AES256_GCM,";

// A `sops` key at the start of a line (YAML) or quoted (JSON), besides an encrypted value.
bool looks_like_sops_tree(std::string_view text) {
  return text.rfind("sops:", 0) == 0 || text.find("\nsops:") != std::string_view::npos ||
         text.find("\"sops\"") != std::string_view::npos;
}

bool has_sops_entry(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return false;
  auto m = doc.FindMember("sops");
  return m != doc.MemberEnd() && m->value.IsObject();
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

// The binary format: one document holding only `data` (its `sops` entry removed).
const rapidjson::Value* binary_data(const std::vector<rapidjson::Document>& docs) {
  if (docs.size() != 1 || !docs[0].IsObject() || docs[0].MemberCount() != 1) return nullptr;
  auto m = docs[0].FindMember("data");
  return m != docs[0].MemberEnd() && m->value.IsString() ? &m->value : nullptr;
}

}  // namespace

sops_format format_for_path(std::string_view path) {
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return sops_format::yaml;
  if (ends_with(path, ".json")) return sops_format::json;
  if (ends_with(path, ".env")) return sops_format::dotenv;
  if (ends_with(path, ".ini")) return sops_format::ini;
  return sops_format::binary;
}

bool has_sops_marks(std::string_view text) {
  return text.find(sealed_mark) != std::string_view::npos && text.find("sops") != std::string_view::npos;
}

sops_decryptor::sops_decryptor(const keyring& keys, render::limits yaml)
    : yaml_(yaml), keys_(std::make_unique<data_key_source>(keys)) {
  yaml_.rules = render::yaml_rules::sops;
}

sops_decryptor::~sops_decryptor() = default;

result<std::optional<std::string>> sops_decryptor::decrypt_file(std::string_view text, std::string_view path) {
  // Found by content, whatever the name: a dotenv generator input may be called secrets.txt.
  if (!has_sops_marks(text)) return std::optional<std::string>{};
  auto format = format_for_path(path);
  if (format == sops_format::ini && text.find("[sops]") != std::string_view::npos)
    return make_error(errc::unsupported, "SOPS files in the INI format are not supported");
  if (has_dotenv_metadata(text)) return decrypt_dotenv(text);

  auto decoded = render::decode_documents(text, path, yaml_);
  if (!decoded) {
    // A generator input is not parsed again by the render: a SOPS file this reader refuses (too
    // deep, too large) must fail here, not pass on as ciphertext.
    if (looks_like_sops_tree(text))
      return make_error(errc::malformed,
                        fmt::format("it looks encrypted with SOPS but does not parse: {}", decoded.error().what()));
    return std::optional<std::string>{};
  }
  auto& docs = *decoded;
  // SOPS keeps its metadata in the first document and covers every document with it; files
  // encrypted one by one and joined keep one entry per document (Flux decrypts those one by one).
  std::vector<std::vector<std::size_t>> groups;
  if (!docs.empty() && has_sops_entry(docs[0])) {
    groups.emplace_back();
    for (std::size_t i = 0; i < docs.size(); ++i) groups.back().push_back(i);
  } else {
    for (std::size_t i = 0; i < docs.size(); ++i)
      if (has_sops_entry(docs[i])) groups.push_back({i});
  }
  if (groups.empty()) return std::optional<std::string>{};

  std::size_t entries = 0;
  std::vector<opened_value> opened;
  for (const auto& group : groups) {
    auto md = read_metadata(docs[group.front()]["sops"]);
    if (!md) return md.error();
    std::vector<rapidjson::Document*> members;
    for (auto i : group) {
      if (docs[i].IsObject() && docs[i].RemoveMember("sops")) ++entries;
      members.push_back(&docs[i]);
    }
    if (auto ok = decrypt_group(*md, members, &opened); !ok) return ok.error();
  }

  auto first = text.find_first_not_of(" \t\r\n");
  bool json_text = format == sops_format::json ||
                   (format != sops_format::yaml && first != std::string_view::npos && text[first] == '{');
  if (json_text) {
    const auto* data = format == sops_format::json ? nullptr : binary_data(docs);
    if (data != nullptr) return std::optional<std::string>(std::string(data->GetString(), data->GetStringLength()));
    if (docs.size() == 1) return std::optional<std::string>(write_json(docs[0]));
  }
  // YAML: the file's own text with the values put back, so it reads as its plain version would.
  if (auto same = substitute_plaintext(text, opened, entries)) {
    auto again = render::decode_documents(*same, path, yaml_);
    bool equal = again && again->size() == docs.size();
    for (std::size_t i = 0; equal && i < docs.size(); ++i) equal = (*again)[i] == docs[i];
    if (equal) return std::optional<std::string>(std::move(*same));
  }
  std::string out;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += "---\n";
    out += render::to_yaml(docs[i]);
  }
  return std::optional<std::string>(std::move(out));
}

result<void> sops_decryptor::decrypt_group(const sops_metadata& md, std::vector<rapidjson::Document*>& docs,
                                           std::vector<opened_value>* opened) {
  auto select = value_selector::make(md.rules);
  if (!select) return select.error();
  auto key = keys_->unwrap(md);
  if (!key) return key.error();
  auto mac = decrypt_tree(docs, *select, *key, opened);
  result<void> checked = mac ? check_mac(md.mac, md.last_modified, *mac, *key) : result<void>(mac.error());
  OPENSSL_cleanse(key->data(), key->size());
  return checked;
}

result<std::optional<std::string>> sops_decryptor::decrypt_dotenv(std::string_view text) {
  auto env = read_dotenv(text);
  if (!env) return env.error();
  auto md = read_flat_metadata(env->metadata);
  if (!md) return md.error();
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  for (auto& [k, v] : env->entries)
    doc.AddMember(rapidjson::Value(k.c_str(), static_cast<rapidjson::SizeType>(k.size()), a),
                  rapidjson::Value(v.c_str(), static_cast<rapidjson::SizeType>(v.size()), a), a);
  auto select = value_selector::make(md->rules);
  if (!select) return select.error();
  auto key = keys_->unwrap(*md);
  if (!key) return key.error();
  std::vector<rapidjson::Document*> docs{&doc};
  auto mac = decrypt_tree(docs, *select, *key);
  result<void> checked = mac ? check_mac(md->mac, md->last_modified, *mac, *key) : result<void>(mac.error());
  if (checked && select->encrypted({})) open_dotenv_comments(*env, *key);
  OPENSSL_cleanse(key->data(), key->size());
  if (!checked) return checked.error();
  return std::optional<std::string>(write_dotenv(doc, *env));
}

}  // namespace gitopsd::decrypt
