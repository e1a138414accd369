#pragma once
// Internal model of the native kustomize: a parsed kustomization file and the resources it
// accumulates, with the history (earlier names, prefixes, suffixes) name references need.

#include "fieldspec.hpp"
#include "replacement_spec.hpp"
#include "var_spec.hpp"

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/render.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gitopsd::render::kustomize {

using string_pairs = std::vector<std::pair<std::string, std::string>>;

struct selector {
  gvk type;
  std::string name, ns, label_selector, annotation_selector;  // name and ns are regular expressions
};

struct patch_spec {
  std::string text;    // the patch itself (inline, or read from `path`)
  std::string origin;  // where it came from, for messages
  std::optional<selector> target;
  bool allow_name_change = false, allow_kind_change = false;
};

struct image_spec {
  std::string name, new_name, new_tag, digest, tag_suffix;
};

struct label_spec {
  string_pairs pairs;
  bool include_selectors = false, include_templates = false;
  std::vector<field_spec> fields;
};

struct generator_options {
  string_pairs labels, annotations;
  std::optional<bool> disable_hash, immutable;
};

struct generator_spec {
  std::string name, ns, behavior = "create", type;
  std::vector<std::string> literals, files, envs;
  generator_options options;
};

// A kustomization's `openapi`: kustomize reads only these keys, and minds whether each is there.
struct openapi_field {
  std::optional<std::string> path;     // a custom schema's file, as written
  std::optional<std::string> version;  // a built-in schema's version
};

struct kustomization {
  std::string file;  // path of the kustomization file in the tree
  std::string dir;
  bool load_anywhere = false;  // --load-restrictor none: files anywhere in the tree
  bool component = false;
  std::vector<std::string> resources, components;
  std::string ns, prefix, suffix;
  string_pairs common_labels, common_annotations;
  std::vector<label_spec> labels;
  std::vector<image_spec> images;
  std::vector<std::pair<std::string, std::int64_t>> replicas;
  std::vector<patch_spec> patches, strategic_merge, json6902;
  std::vector<generator_spec> config_maps, secrets;
  generator_options generator_opts;
  bool fifo_order = false;
  std::optional<std::pair<std::vector<std::string>, std::vector<std::string>>> legacy_order;  // orderFirst, orderLast
  std::vector<replacement_spec> replacements;
  std::vector<std::string> build_metadata;
  std::vector<std::string> configurations;  // files of transformer configuration
  std::vector<std::string> transformers, generators;  // entries configuring built-in plugins
  std::vector<var_spec> vars;
  openapi_field openapi;
  std::vector<std::string> crds;    // files of CRD OpenAPI definitions (crds.cpp)
};

result<kustomization> load_kustomization(const file_tree& tree, const std::string& dir, const std::string& file,
                                         const options& opts);

struct res_id {
  gvk type;
  std::string name, ns;
  [[nodiscard]] std::string effective_ns() const { return ns.empty() ? "default" : ns; }
};

struct resource {
  rapidjson::Document obj;
  std::string origin;
  std::vector<res_id> prev;  // earlier identities, oldest first
  std::vector<std::string> prefixes, suffixes;
  bool needs_hash = false;
  bool generated = false;
  std::vector<std::string> ref_vars;  // the vars whose objref chose this object
  // Numbers and booleans a replacement created (by JSON pointer): kustomize leaves such a node
  // untagged, and vars then read it as text and turn it into a string where they expand fields.
  std::set<std::string> untagged;
  // Such nodes that a later patch may have moved: vars refuse numbers and booleans in the object.
  bool untagged_scalars = false;
  // Label and annotation values holding "$" that transformers set: kustomize puts one node per value
  // in all the fields they reach (metadata, selectors, templates), so vars change every copy.
  std::set<std::string> shared_values;
  // Texts as written of scalars JSON loses (nulls, timestamps, octal numbers): vars read them.
  // A JSON patch drops them, as kustomize's trip through JSON does.
  written_scalars written;
  // Texts below lists were dropped because a strategic merge may have moved the elements.
  bool written_moved = false;

  [[nodiscard]] res_id cur() const;
  [[nodiscard]] res_id org() const { return prev.empty() ? cur() : prev.front(); }
  void store_prev() { prev.push_back(cur()); }
  [[nodiscard]] std::string name() const;
  void set_name(std::string_view name);
  [[nodiscard]] std::string describe() const;  // "Kind/name" with namespace when set
};

using resmap = std::vector<resource>;

error kustomize_error(std::string_view file, const std::string& what);
// kustomize reads files (not folders) only in or below the kustomization's own folder, unless its
// load restrictor is none.
result<std::string> file_in_root(const kustomization& k, const std::string& entry, std::string_view what);

// A file a kustomization names (`what`: "crds file", ...): its normalized path and its text.
result<named_file> read_named_file(const file_tree& tree, const kustomization& k, const std::string& entry,
                                   std::string_view what);
// Whether tree path `path` lies below folder `dir` ("" is the root and holds every path).
bool below(std::string_view dir, std::string_view path);
error unsupported_error(std::string_view file, const std::string& what);
// Appends `key` to JSON pointer `pointer` as one segment (RFC 6901: "~" is "~0", "/" is "~1").
void append_pointer(std::string& pointer, std::string_view key);
// A URL or a Git address in resources or components (kustomize's remote bases).
bool is_remote(std::string_view entry);

// Strategic merge of `patch` into `target` (Kubernetes merge keys of built-in kinds, `$patch`
// directives). Returns false when the patch deletes the whole object. `nulls_as_text`: a null in
// labels or annotations becomes the text "null" (patchesStrategicMerge) instead of removing the key
// (patches, which kustomize merges with kyaml alone).
result<bool> strategic_merge(rapidjson::Value& target, const rapidjson::Value& patch, alloc_t& a,
                             const std::string& origin, bool nulls_as_text = true);
// RFC 6902 operations (a JSON array of {op, path, value|from}).
// The patched object stays within `lim` (max_bytes of text, max_depth): copy ops double it each.
result<void> json_patch(rapidjson::Value& target, const rapidjson::Value& ops, alloc_t& a, const std::string& origin,
                        const limits& lim);
result<bool> matches(const resource& r, const selector& s, const std::string& origin);

// The content hash suffix kustomize gives generated ConfigMaps and Secrets.
std::string name_hash(const rapidjson::Value& object);
// Gives every object that needs one its hash suffix, keeping the name it had as an earlier identity.
void add_name_hashes(resmap& ra);
std::string sha256_hex(std::string_view data);
// encoding/json's rendering of a string (HTML-safe escapes, invalid UTF-8 replaced).
void go_json_string(std::string& out, std::string_view s);

}  // namespace gitopsd::render::kustomize
