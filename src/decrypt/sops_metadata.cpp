#include "sops_metadata.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

#include <charconv>

namespace gitopsd::decrypt {
namespace {

constexpr std::size_t max_wrapped_keys = 64;

std::string string_member(const rapidjson::Value& o, const char* name) {
  auto m = o.FindMember(name);
  if (m == o.MemberEnd() || !m->value.IsString()) return {};
  return std::string(m->value.GetString(), m->value.GetStringLength());
}

result<void> read_keys(const rapidjson::Value& group, const char* kind, const char* id_field, std::vector<wrapped_key>& out) {
  auto m = group.FindMember(kind);
  if (m == group.MemberEnd() || m->value.IsNull()) return {};
  if (!m->value.IsArray()) return make_error(errc::malformed, fmt::format("sops.{} is not a list", kind));
  for (const auto& entry : m->value.GetArray()) {
    if (!entry.IsObject()) return make_error(errc::malformed, fmt::format("an entry of sops.{} is not a mapping", kind));
    if (out.size() >= max_wrapped_keys) return make_error(errc::malformed, fmt::format("sops.{} lists more than {} keys", kind, max_wrapped_keys));
    wrapped_key k{string_member(entry, id_field), string_member(entry, "enc")};
    if (k.enc.empty()) return make_error(errc::malformed, fmt::format("an entry of sops.{} has no enc", kind));
    out.push_back(std::move(k));
  }
  return {};
}

result<void> read_group(const rapidjson::Value& group, sops_metadata& md) {
  if (auto ok = read_keys(group, "age", "recipient", md.age); !ok) return ok;
  if (auto ok = read_keys(group, "pgp", "fp", md.openpgp); !ok) return ok;
  for (const char* service : {"kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"}) {
    auto m = group.FindMember(service);
    if (m != group.MemberEnd() && m->value.IsArray() && !m->value.Empty()) md.other_services.emplace_back(service);
  }
  return {};
}

bool present(const rapidjson::Value& o, const char* name) {
  auto m = o.FindMember(name);
  return m != o.MemberEnd() && !m->value.IsNull() && !(m->value.IsString() && m->value.GetStringLength() == 0);
}

}  // namespace

std::string normalize_rfc3339(std::string_view t) {
  std::string out(t);
  auto dot = out.find('.');
  if (dot != std::string::npos && dot > 10) {
    auto end = dot + 1;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    out.erase(dot, end - dot);
  }
  for (std::string_view zero : {"+00:00", "-00:00"})
    if (out.size() > zero.size() && std::string_view(out).substr(out.size() - zero.size()) == zero)
      out.replace(out.size() - zero.size(), zero.size(), "Z");
  return out;
}

result<sops_metadata> read_metadata(const rapidjson::Value& sops) {
  if (!sops.IsObject()) return make_error(errc::malformed, "the sops entry is not a mapping");
  sops_metadata md;
  md.mac = string_member(sops, "mac");
  md.last_modified = normalize_rfc3339(string_member(sops, "lastmodified"));
  if (md.mac.empty()) return make_error(errc::malformed, "sops.mac is missing");
  if (md.last_modified.empty()) return make_error(errc::malformed, "sops.lastmodified is missing");

  // Keys at the top level win over key_groups, as with SOPS.
  if (auto ok = read_group(sops, md); !ok) return ok.error();
  auto groups = sops.FindMember("key_groups");
  bool top_level = !md.age.empty() || !md.openpgp.empty() || !md.other_services.empty();
  if (!top_level && groups != sops.MemberEnd() && groups->value.IsArray() && !groups->value.Empty()) {
    // Several groups split the data key (Shamir's scheme); one group is a plain list of keys.
    if (groups->value.Size() > 1)
      return make_error(errc::unsupported, "the data key is split over several key groups (Shamir), which is not supported");
    if (!groups->value[0].IsObject()) return make_error(errc::malformed, "sops.key_groups[0] is not a mapping");
    if (auto ok = read_group(groups->value[0], md); !ok) return ok.error();
  }

  for (const char* comment_rule : {"unencrypted_comment_regex", "encrypted_comment_regex"})
    if (present(sops, comment_rule))
      return make_error(errc::unsupported, fmt::format("sops.{} is not supported (it depends on YAML comments)", comment_rule));
  int rules = 0;
  auto rule = [&](const char* name, std::string& into) {
    into = string_member(sops, name);
    if (!into.empty()) ++rules;
  };
  rule("unencrypted_suffix", md.rules.unencrypted_suffix);
  rule("encrypted_suffix", md.rules.encrypted_suffix);
  rule("unencrypted_regex", md.rules.unencrypted_regex);
  rule("encrypted_regex", md.rules.encrypted_regex);
  if (rules > 1) return make_error(errc::malformed, "sops sets more than one of the encrypted/unencrypted suffix and regex rules");
  if (rules == 0) md.rules.unencrypted_suffix = "_unencrypted";
  auto only = sops.FindMember("mac_only_encrypted");
  if (only != sops.MemberEnd()) {
    // Written as a boolean, or as text in dotenv files.
    std::string_view text = only->value.IsString() ? std::string_view(only->value.GetString(), only->value.GetStringLength()) : "";
    md.rules.mac_only_encrypted = (only->value.IsBool() && only->value.GetBool()) || text == "true" || text == "True" ||
                                  text == "TRUE" || text == "t" || text == "T" || text == "1";
  }
  return md;
}

result<sops_metadata> read_flat_metadata(const std::vector<std::pair<std::string, std::string>>& entries) {
  // Metadata is a few fields per wrapped key: more, or longer names, is not SOPS's (and the
  // unflattening below costs time per entry and name length).
  constexpr std::size_t max_entries = 4 * max_wrapped_keys + 32, max_name = 256;
  if (entries.size() > max_entries)
    return make_error(errc::malformed, fmt::format("more than {} sops_ entries", max_entries));
  for (const auto& e : entries)
    if (e.first.size() > max_name) return make_error(errc::malformed, fmt::format("a sops_ entry name is longer than {} bytes", max_name));
  // Unflattens "a__list_0__map_b" paths into a document, then reads it as the nested form.
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  constexpr std::string_view list_sep = "__list_";
  constexpr std::string_view map_sep = "__map_";
  for (const auto& [flat, text] : entries) {
    rapidjson::Value* at = &doc;
    std::string_view rest = flat;
    std::string key;
    auto next_sep = [&] {
      auto l = rest.find(list_sep), m = rest.find(map_sep);
      return std::min(l, m);
    };
    auto cut = next_sep();
    key = std::string(rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut);
    // Walk: `key` names a member of the object at `at`; each separator goes one level down.
    while (true) {
      if (!at->IsObject()) return make_error(errc::malformed, "the dotenv sops_ entries do not form a mapping");
      auto m = at->FindMember(key.c_str());
      if (rest.empty()) {
        if (m != at->MemberEnd()) return make_error(errc::malformed, "a dotenv sops_ entry is given twice");
        at->AddMember(rapidjson::Value(key.c_str(), alloc), rapidjson::Value(text.c_str(), alloc), alloc);
        break;
      }
      bool is_list = rest.substr(0, list_sep.size()) == list_sep;
      rest.remove_prefix(is_list ? list_sep.size() : map_sep.size());
      cut = next_sep();
      std::string part(rest.substr(0, cut));
      rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut);
      if (m == at->MemberEnd()) {
        at->AddMember(rapidjson::Value(key.c_str(), alloc),
                      is_list ? rapidjson::Value(rapidjson::kArrayType) : rapidjson::Value(rapidjson::kObjectType), alloc);
        m = at->FindMember(key.c_str());
      }
      if (is_list) {
        std::size_t index = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
        if (!m->value.IsArray() || ec != std::errc() || end != part.data() + part.size() || index > m->value.Size() ||
            index >= max_wrapped_keys)
          return make_error(errc::malformed, "a dotenv sops_ list entry is out of order");
        if (index == m->value.Size()) m->value.PushBack(rapidjson::Value(rapidjson::kObjectType), alloc);
        at = &m->value[static_cast<rapidjson::SizeType>(index)];
        // A list element is followed by its own member name.
        if (rest.substr(0, map_sep.size()) != map_sep) return make_error(errc::malformed, "a dotenv sops_ list entry has no field");
        rest.remove_prefix(map_sep.size());
        cut = next_sep();
        key = std::string(rest.substr(0, cut));
        rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut);
      } else {
        at = &m->value;
        key = std::move(part);
      }
    }
  }
  return read_metadata(doc);
}

}  // namespace gitopsd::decrypt
