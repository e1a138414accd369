#include "gitopsd/core/recording_tree.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <system_error>

namespace gitopsd {
namespace {

std::string sha256(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), md, &size, EVP_sha256(), nullptr) != 1) return "?";  // never equal below
  return std::string(reinterpret_cast<const char*>(md), size);
}

// An error's digest: its code, not its text (which may name the path or a cache folder).
std::string error_digest(const error& e) {
  return "E" + std::string(e.code.category().name()) + ":" + std::to_string(e.code.value());
}

char kind_char(tree_entry::kind k) {
  switch (k) {
    case tree_entry::kind::file: return 'f';
    case tree_entry::kind::directory: return 'd';
    case tree_entry::kind::symlink: return 'l';
  }
  return '?';
}

std::string list_digest(const result<std::vector<tree_entry>>& r) {
  if (!r) return error_digest(r.error());
  std::string text;
  for (const auto& e : *r) {
    text += kind_char(e.type);
    text += e.name;
    text += '\0';
  }
  return "L" + sha256(text);
}

std::string stat_digest(const result<tree_entry::kind>& r) {
  return r ? std::string(1, kind_char(*r)) : error_digest(r.error());
}

std::string path_digest(const result<std::string>& r) { return r ? "P" + *r : error_digest(r.error()); }

// A file by its id where the tree has one (Git's blob id: nothing read), else by its content.
std::string content_digest(const std::optional<std::string>& id, const result<std::string>& content) {
  if (id) return "I" + *id;
  return content ? "C" + sha256(*content) : error_digest(content.error());
}

std::string found_digest(const result<std::vector<named_file>>& r) {
  if (!r) return error_digest(r.error());
  std::string text;
  for (const auto& f : *r) {
    text += f.path;
    text += '\0';
    text += sha256(f.content);
  }
  return "F" + sha256(text);
}

// A find_named search as an access path: its folder, file name and limits, one per line.
std::string find_key(std::string_view dir, std::string_view name, const walk_limits& lim) {
  return std::string(dir) + "\n" + std::string(name) + "\n" + std::to_string(lim.max_folders) + "\n" +
         std::to_string(lim.max_depth);
}

result<std::vector<named_file>> find_by_key(const file_tree& tree, std::string_view key) {
  std::vector<std::string> parts;
  for (std::size_t b = 0;;) {
    auto e = key.find('\n', b);
    parts.emplace_back(key.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  walk_limits lim;
  auto number = [](const std::string& text, std::size_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  };
  if (parts.size() != 4 || !number(parts[2], lim.max_folders) || !number(parts[3], lim.max_depth))
    return make_error(std::make_error_code(std::errc::invalid_argument), "bad search key");
  return tree.find_named(parts[0], parts[1], lim);
}

}  // namespace

recording_tree::recording_tree(const file_tree& inner, std::size_t max_accesses, std::size_t max_bytes)
    : inner_(inner), max_accesses_(max_accesses), max_bytes_(max_bytes) {}

void recording_tree::record(tree_access::op what, std::string_view path, std::string digest) const {
  std::lock_guard lock(mutex_);
  if (overflow_) return;
  tree_access a{what, std::string(path), std::move(digest)};
  std::size_t size = a.path.size() + a.digest.size();
  if (!seen_.insert(std::move(a)).second) return;
  bytes_ += size;
  if (seen_.size() > max_accesses_ || bytes_ > max_bytes_) {
    overflow_ = true;
    seen_.clear();
  }
}

result<std::vector<tree_entry>> recording_tree::list(std::string_view dir) const {
  auto r = inner_.list(dir);
  record(tree_access::op::list, dir, list_digest(r));
  return r;
}

result<std::string> recording_tree::read(std::string_view file) const {
  auto r = inner_.read(file);
  record(tree_access::op::read, file, content_digest(inner_.content_id(file), r));
  return r;
}

result<tree_entry::kind> recording_tree::stat(std::string_view path) const {
  auto r = inner_.stat(path);
  record(tree_access::op::stat, path, stat_digest(r));
  return r;
}

result<std::string> recording_tree::real_path(std::string_view path) const {
  auto r = inner_.real_path(path);
  record(tree_access::op::real_path, path, path_digest(r));
  return r;
}

std::optional<std::string> recording_tree::content_id(std::string_view file) const { return inner_.content_id(file); }

result<std::vector<named_file>> recording_tree::find_named(std::string_view dir, std::string_view name,
                                                           const walk_limits& lim) const {
  auto r = inner_.find_named(dir, name, lim);
  record(tree_access::op::find, find_key(dir, name, lim), found_digest(r));
  return r;
}

std::optional<std::vector<tree_access>> recording_tree::accesses() const {
  std::lock_guard lock(mutex_);
  if (overflow_) return std::nullopt;
  return std::vector<tree_access>(seen_.begin(), seen_.end());
}

std::string access_digest(const file_tree& tree, tree_access::op what, std::string_view path) {
  switch (what) {
    case tree_access::op::list: return list_digest(tree.list(path));
    case tree_access::op::stat: return stat_digest(tree.stat(path));
    case tree_access::op::real_path: return path_digest(tree.real_path(path));
    case tree_access::op::find: return found_digest(find_by_key(tree, path));
    case tree_access::op::read: {
      auto id = tree.content_id(path);
      return id ? content_digest(id, std::string()) : content_digest(std::nullopt, tree.read(path));
    }
  }
  return "?";
}

bool same_answers(const file_tree& tree, const std::vector<tree_access>& accesses) {
  return std::all_of(accesses.begin(), accesses.end(),
                     [&](const tree_access& a) { return access_digest(tree, a.what, a.path) == a.digest; });
}

}  // namespace gitopsd
