#include "gitopsd/core/json.hpp"
#include "gitopsd/sync/health.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using sync::health_status;

namespace {
sync::health of(std::string_view text) { return sync::assess_health(json::parse(text).value()); }
}  // namespace

TEST_CASE("deployments are healthy when every replica is updated, available and ready", "[health]") {
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},
    "status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"availableReplicas":2,"readyReplicas":2,
    "conditions":[{"type":"Available","status":"True"}]}})").status == health_status::current);
  auto rolling = of(R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3},
    "status":{"replicas":3,"updatedReplicas":1,"availableReplicas":3,"readyReplicas":3}})");
  CHECK(rolling.status == health_status::in_progress);
  CHECK(rolling.message == "1 of 3 replicas updated");
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":2},
    "status":{"replicas":3,"updatedReplicas":2,"availableReplicas":2,"readyReplicas":2}})").message ==
        "1 old replicas pending termination");
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{},"status":{}})").status == health_status::in_progress);
  auto stuck = of(R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1},"status":{"conditions":[
    {"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"rs web-1 timed out"}]}})");
  CHECK(stuck.status == health_status::failed);
  CHECK_THAT(stuck.message, Catch::Contains("rs web-1 timed out"));
}

TEST_CASE("an unobserved generation is in progress whatever the status says", "[health]") {
  auto h = of(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"generation":3},"spec":{"replicas":0},
    "status":{"observedGeneration":2}})");
  CHECK(h.status == health_status::in_progress);
  CHECK_THAT(h.message, Catch::Contains("generation 3"));
}

TEST_CASE("statefulsets, daemonsets and replicasets", "[health]") {
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":2,
    "currentRevision":"r1","updateRevision":"r1"}})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":2,
    "currentRevision":"r1","updateRevision":"r2"}})").status == health_status::in_progress);
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"updateStrategy":{"type":"OnDelete"}},"status":{}})")
            .status == health_status::current);
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"DaemonSet","status":{"desiredNumberScheduled":2,"currentNumberScheduled":2,
    "updatedNumberScheduled":2,"numberAvailable":2,"numberReady":2}})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"DaemonSet","status":{"desiredNumberScheduled":2,"currentNumberScheduled":1}})")
            .status == health_status::in_progress);
  CHECK(of(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","spec":{"replicas":1},"status":{"conditions":[
    {"type":"ReplicaFailure","status":"True","message":"quota"}]}})").status == health_status::failed);
}

TEST_CASE("jobs, CRDs, PVCs and services", "[health]") {
  CHECK(of(R"({"apiVersion":"batch/v1","kind":"Job","status":{"conditions":[{"type":"Complete","status":"True"}]}})").status ==
        health_status::current);
  CHECK(of(R"({"apiVersion":"batch/v1","kind":"Job","status":{"conditions":[{"type":"Failed","status":"True",
    "message":"BackoffLimitExceeded"}]}})").status == health_status::failed);
  CHECK(of(R"({"apiVersion":"batch/v1","kind":"Job","status":{}})").status == health_status::in_progress);
  CHECK(of(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","status":{"conditions":[
    {"type":"Established","status":"True"}]}})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","status":{"conditions":[
    {"type":"NamesAccepted","status":"False","message":"plural taken"}]}})").status == health_status::failed);
  CHECK(of(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","status":{"phase":"Pending"}})").message == "phase Pending");
  CHECK(of(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","status":{"phase":"Bound"}})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"v1","kind":"Service","spec":{"type":"ClusterIP"}})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"v1","kind":"Service","spec":{"type":"LoadBalancer"},"status":{}})").status ==
        health_status::in_progress);
}

TEST_CASE("other kinds report through Ready, Reconciling and Stalled", "[health]") {
  CHECK(of(R"({"apiVersion":"v1","kind":"ConfigMap"})").status == health_status::current);
  CHECK(of(R"({"apiVersion":"x.io/v1","kind":"Db","status":{"conditions":[{"type":"Ready","status":"False","message":"booting"}]}})")
            .message == "booting");
  CHECK(of(R"({"apiVersion":"x.io/v1","kind":"Db","status":{"conditions":[{"type":"Stalled","status":"True","message":"bad"}]}})")
            .status == health_status::failed);
  CHECK(of(R"({"apiVersion":"x.io/v1","kind":"Db","status":{"conditions":[{"type":"Reconciling","status":"True"}]}})")
            .status == health_status::in_progress);
  CHECK(std::string(sync::to_string(health_status::failed)) == "Failed");
}
