// The list rules of strategic merge, by schema path (facts checked with kustomize build in the
// smp-schema-* corpus cases).
#include "../../../src/render/kustomize/merge_keys.hpp"

#include <catch2/catch.hpp>

using gitopsd::render::kustomize::list_rule_for;

TEST_CASE("merge keys follow the schema path, not the field name") {
  CHECK(list_rule_for("Deployment", "spec/template/spec/containers[]/env")->key == "name");
  CHECK(list_rule_for("CronJob", "spec/jobTemplate/spec/template/spec/initContainers[]/volumeMounts")->key ==
        "mountPath");
  CHECK(list_rule_for("Pod", "spec/containers[]/ports")->second_key == "protocol");
  CHECK(list_rule_for("Service", "spec/ports")->key == "port");
  CHECK(list_rule_for("ServiceAccount", "secrets")->key == "name");
  CHECK(list_rule_for("Deployment", "metadata/ownerReferences")->key == "uid");
  CHECK(list_rule_for("ConfigMap", "metadata/finalizers")->scalar_set);
}

TEST_CASE("lists without a merge key in kustomize's schema are replaced") {
  CHECK_FALSE(list_rule_for("ServiceAccount", "imagePullSecrets"));
  CHECK_FALSE(list_rule_for("Deployment", "spec/template/spec/tolerations"));
  CHECK_FALSE(list_rule_for("Deployment", "spec/template/spec/schedulingGates"));
  CHECK_FALSE(list_rule_for("Deployment", "spec/template/spec/resourceClaims"));
  CHECK_FALSE(list_rule_for("NetworkPolicy", "spec/ingress[]/ports"));
  CHECK_FALSE(list_rule_for("RoleBinding", "subjects"));
}

TEST_CASE("the lists of built-in definitions a custom schema may refer to") {
  using gitopsd::render::kustomize::knows_definition;
  using gitopsd::render::kustomize::list_rule_in;
  CHECK(knows_definition("io.k8s.api.core.v1.PodSpec"));
  CHECK_FALSE(knows_definition("io.k8s.api.core.v1.Volume"));
  // A missing rule fails the check (value_or), it does not dereference an empty optional.
  auto rule = [](std::string_view def, std::string_view path) {
    return list_rule_in(def, path).value_or(gitopsd::render::kustomize::list_rule{});
  };
  CHECK(rule("io.k8s.api.core.v1.PodTemplateSpec", "spec/containers").key == "name");
  CHECK(rule("io.k8s.api.core.v1.PodTemplateSpec", "metadata/ownerReferences").key == "uid");
  CHECK(rule("io.k8s.api.core.v1.PodSpec", "containers[]/ports").second_key == "protocol");
  CHECK(rule("io.k8s.api.core.v1.Container", "volumeMounts").key == "mountPath");
  CHECK(rule("io.k8s.api.core.v1.EphemeralContainer", "env").key == "name");
  CHECK(rule("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers").scalar_set);
  CHECK_FALSE(list_rule_in("io.k8s.api.core.v1.Container", "containers[]/env"));
  CHECK_FALSE(list_rule_in("io.k8s.api.core.v1.PodSpec", "tolerations"));
  CHECK_FALSE(list_rule_in("io.k8s.api.core.v1.Volume", "x"));
}
