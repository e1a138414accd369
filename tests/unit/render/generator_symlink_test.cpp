// Generator files that are symlinks: as kustomize, the real path must stay in the kustomization's
// real folder, for a folder on disk (whose root may be "/" outside a Git work tree) and for a Git
// snapshot alike.
#include "print_error.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/git/snapshot.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace gitopsd;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("gitopsd-generator-link-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

std::string generator(const std::string& file) {
  return "configMapGenerator:\n- name: c\n  files:\n  - " + file + "\n";
}

std::string data_of(const file_tree& tree, std::string_view path, const char* key) {
  auto r = render::render(tree, path);
  INFO((r ? std::string() : r.error().what()));
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  return std::string(json::get_string((*r)[0].object, "data", key).value_or(""));
}

std::string failure(const file_tree& tree, std::string_view path) {
  auto r = render::render(tree, path);
  REQUIRE_FALSE(r);
  return r.error().what();
}

}  // namespace

TEST_CASE("generator files that link outside the kustomization's folder are refused on disk", "[kustomize]") {
  temp_dir d;
  d.write("repo/app/real.txt", "real");
  d.write("repo/other/s.txt", "sibling");
  fs::create_symlink("real.txt", d.path / "repo/app/in.txt");
  fs::create_symlink("../other/s.txt", d.path / "repo/app/sib.txt");
  fs::create_symlink("/etc/hostname", d.path / "repo/app/abs.txt");
  fs::create_directories(d.path / "repo/app/sub");
  fs::create_symlink("../real.txt", d.path / "repo/app/sub/parent.txt");
  fs::create_symlink("app", d.path / "repo/linkapp");
  // The root is the file system's, as for `gitopsd build DIR` outside a Git work tree.
  disk_tree tree("/");
  const std::string app = fs::relative(d.path / "repo/app", "/").generic_string();

  d.write("repo/app/kustomization.yaml", generator("in.txt"));
  CHECK(data_of(tree, app, "in.txt") == "real");
  d.write("repo/app/kustomization.yaml", generator("sub/parent.txt"));
  CHECK(data_of(tree, app, "parent.txt") == "real");
  // The kustomization reached through a link to its folder: kustomize resolves the folder too.
  d.write("repo/app/kustomization.yaml", generator("in.txt"));
  CHECK(data_of(tree, fs::relative(d.path / "repo/linkapp", "/").generic_string(), "in.txt") == "real");

  d.write("repo/app/kustomization.yaml", generator("sib.txt"));
  CHECK_THAT(failure(tree, app), Catch::Contains("file \"sib.txt\" is a link to \"") &&
                                     Catch::Contains("repo/other/s.txt\", outside the kustomization's folder"));
  d.write("repo/app/kustomization.yaml", generator("abs.txt"));
  CHECK_THAT(failure(tree, app), Catch::Contains("file \"abs.txt\" is a link to \"etc/hostname\", outside"));
}

std::shared_ptr<git::memory_tree> snapshot_with(const std::string& file) {
  auto t = std::make_shared<git::memory_tree>();
  t->add_directory("app");
  t->add_directory("other");
  t->add_file("other/s.txt", "sibling");
  t->add_file("app/real.txt", "real");
  t->add_symlink("app/in.txt", "real.txt");
  t->add_symlink("app/sib.txt", "../other/s.txt");
  t->add_symlink("app/abs.txt", "/etc/passwd");
  t->add_symlink("app/up.txt", "../../outside.txt");
  t->add_file("app/kustomization.yaml", generator(file));
  return t;
}

TEST_CASE("generator files that link outside the kustomization's folder are refused in a Git snapshot", "[kustomize]") {
  CHECK(data_of(*snapshot_with("in.txt"), "app", "in.txt") == "real");
  CHECK_THAT(failure(*snapshot_with("sib.txt"), "app"),
             Catch::Contains("file \"sib.txt\" is a link to \"other/s.txt\", outside the kustomization's folder \"app\""));
  CHECK_THAT(failure(*snapshot_with("abs.txt"), "app"), Catch::Contains("points outside the tree"));
  CHECK_THAT(failure(*snapshot_with("up.txt"), "app"), Catch::Contains("points outside the tree"));
}
