#include "gitopsd/git/signed_objects.hpp"

#include "gitopsd/git/errc.hpp"
#include "libgit2.hpp"
#include "signed_objects_read.hpp"

#include <fmt/format.h>

namespace gitopsd::git {

result<verify::signed_object> read_signed_object(git_repository* repo, const std::string& id) {
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) < 0) return make_error(errc::internal, fmt::format("{} is not an object id", id));
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo) < 0) return make_error(errc::cache, lg2::last_error());
  lg2::odb odb(raw_odb);
  git_odb_object* raw_obj = nullptr;
  if (git_odb_read(&raw_obj, odb.get(), &oid) < 0)
    return make_error(errc::ref_not_found, fmt::format("object {} is not in the repository", id));
  std::unique_ptr<git_odb_object, lg2::deleter<git_odb_object, git_odb_object_free>> obj(raw_obj);

  verify::signed_object out;
  out.id = id;
  if (git_odb_object_type(obj.get()) == GIT_OBJECT_TAG) {
    std::string_view raw(static_cast<const char*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get()));
    auto parts = verify::split_tag_signature(raw);
    out.kind = verify::signed_object::type::tag;
    out.payload = std::move(parts.payload);
    out.signature = std::move(parts.signature);
    git_tag* tag = nullptr;
    if (git_tag_lookup(&tag, repo, &oid) == 0) {
      out.name = git_tag_name(tag);
      // Peeled here, from the objects themselves: what the server advertised as the tag's commit
      // is not evidence.
      git_object* peeled = nullptr;
      if (git_object_peel(&peeled, reinterpret_cast<git_object*>(tag), GIT_OBJECT_COMMIT) == 0) {
        char hex[GIT_OID_HEXSZ + 1] = {};
        git_oid_tostr(hex, sizeof hex, git_object_id(peeled));
        out.target = hex;
        git_object_free(peeled);
      }
      git_tag_free(tag);
    }
    return out;
  }
  if (git_odb_object_type(obj.get()) != GIT_OBJECT_COMMIT)
    return make_error(errc::ref_not_found, fmt::format("object {} is neither a commit nor an annotated tag", id));
  // From the object's own bytes, header by header: a search of the whole text for "gpgsig" would
  // also find one in the message.
  std::string_view raw(static_cast<const char*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get()));
  auto parts = verify::split_commit_signature(raw);
  out.payload = std::move(parts.payload);
  out.signature = std::move(parts.signature);
  out.problem = std::move(parts.problem);
  return out;
}

result<verify::signed_object> read_signed_object(const std::filesystem::path& repo_dir, const std::string& id) {
  lg2::ensure_init();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0)
    return make_error(errc::cache, fmt::format("opening {}: {}", repo_dir.filename().string(), lg2::last_error()));
  lg2::repository repo(raw);
  return read_signed_object(repo.get(), id);
}

}  // namespace gitopsd::git
