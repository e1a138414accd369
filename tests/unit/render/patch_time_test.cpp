// A patch asks before each object it changes whether the build may go on (the render's time
// budget, the reconcile's stop): a merge of long keyed lists is costly, and one patch may target
// thousands of objects.
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include "../../../src/render/kustomize/transforms.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::render;
using namespace gitopsd::render::kustomize;

namespace {

resmap configmaps(int count) {
  resmap ra(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    auto docs = decode_documents(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c" + std::to_string(i) + "\ndata:\n  k: old\n", "cm.yaml",
        limits{});
    REQUIRE(docs);
    ra[static_cast<std::size_t>(i)].obj = std::move((*docs)[0]);
    ra[static_cast<std::size_t>(i)].origin = "cm.yaml";
  }
  return ra;
}

int patched(const resmap& ra) {
  int n = 0;
  for (const auto& r : ra) n += json::get_string(r.obj, "data", "k") == "new" ? 1 : 0;
  return n;
}

// Says go on `allowed` times, then that the time ran out.
keep_going allow(int allowed, int& asked) {
  return [allowed, &asked]() -> result<void> {
    if (++asked > allowed) return make_error(errc::limit_exceeded, "k/patch.yaml: rendering took longer than 1 s");
    return {};
  };
}

}  // namespace

TEST_CASE("a targeted patch stops before the next object once told to", "[kustomize][time]") {
  for (const char* text : {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: any\ndata:\n  k: new\n",
                           "- {op: replace, path: /data/k, value: new}\n"}) {
    auto ra = configmaps(5);
    patch_spec p{text, "k/patch.yaml", selector{gvk{"", "v1", "ConfigMap"}, "", "", "", ""}};
    int asked = 0;
    auto r = apply_patch(ra, p, limits{}, allow(2, asked));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::limit_exceeded);
    CHECK(asked == 3);
    CHECK(patched(ra) == 2);
  }
}

TEST_CASE("an untargeted strategic merge patch asks before each document", "[kustomize][time]") {
  auto ra = configmaps(3);
  patch_spec p{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c0\ndata:\n  k: new\n---\n"
               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  k: new\n",
               "k/patch.yaml", std::nullopt};
  int asked = 0;
  auto r = apply_strategic_merge_file(ra, p, limits{}, allow(1, asked));
  REQUIRE_FALSE(r);
  CHECK(asked == 2);
  CHECK(patched(ra) == 1);

  int always = 0;
  auto all = configmaps(3);
  REQUIRE(apply_strategic_merge_file(all, p, limits{}, allow(100, always)));
  CHECK(patched(all) == 2);
}
