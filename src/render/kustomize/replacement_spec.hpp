#pragma once
// Internal: a kustomization's `replacements` entries, as read from the file (inline or `path`).

#include "fieldspec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::render::kustomize {

struct replacement_selector {
  gvk type;
  std::string name, ns, label_selector, annotation_selector;
};

struct replacement_options {
  std::string delimiter;
  std::int64_t index = 0;
  bool create = false;
};

struct replacement_target {
  replacement_selector select;
  std::vector<replacement_selector> reject;
  std::vector<std::string> field_paths;
  std::optional<replacement_options> options;
};

struct replacement_spec {
  std::optional<replacement_selector> source;
  std::string field_path;  // of the source; empty means metadata.name
  std::optional<replacement_options> source_options;
  std::optional<std::string> source_value;
  std::vector<replacement_target> targets;
  bool has_targets = false;
};

}  // namespace gitopsd::render::kustomize
