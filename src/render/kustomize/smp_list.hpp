#pragma once
// Internal: how kustomize's kyaml merges a list with merge keys (walk/associative_sequence.go),
// step for step, quirks included: an element is found by its keys' text, a key a patch element
// lacks matches any value only where some element has that key, and the target's own elements
// are set back last (so `$patch: replace` on one element leaves it as it was).
#include "fieldspec.hpp"

#include "gitopsd/core/error.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

struct keyed_list_ops {
  // Merges patch element `patch` into target element `target` in place.
  std::function<result<void>(rapidjson::Value& target, const rapidjson::Value& patch)> merge;
  // Sets `out` to what patch element `patch` adds where no target element matches.
  std::function<result<void>(rapidjson::Value& out, const rapidjson::Value& patch)> add;
  // The error for an unknown `$patch` value.
  std::function<error(std::string_view directive)> unknown;
  // The list lies below the top of what a patch adds: kyaml merges it with itself, so an element's
  // unknown `$patch` is refused even where the target has no such element.
  bool added = false;
};

// kyaml's merge takes about (elements)^2 steps: the caller refuses lists longer than this.
constexpr std::size_t max_keyed_list = 3'000;

// Merges `patch` into `target` (both lists) by `keys` (one or two), the patch's new elements first.
// The list's own `$patch` (an element holding only that key) is handled by the caller.
result<void> merge_keyed_list(rapidjson::Value& target, const rapidjson::Value& patch,
                              const std::vector<std::string_view>& keys, alloc_t& a, const keyed_list_ops& ops);

// What kyaml does with a list a patch adds (or one `$patch: replace` gives): it merges the list with
// itself, one node being both target and patch, so deleting an element by a key it lacks removes
// the elements that have that key.
result<void> merge_list_with_itself(rapidjson::Value& list, const std::vector<std::string_view>& keys, alloc_t& a,
                                    const keyed_list_ops& ops);

}  // namespace gitopsd::render::kustomize
