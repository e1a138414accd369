#pragma once
// The render stage: a folder of a snapshot -> the Kubernetes objects to apply.
// A folder with a kustomization file is built with the native kustomize; any other folder is built
// as Flux builds it: as a kustomization listing every *.yaml and *.yml file below it, a folder
// holding a kustomization taken as one resource.

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/yaml.hpp"

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render {

struct manifest {
  rapidjson::Document object;
  std::string origin;  // "dir/file.yaml#2": the file and the 1-based document number
  written_scalars written{};  // read with kustomize rules only (see decode_documents)
};

// Budgets of one render (per reconcile): a build that exceeds one fails with a message naming it.
// The defaults fit the chart's memory limit with several reconciles at once (docs/rendering.md).
struct budget {
  // Objects loaded from files during the build (kustomize bases included each time they are
  // reached) and objects in any one result: a kustomize "diamond" stops here.
  std::size_t max_objects = 10'000;
  // JSON bytes of those objects, and of the objects a build yields.
  std::size_t max_bytes = 32u << 20;
  // Kustomizations built, a base counted each time it is included: each costs reading and
  // parsing its files, so a "diamond" of bases is stopped here before its objects add up.
  std::size_t max_kustomizations = 2'000;
  // Folders below the rendered path.
  std::size_t max_folder_depth = 256;
  // Wall time of one render (reading, decoding and building): checked between files and
  // kustomizations, so a costly repository ends with an error instead of holding a pool thread.
  std::chrono::milliseconds max_time{std::chrono::seconds(60)};
};

// Where a kustomization may read files from (kustomize's --load-restrictor): its own folder and
// below (the default), or anywhere in the tree.
enum class load_restrictor { root_only, none };

struct options {
  limits yaml;
  budget build;
  // Set from outside (the reconcile's deadline fired): the render stops at its next check.
  const std::atomic<bool>* stop = nullptr;
  // Set by render() from build.max_time.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  load_restrictor load = load_restrictor::root_only;
};

// An error once the render was stopped or ran past its time budget; `where` names the file or
// folder being read.
result<void> check_time(const options& opts, std::string_view where);

result<std::vector<manifest>> render(const file_tree& tree, std::string_view path, const options& opts = {});

// The objects of one file: documents decoded, `List`s expanded, each checked to be an object
// with apiVersion, kind and metadata.name.
result<std::vector<manifest>> read_manifests(std::string_view text, std::string_view file, const limits& lim);

// A folder without a kustomization, built as the kustomization Flux generates for it: its files
// (depth first, names in byte order, hidden folders skipped) and the folders below holding a
// kustomization, in that order as resources; the objects come out sorted as kustomize sorts them.
result<std::vector<manifest>> render_plain(const file_tree& tree, std::string_view dir, const options& opts);

// Output of `gitopsd build`.
std::string to_json_list(const std::vector<manifest>& objects);
std::string to_yaml_stream(const std::vector<manifest>& objects);

// metadata.namespace, when present, must be a string (or null): `namespace: no` reads as false.
result<void> check_namespace(const rapidjson::Value& object, std::string_view origin);

// "a/b" + "c.yaml" -> "a/b/c.yaml".
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace gitopsd::render
