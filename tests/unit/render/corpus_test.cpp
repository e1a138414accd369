// The conformance corpora, checked against outputs recorded from the real tools: `kustomize build`
// (v5.8.1) for tests/testdata/kustomize and `kubectl` (v1.36.3) for tests/testdata/yaml. The oracle
// tests (label `oracle`) run the tools themselves over the same cases.
#include "corpus.hpp"

#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include <fstream>
#include <sstream>

using namespace gitopsd;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("kustomize corpus equals the recorded kustomize v5 output", "[corpus]") {
  auto cases = testing::entries(testing::testdata("kustomize"), true);
  CHECK(cases.size() >= 40);
  for (const auto& dir : cases) {
    disk_tree tree(dir);
    auto got = render::render(tree, "");
    INFO("case " << dir.filename().string());
    REQUIRE(got);
    auto want = testing::objects_of(slurp(dir / "expected.yaml"), "expected.yaml");
    testing::check_same(want, *got, dir.filename().string(), false);
  }
}

TEST_CASE("YAML corpus decodes as kubectl decodes it", "[corpus]") {
  auto dir = testing::testdata("yaml");
  disk_tree tree(dir);
  int count = 0;
  for (const auto& file : testing::entries(dir, false)) {
    std::string name = file.filename().string();
    if (!(name.ends_with(".yaml") || name.ends_with(".json")) || name.ends_with(".kubectl.json")) continue;
    auto got = render::render(tree, name);
    INFO("file " << name);
    REQUIRE(got);
    auto want = testing::objects_of(slurp(dir / (name + ".kubectl.json")), name + ".kubectl.json");
    testing::check_same(want, *got, name, true);
    ++count;
  }
  CHECK(count >= 10);
}

TEST_CASE("files kubectl rejects are rejected, with the place", "[corpus]") {
  disk_tree tree(testing::testdata("yaml/bad"));
  auto fail = [&](const char* name) {
    auto r = render::render(tree, name);
    REQUIRE_FALSE(r);
    return r.error().what();
  };
  CHECK(fail("inf.yaml") == "inf.yaml:6:10: .inf cannot be represented in JSON");
  CHECK(fail("nan.yaml") == "nan.yaml:6:10: .NaN cannot be represented in JSON");
  CHECK(fail("merge-scalar.yaml") == "merge-scalar.yaml:6:9: map merge requires map or sequence of maps as the value");
  CHECK(fail("control-character.yaml") == "control-character.yaml:6:8: control characters are not allowed");
  CHECK(fail("syntax.yaml").starts_with("syntax.yaml:"));
  CHECK(fail("undefined-alias.yaml").starts_with("undefined-alias.yaml:4:"));
  CHECK(fail("empty-flow-entry.yaml") == "empty-flow-entry.yaml:6:12: did not find expected node content");
  CHECK(fail("escaped-slash.yaml") == "escaped-slash.yaml:6:15: found unknown escape character \\/");
  CHECK(fail("directive.yaml") == "directive.yaml:1:1: directives (%YAML, %TAG) are not supported: kubectl refuses them");
  CHECK(fail("comma-after-sequence.yaml") == "comma-after-sequence.yaml:7:3: did not find expected node content");
  CHECK(fail("bad-binary.yaml") == "bad-binary.yaml:6:6: !!binary value contains invalid base64 data");
  CHECK(fail("json-then-yaml-after-two.yaml") == "json-then-yaml-after-two.yaml:3:2: invalid JSON: Missing a name for object member.");
  CHECK(fail("utf16-no-bom.yaml") == "utf16-no-bom.yaml:1:2: control characters are not allowed (the file looks like UTF-16 "
                                     "without a byte order mark: save it as UTF-8)");
  // A deliberate difference: kubectl keeps the last of two keys that both read as "true".
  CHECK(fail("duplicate-bool-keys.yaml") == "duplicate-bool-keys.yaml:8:3: duplicate key \"true\"");
}
