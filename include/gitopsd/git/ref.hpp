#pragma once
// Which commit a source wants (Flux's ref kinds) and how to pick it from a remote's ref listing.
// Pure code: the listing comes from libgit2 elsewhere.

#include "gitopsd/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::git {

struct ref_spec {
  enum class kind { branch, tag, semver, commit };
  kind type = kind::branch;
  std::string value;   // branch name, tag name, semver range, or 40-hex commit
  std::string branch;  // only for kind::commit: the branch the commit is on (optional)

  static ref_spec make_branch(std::string b) { return {kind::branch, std::move(b), {}}; }
  static ref_spec make_tag(std::string t) { return {kind::tag, std::move(t), {}}; }
  static ref_spec make_semver(std::string r) { return {kind::semver, std::move(r), {}}; }
  static ref_spec make_commit(std::string sha, std::string on_branch = {}) {
    return {kind::commit, std::move(sha), std::move(on_branch)};
  }
};

// "branch main", "tag v1", "semver ^1", "commit abc… (branch main)": for messages.
std::string describe(const ref_spec& ref);

// The ref from CLI-style options (--branch, --tag, --semver, --commit; empty = not given). Exactly
// one of branch/tag/semver/commit, except that --commit may come with --branch. Validated.
result<ref_spec> ref_from_options(std::string_view branch, std::string_view tag, std::string_view semver,
                                  std::string_view commit);

// Checks names (no "..", blanks, control characters, leading '-'), 40-hex commits and semver ranges.
result<ref_spec> validate(ref_spec ref);

// One line of a remote listing. Peeled annotated tags appear as "refs/tags/v1^{}".
struct remote_ref {
  std::string name;
  std::string oid;  // 40 hex
};

// The outcome of matching a ref_spec against a listing.
struct resolved_ref {
  std::string refname;   // full name to fetch ("refs/heads/main"); empty for a bare commit
  std::string label;     // "main", "v1.2.0"; empty for a bare commit
  std::string oid;       // what the ref points at (a commit, or an annotated tag object)
  bool oid_is_commit = false;  // true when `oid` is known to be a commit (branch, peeled tag, commit)
  std::string wanted_commit;   // for kind::commit: the requested sha
  std::string tag_object;      // for a tag: what refs/tags/<name> points at (an annotated tag object, or the commit)
};

// errc::ref_not_found naming the ref and URL when nothing matches.
result<resolved_ref> resolve(const ref_spec& ref, const std::vector<remote_ref>& listing, std::string_view url);

// The revision string recorded in status: "main@sha1:<40 hex>", "sha1:<40 hex>" for a bare commit.
std::string revision(const resolved_ref& r, std::string_view commit);

}  // namespace gitopsd::git
