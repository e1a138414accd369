#pragma once
// Internal: kustomize's built-in plugins configured by `transformers` and `generators` entries
// (apiVersion: builtin), each mapped to the transformer or generator gitopsd runs for the
// kustomization field of the same job. A config carries only its own field specs: kustomize adds
// none of its built-in tables to them.
#include "plugin_configs.hpp"
#include "transforms.hpp"

namespace gitopsd::render::kustomize {

// Runs one transformer config over `ra`. Files it names are read below `k`'s folder; `going` is
// asked before each object a patch changes.
result<void> run_builtin_transformer(const file_tree& tree, const kustomization& k, const plugin_config& c,
                                     resmap& ra, const limits& lim, const keep_going& going);

struct generator_call {
  generator_spec spec;
  bool secret = false;
};
// What a generator config asks for, as the configMapGenerator or secretGenerator entry it equals.
result<generator_call> read_builtin_generator(const plugin_config& c);

}  // namespace gitopsd::render::kustomize
