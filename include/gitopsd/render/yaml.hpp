#pragma once
// YAML (and JSON, a subset of it) to RapidJSON, read the way Kubernetes reads manifests:
// sigs.k8s.io/yaml on top of go-yaml v2, so YAML 1.1 scalars (yes/no/on/off, 0x1F, 017, 0o17),
// anchors, aliases and `<<` merge keys behave as they do for `kubectl apply -f`.

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render {

// How values are read. kubectl: go-yaml v2 through sigs.k8s.io/yaml, as `kubectl apply -f` reads
// manifests (YAML 1.1 words such as yes, on and y are booleans). kustomize: kyaml on go-yaml v3,
// as `kustomize build` reads resources and patches and writes them out through JSON: only
// true/false words are booleans, timestamps become RFC 3339 strings, metadata.annotations values
// are their text as written, and maps below the top level may only have string keys.
// sops: go-yaml v3 decoding into plain values, as SOPS reads a file to check its MAC: YAML 1.2
// words and numbers as with kustomize, but timestamps and annotations stay as written.
enum class yaml_rules { kubectl, kustomize, sops };

// Budgets of one file, checked while it is read (before a node graph is built). See docs/rendering.md.
struct limits {
  std::size_t max_file_bytes = 8u << 20;
  // Documents per file, empty ones included.
  std::size_t max_documents = 10'000;
  std::size_t max_depth = 256;
  // Values per file once aliases are expanded: a "billion laughs" file stops here. The YAML
  // library's graph costs about 500 bytes per value, so this also bounds a file's memory.
  std::size_t max_nodes = 100'000;
  // Bytes of keys and strings produced per file: aliases of one long string are bounded too.
  std::size_t max_bytes = 16u << 20;
  yaml_rules rules = yaml_rules::kubectl;
};

// A scalar whose text as written JSON does not keep (kustomize rules only): kyaml keeps each
// node's text, and kustomize's vars read it. `pointer` is where it sits (RFC 6901).
struct written_scalar {
  enum class kind { null, timestamp, integer, floating } k;
  std::string pointer, text;
};
using written_scalars = std::vector<written_scalar>;

// Each non-empty document of the stream, in order. Empty and comment-only documents are skipped.
// Errors read "FILE:LINE:COLUMN: what" (1-based). With `written` and kustomize rules, also the
// written_scalars of each document (one entry per document): nulls not written `null`, timestamps,
// integers not written in plain decimal, and underscored or unsigned-64 numbers.
result<std::vector<rapidjson::Document>> decode_documents(std::string_view text, std::string_view file_name,
                                                          const limits& lim = {},
                                                          std::vector<written_scalars>* written = nullptr);

// The value go-yaml v2 gives an untagged plain scalar, as JSON: null, bool, integer, float or the
// string itself. Exposed so the YAML writer can quote strings that would read back as something else.
enum class scalar_kind { null, boolean, integer, floating, string, not_finite };
scalar_kind classify_plain(std::string_view text);

// A file name fit for a message: control characters (terminal escape sequences), bidirectional
// overrides and bytes that are not UTF-8 are written as \xNN.
std::string printable_name(std::string_view name);

// Writes a JSON value as block YAML (keys in their JSON order); strings that would change type
// when read back are quoted.
std::string to_yaml(const rapidjson::Value& value);

}  // namespace gitopsd::render
