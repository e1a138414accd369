#include "print_error.hpp"
#include "gitopsd/core/disk_tree.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace gitopsd;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("gitopsd-disk-tree-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

}  // namespace

TEST_CASE("disk_tree lists, reads and stats inside its root", "[disk_tree]") {
  temp_dir d;
  d.write("root/b.yaml", "b");
  d.write("root/a/x.yaml", "x");
  disk_tree tree(d.path / "root");
  auto entries = tree.list("");
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].name == "a");
  CHECK((*entries)[0].type == tree_entry::kind::directory);
  CHECK((*entries)[1].name == "b.yaml");
  CHECK(*tree.read("a/x.yaml") == "x");
  CHECK(*tree.read("a/../b.yaml") == "b");
  CHECK(*tree.stat("a") == tree_entry::kind::directory);
  CHECK(tree.read("missing.yaml").error().what() == "missing.yaml: no such file or directory");
  CHECK(tree.read("a").error().what() == "a: not a regular file");
  CHECK(tree.list("b.yaml").error().what() == "b.yaml: not a directory");
}

TEST_CASE("disk_tree refuses paths and links that leave the root", "[disk_tree]") {
  temp_dir d;
  d.write("secret.txt", "s");
  d.write("root/in.yaml", "i");
  fs::create_symlink(d.path / "secret.txt", d.path / "root/out.yaml");
  fs::create_symlink("in.yaml", d.path / "root/link.yaml");
  disk_tree tree(d.path / "root");
  CHECK(tree.read("../secret.txt").error().what() == "path \"../secret.txt\" leads outside the tree");
  CHECK(tree.read("/etc/passwd").error().what() == "path \"/etc/passwd\" is absolute");
  CHECK(tree.read("out.yaml").error().what() == "out.yaml: symbolic link leads outside the tree");
  CHECK(*tree.read("link.yaml") == "i");
  // A cycle of links is said to be one, not a way out of the tree.
  fs::create_symlink("k2", d.path / "root/k1");
  fs::create_symlink("k1", d.path / "root/k2");
  CHECK_THAT(tree.read("k1/x.yaml").error().what(),
             Catch::StartsWith("k1/x.yaml: symbolic link cannot be followed (") && Catch::Contains("symbolic links"));
  auto entries = tree.list("");
  REQUIRE(entries);
  CHECK((*entries)[1].type == tree_entry::kind::symlink);
}

TEST_CASE("tree paths are normalized", "[disk_tree]") {
  CHECK(*normalize_tree_path("a/./b/../c/") == "a/c");
  CHECK(*normalize_tree_path("") == "");
  CHECK_FALSE(normalize_tree_path("a/../.."));
}
