#pragma once
// Internal: a kustomization's `vars` entries (kustomize's deprecated Var type).

#include "fieldspec.hpp"

#include <string>

namespace gitopsd::render::kustomize {

struct var_spec {
  std::string name;
  gvk type;                                   // matched exactly: an empty version matches no object
  std::string obj_name, ns;                   // ns empty: any namespace
  std::string field_path = "metadata.name";   // fieldref.fieldpath, dotted
  std::string file;                           // the kustomization declaring it, for messages
};

}  // namespace gitopsd::render::kustomize
