// A render stops when told (the reconcile's deadline) and when it runs past its time budget, at
// its next file or kustomization, not at its end.
#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

std::string cm(const std::string& name) { return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n"; }

// Raises `stop` once `after` files have been read, as a deadline firing mid-render would.
class stopping_tree final : public file_tree {
 public:
  stopping_tree(const testing::memory_tree& inner, std::atomic<bool>& stop, int after)
      : inner_(inner), stop_(stop), after_(after) {}
  result<std::vector<tree_entry>> list(std::string_view dir) const override { return inner_.list(dir); }
  result<std::string> read(std::string_view file) const override {
    if (++reads == after_) stop_.store(true);
    return inner_.read(file);
  }
  result<tree_entry::kind> stat(std::string_view path) const override { return inner_.stat(path); }
  mutable int reads = 0;

 private:
  const testing::memory_tree& inner_;
  std::atomic<bool>& stop_;
  int after_;
};

}  // namespace

TEST_CASE("a render told to stop fails at its next file, naming the timeout", "[render][time]") {
  testing::memory_tree files;
  for (int i = 0; i < 20; ++i) files.files["apps/cm" + std::to_string(100 + i) + ".yaml"] = cm("c" + std::to_string(i));
  std::atomic<bool> stop{false};
  stopping_tree tree(files, stop, 3);
  options opts;
  opts.stop = &stop;
  auto r = render::render(tree, "apps", opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::stopped);
  CHECK_THAT(r.error().what(), Catch::Contains("apps/cm103.yaml") && Catch::Contains("spec.timeout"));
  CHECK(tree.reads == 3);

  // Without the flag the same tree renders in full.
  std::atomic<bool> never{false};
  stopping_tree whole(files, never, 1000);
  auto all = render::render(whole, "apps");
  REQUIRE(all.has_value());
  CHECK(all->size() == 20);
}

TEST_CASE("a kustomize build told to stop fails at its next kustomization", "[render][time]") {
  testing::memory_tree files;
  files.files["app/kustomization.yaml"] = "resources:\n- ../b1\n- ../b2\n- ../b3\n";
  for (int i = 1; i <= 3; ++i) {
    auto b = "b" + std::to_string(i);
    files.files[b + "/kustomization.yaml"] = "resources:\n- cm.yaml\n";
    files.files[b + "/cm.yaml"] = cm(b);
  }
  std::atomic<bool> stop{false};
  stopping_tree tree(files, stop, 2);  // app's kustomization, then b1's
  options opts;
  opts.stop = &stop;
  auto r = render::render(tree, "app", opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::stopped);
  CHECK(tree.reads < 5);
}

TEST_CASE("a render past its time budget fails naming max-render-seconds", "[render][time]") {
  testing::memory_tree files;
  files.files["apps/a.yaml"] = cm("a");
  options opts;
  opts.build.max_time = std::chrono::milliseconds(-1);
  auto r = render::render(files, "apps", opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::limit_exceeded);
  CHECK_THAT(r.error().what(), Catch::Contains("limit max-render-seconds"));

  options plenty;
  CHECK(render::render(files, "apps", plenty).has_value());
}
