#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

testing::memory_tree with(std::string kustomization) {
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = "resources:\n- cm.yaml\n" + std::move(kustomization);
  t.files["k/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
  return t;
}

}  // namespace

TEST_CASE("buildMetadata managedByLabel labels every object as kustomize does", "[kustomize][buildMetadata]") {
  auto r = render::render(with("buildMetadata: [managedByLabel]\n"), "k");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(json::get_string((*r)[0].object, "metadata", "labels", "app.kubernetes.io/managed-by") == "kustomize-v5.8.1");
}

TEST_CASE("buildMetadata origin and transformer annotations are refused at the top", "[kustomize][buildMetadata]") {
  for (std::string opt : {"originAnnotations", "transformerAnnotations"}) {
    auto r = render::render(with("buildMetadata: [" + opt + "]\n"), "k");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::unsupported);
    CHECK(r.error().what() == "k/kustomization.yaml: buildMetadata \"" + opt + "\" is not supported by gitopsd");
  }
  auto bad = render::render(with("buildMetadata: managedByLabel\n"), "k");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "k/kustomization.yaml: field \"buildMetadata\" must be a list of strings");
}
