#include "gitopsd/git/ref.hpp"

#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/semver.hpp"

#include <algorithm>
#include <cctype>

namespace gitopsd::git {
namespace {

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// A conservative subset of git-check-ref-format.
bool valid_ref_name(std::string_view n) {
  if (n.empty() || n.front() == '-' || n.front() == '/' || n.back() == '/' || n.back() == '.') return false;
  if (n.find("..") != std::string_view::npos || n.find("//") != std::string_view::npos ||
      n.find("@{") != std::string_view::npos || n.ends_with(".lock"))
    return false;
  return std::none_of(n.begin(), n.end(), [](unsigned char c) {
    return c <= ' ' || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' || c == '\\';
  });
}

const remote_ref* find(const std::vector<remote_ref>& listing, std::string_view name) {
  auto it = std::find_if(listing.begin(), listing.end(), [&](const remote_ref& r) { return r.name == name; });
  return it == listing.end() ? nullptr : &*it;
}

// A tag, preferring the peeled "^{}" line (the commit) over the tag object.
resolved_ref tag_ref(const std::vector<remote_ref>& listing, const remote_ref& tag, std::string label) {
  resolved_ref r{tag.name, std::move(label), tag.oid, false, {}, tag.oid};
  if (const auto* peeled = find(listing, tag.name + "^{}")) {
    r.oid = peeled->oid;
    r.oid_is_commit = true;
  }
  return r;
}

}  // namespace

std::string describe(const ref_spec& ref) {
  switch (ref.type) {
    case ref_spec::kind::branch: return "branch \"" + ref.value + "\"";
    case ref_spec::kind::tag: return "tag \"" + ref.value + "\"";
    case ref_spec::kind::semver: return "semver range \"" + ref.value + "\"";
    case ref_spec::kind::commit:
      return "commit " + ref.value + (ref.branch.empty() ? "" : " on branch \"" + ref.branch + "\"");
  }
  return "ref";
}

result<ref_spec> validate(ref_spec ref) {
  auto bad = [&](std::string_view why) {
    return make_error(errc::invalid_ref, "invalid " + describe(ref) + ": " + std::string(why));
  };
  switch (ref.type) {
    case ref_spec::kind::branch:
    case ref_spec::kind::tag:
      if (!valid_ref_name(ref.value)) return bad("not a valid Git reference name");
      break;
    case ref_spec::kind::semver:
      if (auto r = semver::range::parse(ref.value); !r) return r.error();
      break;
    case ref_spec::kind::commit:
      if (!is_hex40(ref.value)) return bad("a commit must be a full 40-character hexadecimal SHA-1");
      std::transform(ref.value.begin(), ref.value.end(), ref.value.begin(), [](unsigned char c) { return std::tolower(c); });
      if (!ref.branch.empty() && !valid_ref_name(ref.branch)) return bad("the branch is not a valid Git reference name");
      break;
  }
  return ref;
}

result<ref_spec> ref_from_options(std::string_view branch, std::string_view tag, std::string_view semver,
                                  std::string_view commit) {
  const int given = !branch.empty() + !tag.empty() + !semver.empty() + !commit.empty();
  if (given == 0) return make_error(errc::invalid_ref, "no ref given: use one of branch, tag, semver or commit");
  if (!commit.empty()) {
    if (given - !branch.empty() > 1) return make_error(errc::invalid_ref, "a commit may only be combined with a branch");
    return validate(ref_spec::make_commit(std::string(commit), std::string(branch)));
  }
  if (given > 1) return make_error(errc::invalid_ref, "give only one of branch, tag or semver");
  if (!branch.empty()) return validate(ref_spec::make_branch(std::string(branch)));
  if (!tag.empty()) return validate(ref_spec::make_tag(std::string(tag)));
  return validate(ref_spec::make_semver(std::string(semver)));
}

result<resolved_ref> resolve(const ref_spec& ref, const std::vector<remote_ref>& listing, std::string_view url) {
  auto not_found = [&](std::string_view why = {}) {
    return make_error(errc::ref_not_found, describe(ref) + " not found in " + std::string(url) + std::string(why));
  };
  switch (ref.type) {
    case ref_spec::kind::branch: {
      const auto* b = find(listing, "refs/heads/" + ref.value);
      if (!b) return not_found();
      return resolved_ref{b->name, ref.value, b->oid, true, {}, {}};
    }
    case ref_spec::kind::tag: {
      const auto* t = find(listing, "refs/tags/" + ref.value);
      if (!t) return not_found();
      return tag_ref(listing, *t, ref.value);
    }
    case ref_spec::kind::semver: {
      auto range = semver::range::parse(ref.value);
      if (!range) return range.error();
      std::vector<std::string> tags;
      for (const auto& r : listing)
        if (r.name.starts_with("refs/tags/") && !r.name.ends_with("^{}")) tags.push_back(r.name.substr(10));
      auto best = semver::pick_highest(*range, tags);
      if (!best) return not_found(": no tag matches the range");
      return tag_ref(listing, *find(listing, "refs/tags/" + *best), *best);
    }
    case ref_spec::kind::commit: {
      if (ref.branch.empty()) return resolved_ref{{}, {}, ref.value, true, ref.value, {}};
      const auto* b = find(listing, "refs/heads/" + ref.branch);
      if (!b) return make_error(errc::ref_not_found, "branch \"" + ref.branch + "\" not found in " + std::string(url));
      return resolved_ref{b->name, ref.branch, b->oid, true, ref.value, {}};
    }
  }
  return not_found();
}

std::string revision(const resolved_ref& r, std::string_view commit) {
  std::string rev = r.label.empty() ? "" : r.label + "@";
  return rev + "sha1:" + std::string(commit);
}

}  // namespace gitopsd::git
