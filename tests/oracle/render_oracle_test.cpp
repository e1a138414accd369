// Runs `kustomize build` and `kubectl label --local` (which decodes files exactly as `kubectl apply`
// does, without an API server) on every corpus case and compares with gitopsd's rendering.
#include "../unit/render/corpus.hpp"
#include "oracle_tools.hpp"

#include <filesystem>
#include <fstream>

using namespace gitopsd;
using gitopsd::oracle::quote;
using gitopsd::oracle::run;
using gitopsd::oracle::tools_bin;

TEST_CASE("every kustomize case renders as kustomize build and kubectl kustomize render it", "[oracle]") {
  auto cases = testing::entries(testing::testdata("kustomize"), true);
  REQUIRE(cases.size() >= 40);
  for (const auto& dir : cases) {
    disk_tree tree(dir);
    auto got = render::render(tree, "");
    INFO("case " << dir.filename().string());
    REQUIRE(got);
    for (const std::string tool : {"/kustomize build ", "/kubectl kustomize "}) {
      auto k = run(quote(tools_bin() + tool.substr(0, tool.find(' '))) + tool.substr(tool.find(' ')) +
                   quote(dir.string()) + " 2>/dev/null");
      INFO("tool " << tool);
      REQUIRE(k.status == 0);
      auto want = testing::objects_of(k.out, "kustomize output");
      testing::check_same(want, *got, dir.filename().string(), false);
    }
  }
}

TEST_CASE("every refused kustomize case is refused by kustomize build and by gitopsd", "[oracle]") {
  auto cases = testing::entries(testing::testdata("kustomize-bad"), true);
  REQUIRE(cases.size() >= 10);
  for (const auto& dir : cases) {
    INFO("case " << dir.filename().string());
    auto k = run(quote(tools_bin() + "/kustomize") + " build " + quote(dir.string()) + " >/dev/null 2>&1");
    CHECK(k.status != 0);
    disk_tree tree(dir);
    CHECK_FALSE(render::render(tree, "").has_value());
  }
}

// Flux builds a folder without a kustomization by writing one (tests/testdata/flux/flux-kustomization.sh
// prints the same) and running kustomize on it.
TEST_CASE("every Flux folder case renders as kustomize builds the kustomization Flux generates", "[oracle]") {
  auto cases = testing::entries(testing::testdata("flux"), true);
  REQUIRE(cases.size() >= 3);
  std::string script = std::string(GITOPSD_SOURCE_DIR) + "/tests/testdata/flux/flux-kustomization.sh";
  for (const auto& dir : cases) {
    INFO("case " << dir.filename().string());
    auto work = std::filesystem::temp_directory_path() /
                ("gitopsd-flux-oracle-" + std::to_string(::getpid()) + "-" + dir.filename().string());
    std::filesystem::remove_all(work);
    std::filesystem::copy(dir / "tree", work, std::filesystem::copy_options::recursive);
    auto generated = run(quote(script) + " " + quote(work.string()));
    REQUIRE(generated.status == 0);
    std::ofstream(work / "kustomization.yaml") << generated.out;
    auto k = run(quote(tools_bin() + "/kustomize") + " build " + quote(work.string()) + " 2>/dev/null");
    std::filesystem::remove_all(work);
    REQUIRE(k.status == 0);
    disk_tree tree(dir);
    auto got = render::render(tree, "tree");
    REQUIRE(got);
    auto want = testing::objects_of(k.out, "kustomize output");
    testing::check_same(want, *got, dir.filename().string(), false);
  }
}

TEST_CASE("every YAML corpus file decodes as kubectl decodes it", "[oracle]") {
  auto dir = testing::testdata("yaml");
  disk_tree tree(dir);
  for (const auto& file : testing::entries(dir, false)) {
    std::string name = file.filename().string();
    if (!(name.ends_with(".yaml") || name.ends_with(".json")) || name.ends_with(".kubectl.json")) continue;
    auto k = run("KUBECONFIG=/dev/null " + quote(tools_bin() + "/kubectl") + " label --local -o json -f " +
                 quote(file.string()) + " gitopsd-oracle- 2>/dev/null");
    INFO("file " << name);
    REQUIRE(k.status == 0);
    auto got = render::render(tree, name);
    REQUIRE(got);
    auto want = testing::objects_of(k.out, "kubectl output");
    testing::check_same(want, *got, name, true);
  }
  for (const auto& file : testing::entries(dir / "bad", false)) {
    auto k = run("KUBECONFIG=/dev/null " + quote(tools_bin() + "/kubectl") + " label --local -o json -f " +
                 quote(file.string()) + " gitopsd-oracle- >/dev/null 2>&1");
    disk_tree bad(dir / "bad");
    auto got = render::render(bad, file.filename().string());
    INFO("bad file " << file.filename().string());
    CHECK_FALSE(got.has_value());
    // Where kubectl keeps the last duplicate key or ignores what follows a document's value,
    // gitopsd refuses the file on purpose.
    if (file.filename() != "duplicate-bool-keys.yaml" && file.filename() != "comma-after-root-value.yaml")
      CHECK(k.status != 0);
  }
}
