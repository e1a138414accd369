#pragma once
// `gitopsd tree`: a GitRepository's inventory drawn as namespace > kind > object, each object with
// its kstatus health.

#include "gitopsd/core/identity.hpp"

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <vector>

namespace gitopsd::cli {

struct tree_item {
  object_ref ref;
  std::string health;   // Current, InProgress, Failed, NotFound or Unknown
  std::string message;  // why not Current
};

// Colors a health word; may be empty.
using health_painter = std::function<std::string(const std::string& health)>;

// `root` is the first line. Namespaces sorted with cluster-scoped objects first under
// "(cluster)", kinds and names sorted within.
std::string render_tree(const std::string& root, std::vector<tree_item> items, const health_painter& paint = {});

// The same as JSON: {"namespaces": [{"name", "kinds": [{"kind", "group", "objects": [{"name", "health", "message"}]}]}]}.
rapidjson::Document tree_json(const std::string& owner, std::vector<tree_item> items);

}  // namespace gitopsd::cli
