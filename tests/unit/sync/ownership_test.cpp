#include "gitopsd/core/json.hpp"
#include "gitopsd/sync/claim.hpp"
#include "gitopsd/sync/empty_render.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::sync;

namespace {

const owner us{"team-a", "app"};
const owner them{"team-b", "app"};
const object_ref config{{"", "v1", "ConfigMap"}, "shared", "settings"};
const object_ref ns_ref{{"", "v1", "Namespace"}, "", "shared"};
const object_ref crd_ref{{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}, "", "widgets.example.com"};

// A live object as the cluster has it, stamped as `who` would stamp it (or unmarked when null),
// with extra annotations.
rapidjson::Document live(const object_ref& ref, const owner* who,
                         std::vector<std::pair<std::string, std::string>> annotations = {}) {
  rapidjson::Document d = json::parse(R"({"metadata":{"name":"x"}})").value();
  if (who != nullptr) stamp_owner(d, *who, ref);
  auto& a = d.GetAllocator();
  auto& metadata = json::ensure_object(d, "metadata", a);
  auto& notes = json::ensure_object(metadata, "annotations", a);
  for (const auto& [k, v] : annotations) json::set_string(notes, k, v, a);
  return d;
}

}  // namespace

TEST_CASE("an object that does not exist is created as ours", "[ownership]") {
  auto d = decide_claim(nullptr, us, config, false);
  CHECK(d.verdict == claim::absent);
  CHECK_FALSE(d.mark_adopted);
}

TEST_CASE("an object carrying our own tracking id is ours", "[ownership]") {
  auto obj = live(config, &us);
  auto d = decide_claim(&obj, us, config, false);
  CHECK(d.verdict == claim::ours);
  CHECK_FALSE(d.mark_adopted);
}

TEST_CASE("another GitRepository's object is never taken, not even with spec.adopt", "[ownership]") {
  auto obj = live(config, &them);
  for (bool adopt : {false, true}) {
    auto d = decide_claim(&obj, us, config, adopt);
    CHECK(d.verdict == claim::other_owner);
    CHECK(d.current_owner == "team-b/app");
    CHECK_FALSE(d.mark_adopted);
  }
  // Its own adopt annotation does not hand it over either: it is already someone's.
  auto annotated = live(config, &them, {{"gitopsd.io/adopt", "true"}});
  CHECK(decide_claim(&annotated, us, config, true).verdict == claim::other_owner);
  // Same name in another namespace is another GitRepository.
  owner twin{"team-c", "app"};
  CHECK(decide_claim(&obj, twin, config, false).current_owner == "team-b/app");
}

TEST_CASE("owner labels without a tracking id still name the owner", "[ownership]") {
  auto obj = json::parse(R"({"metadata":{"labels":{"gitopsd.io/name":"app","gitopsd.io/namespace":"team-b"}}})").value();
  auto d = decide_claim(&obj, us, config, true);
  CHECK(d.verdict == claim::other_owner);
  CHECK(d.current_owner == "team-b/app");
}

TEST_CASE("a hand-written tracking id without an object part names its owner as written", "[ownership]") {
  auto obj = live(config, nullptr, {{"gitopsd.io/tracking-id", "someone"}});
  auto d = decide_claim(&obj, us, config, true);
  CHECK(d.verdict == claim::other_owner);
  CHECK(d.current_owner == "someone");
}

TEST_CASE("an unmarked object is adopted only by policy", "[ownership]") {
  auto obj = live(config, nullptr, {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}});
  SECTION("policy off: conflict") {
    auto d = decide_claim(&obj, us, config, false);
    CHECK(d.verdict == claim::unmarked);
    CHECK_FALSE(d.mark_adopted);
  }
  SECTION("spec.adopt: adopted and marked") {
    auto d = decide_claim(&obj, us, config, true);
    CHECK(d.verdict == claim::adopt);
    CHECK(d.mark_adopted);
  }
}

TEST_CASE("the live object's own adopt annotation allows adopting that object alone", "[ownership]") {
  auto yes = live(config, nullptr, {{"gitopsd.io/adopt", "true"}});
  auto d = decide_claim(&yes, us, config, false);
  CHECK(d.verdict == claim::adopt);
  CHECK(d.mark_adopted);
  auto other_value = live(config, nullptr, {{"gitopsd.io/adopt", "yes"}});
  CHECK(decide_claim(&other_value, us, config, false).verdict == claim::unmarked);
}

