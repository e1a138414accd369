#include "gitopsd/cli/build_from_git.hpp"

#include "gitopsd/core/base64.hpp"
#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"
#include "gitopsd/verify/errc.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace gitopsd::cli {

result<std::map<std::string, std::string>> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(core::errc::missing_field, fmt::format("secret file {}: cannot be read", path));
  std::stringstream text;
  text << in.rdbuf();
  auto docs = render::decode_documents(text.str(), path, render::limits{});
  if (!docs) return docs.error();
  if (docs->size() != 1 || !(*docs)[0].IsObject() || json::get_string((*docs)[0], "kind") != "Secret")
    return make_error(core::errc::wrong_type, fmt::format("secret file {}: expected one Secret manifest", path));
  std::map<std::string, std::string> out;
  const auto& secret = (*docs)[0];
  if (const auto* data = json::find(secret, "data"); data && data->IsObject()) {
    for (const auto& m : data->GetObject()) {
      if (!m.value.IsString())
        return make_error(core::errc::wrong_type, fmt::format("secret file {}: data.{} is not a string", path, json::view(m.name)));
      auto decoded = base64_decode(json::view(m.value));
      if (!decoded) return decoded.error().wrap(fmt::format("secret file {}: data.{}", path, json::view(m.name)));
      out[std::string(json::view(m.name))] = std::move(*decoded);
    }
  }
  if (const auto* data = json::find(secret, "stringData"); data && data->IsObject()) {
    for (const auto& m : data->GetObject()) {
      if (!m.value.IsString())
        return make_error(core::errc::wrong_type,
                          fmt::format("secret file {}: stringData.{} is not a string", path, json::view(m.name)));
      out[std::string(json::view(m.name))] = std::string(json::view(m.value));
    }
  }
  return out;
}

result<verify::key_set> read_key_files(const std::vector<std::string>& files) {
  std::map<std::string, std::string> data;
  for (const auto& file : files) {
    std::string name = std::filesystem::path(file).filename().string();
    if (!name.ends_with(".asc") && !name.ends_with(".pub"))
      return make_error(verify::errc::invalid_keys,
                        fmt::format("--verify-keys {}: the name must end in .asc (OpenPGP) or .pub (SSH)", file));
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(verify::errc::invalid_keys, fmt::format("--verify-keys {}: cannot be read", file));
    std::stringstream text;
    text << in.rdbuf();
    // Two files of one name in different folders stay apart.
    while (data.contains(name)) name = "_" + name;
    data[name] = text.str();
  }
  return verify::parse_key_set(data, "--verify-keys");
}

result<void> with_snapshot(const git::source_spec& source, const std::string& cache_dir,
                           const std::function<void(git::snapshot&)>& use) {
  std::filesystem::path cache = cache_dir;
  bool temporary = cache_dir.empty();
  if (temporary) {
    char pattern[] = "/tmp/gitopsd-build.XXXXXX";
    if (mkdtemp(pattern) == nullptr)
      return make_error(core::errc::missing_field, "cannot create a temporary cache folder");
    cache = pattern;
  }
  auto snapshot = git::fetch_snapshot(cache, source);
  if (snapshot) use(*snapshot);
  if (temporary) {
    std::error_code ignored;
    std::filesystem::remove_all(cache, ignored);
  }
  if (!snapshot) return snapshot.error();
  return {};
}

result<rendered_commit> render_from_git(git::source_spec source, const std::string& branch, const std::string& tag,
                                        const std::string& semver, const std::string& commit,
                                        const std::string& secret_file, const std::string& cache_dir,
                                        const render::options& opts, const render::source_options& source_opts) {
  bool none = branch.empty() && tag.empty() && semver.empty() && commit.empty();
  auto ref = git::ref_from_options(none ? "main" : branch, tag, semver, commit);
  if (!ref) return ref.error();
  source.ref = std::move(*ref);
  source.allow_file = true;
  std::string path = source.path;
  source.path.clear();
  if (!secret_file.empty()) {
    auto secret = read_secret_file(secret_file);
    if (!secret) return secret.error();
    source.secret = std::move(*secret);
  }
  result<rendered_commit> out = make_error(core::errc::missing_field, "nothing fetched");
  auto fetched = with_snapshot(source, cache_dir, [&](git::snapshot& snapshot) {
    auto objects = render::render_source(*snapshot.tree, path, source_opts, opts);
    if (!objects) out = objects.error().wrap(snapshot.revision);
    else out = rendered_commit{snapshot.revision, std::move(*objects)};
  });
  if (!fetched) return fetched.error();
  return out;
}

int run_build_from_git(git::source_spec source, const std::string& branch, const std::string& tag,
                       const std::string& semver, const std::string& commit, const std::string& secret_file,
                       std::string cache_dir, render::output_format format,
                       const render::options& opts, const render::source_options& source_opts,
                       const verify_flags& verification) {
  std::optional<verify::key_set> keys;
  auto mode = verify::parse_mode(verification.mode);
  if (!mode) {
    std::cerr << "error: --verify-mode must be HEAD, Tag or TagAndHEAD\n";
    return 2;
  }
  if (!verification.key_files.empty()) {
    auto read = read_key_files(verification.key_files);
    if (!read) {
      std::cerr << "error: " << read.error().what() << "\n";
      return 2;
    }
    keys = std::move(*read);
  }
  bool none = branch.empty() && tag.empty() && semver.empty() && commit.empty();
  auto ref = git::ref_from_options(none ? "main" : branch, tag, semver, commit);
  if (!ref) {
    std::cerr << "error: " << ref.error().what() << "\n";
    return 2;
  }
  source.ref = std::move(*ref);
  source.allow_file = true;  // the person running the CLI may read their own files
  // The whole commit, so that a kustomization under the path reaches bases elsewhere in it.
  std::string path = source.path;
  source.path.clear();
  if (!secret_file.empty()) {
    auto secret = read_secret_file(secret_file);
    if (!secret) {
      std::cerr << "error: " << secret.error().what() << "\n";
      return 1;
    }
    source.secret = std::move(*secret);
  }
  int code = 1;
  auto fetched = with_snapshot(source, cache_dir, [&](git::snapshot& snapshot) {
    std::cerr << "revision: " << snapshot.revision << "\n";
    auto verified = keys ? verify::verify_revision(*mode, snapshot.signed_objects, *keys) : result<std::string>(std::string());
    if (!verified) {
      std::cerr << "error: verification failed: " << verified.error().what() << "\n";
      return;
    }
    if (keys) std::cerr << "verified: " << *verified << "\n";
    code = render::run_build(*snapshot.tree, path, format, std::cout, std::cerr, opts, source_opts);
  });
  if (!fetched) std::cerr << "error: " << fetched.error().what() << "\n";
  return code;
}

}  // namespace gitopsd::cli
