#pragma once
// A file_tree held in memory, for render tests.
#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/file_tree.hpp"

#include <map>
#include <set>
#include <string>

namespace gitopsd::testing {

class memory_tree final : public file_tree {
 public:
  std::map<std::string, std::string> files;

  result<std::vector<tree_entry>> list(std::string_view dir) const override {
    auto d = normalize_tree_path(dir);
    if (!d) return d.error();
    std::string prefix = d->empty() ? "" : *d + "/";
    std::map<std::string, tree_entry::kind> seen;
    for (const auto& [path, _] : files) {
      if (path.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = path.substr(prefix.size());
      auto slash = rest.find('/');
      if (slash == std::string::npos) seen[rest] = tree_entry::kind::file;
      else seen[rest.substr(0, slash)] = tree_entry::kind::directory;
    }
    if (seen.empty() && !d->empty())
      return make_error(std::make_error_code(std::errc::no_such_file_or_directory), std::string(dir) + ": missing");
    std::vector<tree_entry> out;
    for (const auto& [name, kind] : seen) out.push_back({name, kind});
    return out;
  }

  result<std::string> read(std::string_view file) const override {
    auto f = normalize_tree_path(file);
    if (!f) return f.error();
    auto it = files.find(*f);
    if (it == files.end())
      return make_error(std::make_error_code(std::errc::no_such_file_or_directory),
                        std::string(file) + ": no such file or directory");
    return it->second;
  }

  result<tree_entry::kind> stat(std::string_view path) const override {
    auto p = normalize_tree_path(path);
    if (!p) return p.error();
    if (p->empty() || files.count(*p) == 0) {
      std::string prefix = p->empty() ? "" : *p + "/";
      for (const auto& [name, _] : files)
        if (name.compare(0, prefix.size(), prefix) == 0) return tree_entry::kind::directory;
      return make_error(std::make_error_code(std::errc::no_such_file_or_directory),
                        std::string(path) + ": no such file or directory");
    }
    return tree_entry::kind::file;
  }
};

}  // namespace gitopsd::testing
