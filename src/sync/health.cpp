#include "gitopsd/sync/health.hpp"

#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <optional>

namespace gitopsd::sync {
namespace {

using rapidjson::Value;

health current() { return {health_status::current, ""}; }
health progressing(std::string why) { return {health_status::in_progress, std::move(why)}; }
health failed(std::string why) { return {health_status::failed, std::move(why)}; }

std::int64_t int_at(const Value& object, const char* section, const char* key, std::int64_t fallback = 0) {
  return json::get_int(object, section, key).value_or(fallback);
}

struct condition {
  std::string status;
  std::string reason;
  std::string message;
};

std::optional<condition> find_condition(const Value& object, std::string_view type) {
  const Value* conditions = json::find(object, "status", "conditions");
  if (conditions == nullptr || !conditions->IsArray()) return std::nullopt;
  for (const Value& c : conditions->GetArray()) {
    if (json::get_string(c, "type") != type) continue;
    return condition{std::string(json::get_string(c, "status").value_or("")),
                     std::string(json::get_string(c, "reason").value_or("")),
                     std::string(json::get_string(c, "message").value_or(""))};
  }
  return std::nullopt;
}

bool condition_is(const Value& object, std::string_view type, std::string_view status) {
  auto c = find_condition(object, type);
  return c && c->status == status;
}

health replicas_ready(std::string_view what, std::int64_t want, std::int64_t have) {
  if (have < want) return progressing(fmt::format("{}: {} of {} ready", what, have, want));
  return current();
}

health deployment(const Value& d) {
  if (auto p = find_condition(d, "Progressing"); p && p->reason == "ProgressDeadlineExceeded")
    return failed(fmt::format("progress deadline exceeded: {}", p->message));
  std::int64_t want = json::get_int(d, "spec", "replicas").value_or(1);
  std::int64_t updated = int_at(d, "status", "updatedReplicas");
  std::int64_t total = int_at(d, "status", "replicas");
  if (updated < want) return progressing(fmt::format("{} of {} replicas updated", updated, want));
  if (total > updated) return progressing(fmt::format("{} old replicas pending termination", total - updated));
  if (int_at(d, "status", "availableReplicas") < want)
    return progressing(fmt::format("{} of {} replicas available", int_at(d, "status", "availableReplicas"), want));
  if (auto a = find_condition(d, "Available"); a && a->status == "False")
    return progressing(fmt::format("not available: {}", a->message));
  return replicas_ready("replicas", want, int_at(d, "status", "readyReplicas"));
}

health stateful_set(const Value& s) {
  auto strategy = json::get_string(s, "spec", "updateStrategy", "type");
  if (strategy && *strategy == "OnDelete") return current();
  std::int64_t want = json::get_int(s, "spec", "replicas").value_or(1);
  if (int_at(s, "status", "replicas") < want) return progressing("waiting for replicas to be created");
  if (health h = replicas_ready("replicas", want, int_at(s, "status", "readyReplicas")); h.status != health_status::current)
    return h;
  auto current_rev = json::get_string(s, "status", "currentRevision");
  auto update_rev = json::get_string(s, "status", "updateRevision");
  if (update_rev && current_rev != update_rev)
    return progressing(fmt::format("rolling out revision {}", *update_rev));
  return current();
}

health daemon_set(const Value& d) {
  std::int64_t desired = int_at(d, "status", "desiredNumberScheduled");
  if (int_at(d, "status", "currentNumberScheduled") < desired) return progressing("pods not scheduled on all nodes");
  if (int_at(d, "status", "updatedNumberScheduled") < desired) return progressing("pods not updated on all nodes");
  if (int_at(d, "status", "numberAvailable") < desired) return progressing("pods not available on all nodes");
  return replicas_ready("pods", desired, int_at(d, "status", "numberReady"));
}

health replica_set(const Value& r) {
  if (auto f = find_condition(r, "ReplicaFailure"); f && f->status == "True")
    return failed(fmt::format("replica failure: {}", f->message));
  std::int64_t want = json::get_int(r, "spec", "replicas").value_or(1);
  if (int_at(r, "status", "availableReplicas") < want) return progressing("replicas not available");
  return replicas_ready("replicas", want, int_at(r, "status", "readyReplicas"));
}

health job(const Value& j) {
  if (auto f = find_condition(j, "Failed"); f && f->status == "True") return failed(fmt::format("job failed: {}", f->message));
  if (condition_is(j, "Complete", "True")) return current();
  return progressing("job has not completed");
}

health crd(const Value& c) {
  if (auto n = find_condition(c, "NamesAccepted"); n && n->status == "False")
    return failed(fmt::format("names not accepted: {}", n->message));
  if (condition_is(c, "Established", "True")) return current();
  return progressing("not established");
}

health pvc(const Value& p) {
  auto phase = json::get_string(p, "status", "phase");
  if (phase && *phase == "Bound") return current();
  return progressing(fmt::format("phase {}", phase.value_or("unknown")));
}

health service(const Value& s) {
  auto type = json::get_string(s, "spec", "type");
  if (!type || *type != "LoadBalancer") return current();
  const Value* ingress = json::find(s, "status", "loadBalancer", "ingress");
  if (ingress != nullptr && ingress->IsArray() && !ingress->Empty()) return current();
  return progressing("load balancer has no address");
}

// Any other kind: kstatus's generic conditions.
health generic(const Value& o) {
  if (auto s = find_condition(o, "Stalled"); s && s->status == "True") return failed(s->message);
  if (auto r = find_condition(o, "Reconciling"); r && r->status == "True") return progressing(r->message);
  if (auto r = find_condition(o, "Ready"); r && r->status == "False") return progressing(r->message);
  return current();
}

}  // namespace

health assess_health(const Value& object) {
  // A controller that has not seen the latest spec says nothing about it yet.
  auto generation = json::get_int(object, "metadata", "generation");
  auto observed = json::get_int(object, "status", "observedGeneration");
  if (generation && observed && *observed < *generation)
    return progressing(fmt::format("generation {} not yet observed (at {})", *generation, *observed));

  auto kind = json::get_string(object, "kind").value_or("");
  auto api = json::get_string(object, "apiVersion").value_or("");
  if (api == "apps/v1") {
    if (kind == "Deployment") return deployment(object);
    if (kind == "StatefulSet") return stateful_set(object);
    if (kind == "DaemonSet") return daemon_set(object);
    if (kind == "ReplicaSet") return replica_set(object);
  }
  if (api == "batch/v1" && kind == "Job") return job(object);
  if (api == "apiextensions.k8s.io/v1" && kind == "CustomResourceDefinition") return crd(object);
  if (api == "v1" && kind == "PersistentVolumeClaim") return pvc(object);
  if (api == "v1" && kind == "Service") return service(object);
  return generic(object);
}

const char* to_string(health_status s) {
  switch (s) {
    case health_status::current: return "Current";
    case health_status::in_progress: return "InProgress";
    case health_status::failed: return "Failed";
  }
  return "Unknown";
}

}  // namespace gitopsd::sync
