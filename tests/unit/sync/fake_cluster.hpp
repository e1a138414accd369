#pragma once
// A fake API server for the claim, apply and prune stages: a few ConfigMaps (namespace "ns") and
// Namespaces, by path, with every request it saw. Server-side apply answers 201 for a new object
// and 200 with the stored one otherwise (a dry run stores nothing).

#include "../kube/client_support.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/sync/claim.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>

namespace test::sync {

using namespace gitopsd;
using namespace gitopsd::sync;

inline const owner us{"team-a", "app"};
inline const group_version_kind configmap_kind{"", "v1", "ConfigMap"};
inline const group_version_kind namespace_kind{"", "v1", "Namespace"};

// A live object's JSON: with the marks of `marked_by` (none when its name is empty) and more
// annotations.
inline std::string live_json(const object_ref& ref, const owner& marked_by, const std::string& annotations = "") {
  std::string notes = annotations;
  std::string labels;
  if (!marked_by.name.empty()) {
    labels = fmt::format(R"("gitopsd.io/name":"{}","gitopsd.io/namespace":"{}")", marked_by.name, marked_by.namespace_);
    notes = fmt::format(R"("gitopsd.io/tracking-id":"{}"{}{})", tracking_id(marked_by.namespace_, marked_by.name, ref),
                        notes.empty() ? "" : ",", notes);
  }
  std::string ns = ref.namespace_.empty() ? "" : fmt::format(R"("namespace":"{}",)", ref.namespace_);
  return fmt::format(R"({{"apiVersion":"v1","kind":"{}","metadata":{{"name":"{}",{}"uid":"u-{}","resourceVersion":"1",)"
                     R"("labels":{{{}}},"annotations":{{{}}}}}}})",
                     ref.gvk.kind, ref.name, ns, ref.name, labels, notes);
}

// The API server: objects by path, and every request it saw.
struct fake_cluster {
  std::mutex m;
  std::map<std::string, std::string> objects;  // "/api/v1/namespaces/ns/configmaps/x" -> JSON
  std::vector<std::string> seen;               // "VERB target"
  std::map<std::string, std::string> applied;  // path -> body of the last apply (not a dry run)

  static std::string path_of(const object_ref& ref) {
    if (ref.gvk.kind == "Namespace") return "/api/v1/namespaces/" + ref.name;
    return "/api/v1/namespaces/" + ref.namespace_ + "/configmaps/" + ref.name;
  }
  void put(const object_ref& ref, const owner& marked_by, const std::string& annotations = "") {
    std::lock_guard lock(m);
    objects[path_of(ref)] = live_json(ref, marked_by, annotations);
  }
  int count(std::string_view prefix) {
    std::lock_guard lock(m);
    int n = 0;
    for (const auto& s : seen) n += s.starts_with(prefix) ? 1 : 0;
    return n;
  }

  bool handle(const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::lock_guard lock(m);
    std::string target(req.target());
    seen.push_back(std::string(req.method_string()) + " " + target);
    std::string path = target.substr(0, target.find('?'));
    if (req.method() == test::http::verb::get && path == "/api/v1/namespaces/ns/configmaps") {
      // By our labels (the fake knows one selector), or every object's metadata.
      bool by_labels = target.find("labelSelector=") != std::string::npos;
      std::string items;
      for (const auto& [p, json] : objects) {
        if (!p.starts_with(path + "/")) continue;
        if (by_labels && json.find(R"("gitopsd.io/name":"app","gitopsd.io/namespace":"team-a")") == std::string::npos)
          continue;
        items += (items.empty() ? "" : ",") + json;
      }
      test::server::respond(s, 200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[)" +
                                        items + "]}");
      return true;
    }
    auto it = objects.find(path);
    if (req.method() == test::http::verb::patch) {
      bool dry_run = target.find("dryRun=All") != std::string::npos;
      if (!dry_run) objects[path] = applied[path] = req.body();
      if (it == objects.end() || dry_run)
        test::server::respond(s, it == objects.end() ? 201 : 200, it == objects.end() ? req.body() : it->second);
      else test::server::respond(s, 200, req.body());
      return true;
    }
    if (it == objects.end()) {
      test::server::respond(s, 404, test::status_body(404, "NotFound", "not found"));
      return true;
    }
    if (req.method() == test::http::verb::delete_) {
      objects.erase(it);
      test::server::respond(s, 200, test::status_body(200, "", "deleted"));
      return true;
    }
    test::server::respond(s, 200, it->second);
    return true;
  }
};

// ConfigMaps by name in namespace "ns", and Namespaces by name.
inline std::vector<planned_object> plan_of(const std::vector<std::string>& configmaps,
                                           const std::vector<std::string>& namespaces = {}) {
  std::vector<render::manifest> manifests;
  auto add = [&](const char* kind, const std::string& n) {
    manifests.push_back(
        {json::parse(fmt::format(R"({{"apiVersion":"v1","kind":"{}","metadata":{{"name":"{}"}}}})", kind, n)).value(),
         n + ".yaml#1"});
  };
  for (const auto& n : configmaps) add("ConfigMap", n);
  for (const auto& n : namespaces) add("Namespace", n);
  auto scope = [](const group_version_kind& gvk) -> std::optional<bool> { return gvk.kind != "Namespace"; };
  return make_plan(std::move(manifests), {us, "ns"}, scope).value();
}

inline object_ref cm(const std::string& name) { return {configmap_kind, "ns", name}; }

inline const planned_object& planned(const std::vector<planned_object>& plan, const std::string& name) {
  for (const auto& p : plan)
    if (p.ref.name == name) return p;
  FAIL("not planned: " << name);
  return plan.front();
}

}  // namespace test::sync