TEST_CASE("a copy of one of our objects under another name is not ours", "[ownership]") {
  object_ref original = config;
  original.name = "original";
  auto copy = live(original, &us);  // our marks, naming the original
  CHECK(decide_claim(&copy, us, config, false).verdict == claim::unmarked);
  CHECK(decide_claim(&copy, us, config, true).verdict == claim::adopt);
}

TEST_CASE("an object adopted before keeps its adopted mark on every later apply", "[ownership]") {
  auto obj = live(ns_ref, &us, {{"gitopsd.io/adopted", "true"}});
  auto d = decide_claim(&obj, us, ns_ref, false);
  CHECK(d.verdict == claim::ours);
  CHECK(d.mark_adopted);
}

TEST_CASE("prune deletes only objects whose live tracking id is ours", "[ownership][prune]") {
  CHECK(decide_prune(live(config, &us), us, config) == prune_verdict::remove);
  CHECK(decide_prune(live(config, &them), us, config) == prune_verdict::keep_not_ours);
  CHECK(decide_prune(live(config, nullptr), us, config) == prune_verdict::keep_not_ours);
  // Our labels with another owner's tracking id (or a copy's) are not enough.
  auto relabelled = live(config, &us, {{"gitopsd.io/tracking-id", tracking_id("team-b", "app", config)}});
  CHECK(decide_prune(relabelled, us, config) == prune_verdict::keep_not_ours);
  CHECK(decide_prune(live(config, &us, {{"gitopsd.io/prune", "disabled"}}), us, config) == prune_verdict::keep_disabled);
}

TEST_CASE("an adopted Namespace or CRD is orphaned, never pruned, but other adopted kinds are pruned", "[ownership][prune]") {
  CHECK(decide_prune(live(ns_ref, &us, {{"gitopsd.io/adopted", "true"}}), us, ns_ref) == prune_verdict::orphan_adopted);
  CHECK(decide_prune(live(crd_ref, &us, {{"gitopsd.io/adopted", "true"}}), us, crd_ref) ==
        prune_verdict::orphan_adopted);
  CHECK(decide_prune(live(ns_ref, &us), us, ns_ref) == prune_verdict::remove);  // created by us
  CHECK(decide_prune(live(config, &us, {{"gitopsd.io/adopted", "true"}}), us, config) == prune_verdict::remove);
  // A kind named Namespace in another group is not a Namespace.
  object_ref lookalike{{"example.com", "v1", "Namespace"}, "", "shared"};
  CHECK(decide_prune(live(lookalike, &us, {{"gitopsd.io/adopted", "true"}}), us, lookalike) == prune_verdict::remove);
}

TEST_CASE("a conflict message names each object, its owner and how to adopt", "[ownership]") {
  std::vector<claim_conflict> one{{config, "cm.yaml#1", claim::other_owner, "team-b/app"}};
  CHECK(conflict_message(one) == "ConfigMap/shared/settings (cm.yaml#1) belongs to GitRepository team-b/app");

  std::vector<claim_conflict> both{{config, "cm.yaml#1", claim::other_owner, "team-b/app"},
                                   {ns_ref, "ns.yaml#1", claim::unmarked, ""}};
  auto text = conflict_message(both);
  CHECK_THAT(text, Catch::Contains("Namespace/shared (ns.yaml#1) exists and was not created by gitopsd"));
  CHECK_THAT(text, Catch::Contains("spec.adopt: true"));
  CHECK_THAT(text, Catch::Contains("gitopsd.io/adopt=\"true\""));

  std::vector<claim_conflict> many(8, {config, "cm.yaml#1", claim::other_owner, std::string(500, 'x')});
  text = conflict_message(many);
  CHECK_THAT(text, Catch::EndsWith("; and 3 more"));
  CHECK(text.size() < 5 * 250);  // an owner text from the cluster is shortened
}

TEST_CASE("an empty render with a non-empty inventory is refused unless allowed", "[empty-render]") {
  CHECK(refuse_empty_render(0, 3, false));
  CHECK_FALSE(refuse_empty_render(0, 3, true));  // spec.allowEmpty
  CHECK_FALSE(refuse_empty_render(0, 0, false));  // nothing applied yet: nothing to lose
  CHECK_FALSE(refuse_empty_render(1, 3, false));
  CHECK(empty_render_message("main@sha1:abc", 3) ==
        "main@sha1:abc renders no objects while the inventory holds 3; nothing was applied or pruned (set "
        "spec.allowEmpty: true if an empty commit is meant)");
}
