#pragma once
// What a render read: a file_tree that forwards to another and records each distinct access (list,
// stat, real_path, read) with a digest of its answer. Replayed against a later commit's tree, the
// record tells whether a render there would read exactly the same, without rendering: a commit to
// a monorepo that touches none of an application's files is no change for it.

#include "gitopsd/core/file_tree.hpp"

#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd {

struct tree_access {
  // find: one entry for a whole find_named search (its path names the search, see find_key).
  enum class op : char { list = 'L', stat = 'S', real_path = 'P', read = 'R', find = 'F' };
  op what;
  std::string path;
  std::string digest;  // of the answer, errors included
  auto operator<=>(const tree_access&) const = default;
};

class recording_tree final : public file_tree {
 public:
  // More than `max_accesses` distinct accesses (or paths and digests over `max_bytes`): the
  // record is dropped, and accesses() says none.
  recording_tree(const file_tree& inner, std::size_t max_accesses, std::size_t max_bytes);

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override;
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override;
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override;
  [[nodiscard]] std::optional<std::string> content_id(std::string_view file) const override;
  // Searched in the inner tree and kept as one access: the folders walked are not reads of the
  // render (a file added elsewhere in a monorepo changes nothing), only what was found is.
  [[nodiscard]] result<std::vector<named_file>> find_named(std::string_view dir, std::string_view name,
                                                           const walk_limits& lim) const override;

  [[nodiscard]] std::optional<std::vector<tree_access>> accesses() const;

 private:
  void record(tree_access::op what, std::string_view path, std::string digest) const;

  const file_tree& inner_;
  std::size_t max_accesses_;
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  mutable std::set<tree_access> seen_;
  mutable std::size_t bytes_ = 0;
  mutable bool overflow_ = false;
};

// The digest `tree` gives for one access now: equal to the recorded one when the answer is.
std::string access_digest(const file_tree& tree, tree_access::op what, std::string_view path);

// True when `tree` answers every recorded access as it did then.
bool same_answers(const file_tree& tree, const std::vector<tree_access>& accesses);

}  // namespace gitopsd
