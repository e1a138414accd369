#include "gitopsd/git/source.hpp"

#include "gitopsd/core/log.hpp"
#include "gitopsd/git/listing_cache.hpp"
#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/url.hpp"
#include "libgit2.hpp"
#include "operation.hpp"
#include "read_tree.hpp"
#include "signed_objects_read.hpp"
#include "session.hpp"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <fstream>
#include <optional>
#include <system_error>

namespace gitopsd::git {

// One cached repository; its mutex serializes every use of it, so concurrent requests for the same
// URL share one fetch (the later one finds the commit already there).
struct source_cache::repo_slot {
  std::mutex mutex;
  // The tree read last, shared by every request for the same commit, path and limits: many
  // GitRepository objects on one URL (and every periodic re-check) cost one read, one copy.
  std::string tree_key;
  std::shared_ptr<const file_tree> tree;
  listing_cache listings;  // the last listing per set of credentials
};

namespace {

std::string folder_name(const std::string& cache_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size(), digest);
  std::string hex;
  for (int i = 0; i < 16; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// Every fetch adds a pack and nothing ever removes one (libgit2 has no gc): a repository with
// this many is fetched anew into an empty folder, which bounds the cache of a busy repository.
constexpr std::size_t max_packs = 32;

std::size_t pack_count(const std::filesystem::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "objects" / "pack", ec))
    if (entry.path().extension() == ".pack") ++n;
  return n;
}

// Opens the bare repository, or (re)creates it: the cache may be lost or damaged at any time,
// and one grown past max_packs starts over.
result<lg2::repository> open_cache_repo(const std::filesystem::path& dir, const remote_url& url) {
  git_repository* raw = nullptr;
  if (pack_count(dir) <= max_packs && git_repository_open_bare(&raw, dir.c_str()) == 0) return lg2::repository(raw);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (git_repository_init(&raw, dir.c_str(), 1) < 0)
    return make_error(errc::cache, fmt::format("creating the cache for {} in {}: {}", url.display, dir.string(),
                                               lg2::last_error()));
  std::ofstream(dir / "gitopsd-url") << url.display << "\n";
  return lg2::repository(raw);
}

// The commit an object id leads to, when that object is in the repository (tags are peeled).
lg2::commit find_commit(git_repository* repo, const std::string& hex) {
  git_oid oid;
  if (git_oid_fromstr(&oid, hex.c_str()) < 0) return {};
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) < 0) return {};
  lg2::object owned(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, owned.get(), GIT_OBJECT_COMMIT) < 0) return {};
  return lg2::commit(reinterpret_cast<git_commit*>(peeled));
}

bool has_object(git_repository* repo, const std::string& hex) {
  git_oid oid;
  git_odb* raw = nullptr;
  if (git_oid_fromstr(&oid, hex.c_str()) < 0 || git_repository_odb(&raw, repo) < 0) return false;
  lg2::odb odb(raw);
  return git_odb_exists(odb.get(), &oid) == 1;
}

struct connected_remote {
  lg2::remote remote;
  std::vector<remote_ref> refs;
};

result<connected_remote> list_remote(git_repository* repo, const remote_url& url, session& s) {
  // Anonymous, and no url.<x>.insteadOf rewriting from any git config: the URL is exactly the spec's.
  git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
  create.repository = repo;
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (git_remote_create_with_opts(&raw, url.for_git.c_str(), &create) < 0)
    return make_error(errc::invalid_url, fmt::format("{}: {}", url.display, lg2::last_error()));
  connected_remote out{lg2::remote(raw), {}};
  git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
  s.fill(cb);
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  proxy.type = GIT_PROXY_AUTO;
  s.begin_listing();
  if (int rc = git_remote_connect(out.remote.get(), GIT_DIRECTION_FETCH, &cb, &proxy, s.headers()); rc < 0)
    return s.failure(rc, "listing refs of");
  const git_remote_head** heads = nullptr;
  size_t n = 0;
  if (int rc = git_remote_ls(&heads, &n, out.remote.get()); rc < 0) return s.failure(rc, "listing refs of");
  if (auto too_many = s.check_ref_count(n)) return *too_many;
  out.refs.reserve(n);
  for (size_t i = 0; i < n; ++i) out.refs.push_back({heads[i]->name, lg2::to_hex(heads[i]->oid)});
  return out;
}

result<void> fetch_refspecs(git_remote* remote, const std::vector<std::string>& specs, session& s) {
  std::vector<char*> ptrs;
  for (const auto& sp : specs) ptrs.push_back(const_cast<char*>(sp.c_str()));
  git_strarray refspecs{ptrs.data(), ptrs.size()};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  s.fill(opts.callbacks);
  opts.proxy_opts.type = GIT_PROXY_AUTO;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  opts.prune = GIT_FETCH_NO_PRUNE;
  opts.update_fetchhead = 0;
  opts.custom_headers = *s.headers();
  s.begin_fetch();
  if (int rc = git_remote_fetch(remote, &refspecs, &opts, nullptr); rc < 0) return s.failure(rc, "fetching");
  return {};
}

}  // namespace

source_cache::source_cache(std::filesystem::path dir) : dir_(std::move(dir)) { lg2::ensure_init(); }
source_cache::~source_cache() = default;

std::shared_ptr<source_cache::repo_slot> source_cache::slot_for(const std::string& cache_key) {
  std::lock_guard lock(mutex_);
  auto& slot = slots_[cache_key];
  if (!slot) slot = std::make_shared<repo_slot>();
  return slot;
}

cache_stats source_cache::stats() const { return {listings_.load(), listings_reused_.load(), fetches_.load()}; }

std::size_t source_cache::release_unused(const std::set<std::string>& urls_in_use) {
  std::set<std::string> keep_keys, keep_folders;
  for (const auto& text : urls_in_use)
    if (auto url = parse_url(text, true)) {
      keep_keys.insert(url->cache_key);
      keep_folders.insert(folder_name(url->cache_key));
    }
  std::size_t released = 0;
  // Under the lock throughout: a request for a new URL (not in `urls_in_use`) creates its slot
  // under it too, so its folder is never taken from under it.
  std::lock_guard lock(mutex_);
  {
    for (auto it = slots_.begin(); it != slots_.end();) {
      bool wanted = keep_keys.contains(it->first);
      // A request holds the slot from slot_for() (a copy made under this lock) until it ends, also
      // before it locks the slot's mutex: then the map's is not the only reference.
      bool held = it->second.use_count() > 1;
      std::unique_lock busy(it->second->mutex, std::try_to_lock);
      if (wanted || held || !busy.owns_lock()) {  // kept, or in use right now: a later call decides
        keep_folders.insert(folder_name(it->first));
        ++it;
        continue;
      }
      busy.unlock();
      it = slots_.erase(it);  // with it the tree it kept in memory
      ++released;
    }
  }
  for (const auto& [key, slot] : slots_) keep_folders.insert(folder_name(key));
  // Folders on disk, also those a previous process left: any not kept goes. No call here may
  // throw (this runs on a pool thread): every filesystem call takes an error_code.
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code probe;
    if (!it->is_directory(probe) || keep_folders.contains(it->path().filename().string())) continue;
    if (!std::filesystem::exists(it->path() / "gitopsd-url", probe)) continue;  // not one of ours
    const auto& entry = *it;
    std::error_code removed;
    std::filesystem::remove_all(entry.path(), removed);
    if (removed) log::warn("cannot remove an unused Git cache folder", {{"path", entry.path().filename().string()}, {"error", removed.message()}});
  }
  return released;
}

namespace {

struct checked_request {
  remote_url url;
  ref_spec ref;
  std::string path;
};

result<checked_request> check(const source_spec& spec) {
  auto url = parse_url(spec.url, spec.allow_file);
  if (!url) return url.error();
  auto ref = validate(spec.ref);
  if (!ref) return ref.error();
  auto path = clean_repo_path(spec.path);
  if (!path) return path.error();
  if (url->scheme == "ssh" && spec.secret.find("known_hosts") == spec.secret.end())
    return make_error(errc::host_key_unknown,
                      fmt::format("{}: known_hosts is required in the Secret for SSH URLs", url->display));
  return checked_request{std::move(*url), std::move(*ref), std::move(*path)};
}

}  // namespace

// The refs one request works with: a remembered listing, or one it makes (and remembers) itself.
// Used under the slot's mutex.
struct source_cache::listing {
  listing(repo_slot& of_url, std::string credentials) : slot(of_url), digest(std::move(credentials)) {}

  bool reuse(listing_clock::time_point not_before, std::atomic<std::uint64_t>& reused) {
    const remembered_listing* kept = slot.listings.find(digest, not_before);
    if (!kept) return false;
    refs = kept->refs;
    reused.fetch_add(1);
    return true;
  }

  result<void> list(git_repository* repo, const remote_url& url, session& s, std::atomic<std::uint64_t>& made) {
    auto started = listing_clock::now();
    made.fetch_add(1);
    auto listed = list_remote(repo, url, s);
    if (!listed) {
      slot.listings.forget(digest);  // failures are not remembered, nor what came before them
      return listed.error();
    }
    refs = std::make_shared<const std::vector<remote_ref>>(std::move(listed->refs));
    slot.listings.remember(digest, started, refs);
    remote = std::move(*listed);
    return {};
  }

  repo_slot& slot;
  std::string digest;
  std::shared_ptr<const std::vector<remote_ref>> refs;
  std::optional<connected_remote> remote;  // when this request listed: connected, for a fetch
};

result<remote_revision> source_cache::poll(const source_spec& spec, std::shared_ptr<cancel_signal> cancel) {
  auto req = check(spec);
  if (!req) return req.error();
  operation op(operation::clock::now() + spec.timeout, std::move(cancel));
  operation::scope on_this_thread(op);
  session s(req->url, spec.secret, op, spec.timeout, spec.budget);
  auto slot = slot_for(req->url.cache_key);
  std::lock_guard use(slot->mutex);
  auto repo = open_cache_repo(dir_ / folder_name(req->url.cache_key), req->url);
  if (!repo) return repo.error();
  listing now(*slot, credentials_digest(req->url.for_git, spec.secret));
  bool reused = now.reuse(spec.listing_not_before, listings_reused_);
  result<resolved_ref> resolved = make_error(errc::ref_not_found, "");
  if (reused) resolved = resolve(req->ref, *now.refs, req->url.display);
  if (!resolved) {  // no listing, or a remembered one without the ref (made before it was pushed)
    if (auto listed = now.list(repo->get(), req->url, s, listings_); !listed) return listed.error();
    git_remote_disconnect(now.remote->remote.get());
    resolved = resolve(req->ref, *now.refs, req->url.display);
  }
  if (!resolved) return resolved.error();
  remote_revision out;
  if (!resolved->wanted_commit.empty())
    out.commit = resolved->wanted_commit;
  else if (resolved->oid_is_commit)
    out.commit = resolved->oid;
  else if (auto c = find_commit(repo->get(), resolved->oid))  // a tag object fetched before
    out.commit = lg2::to_hex(*git_commit_id(c.get()));
  if (!out.commit.empty()) out.revision = revision(*resolved, out.commit);
  return out;
}

result<snapshot> source_cache::fetch(const source_spec& spec, std::shared_ptr<cancel_signal> cancel) {
  auto req = check(spec);
  if (!req) return req.error();
  const remote_url* url = &req->url;
  const ref_spec* ref = &req->ref;
  const std::string* path = &req->path;

  operation op(operation::clock::now() + spec.timeout, std::move(cancel));
  operation::scope on_this_thread(op);
  session s(*url, spec.secret, op, spec.timeout, spec.budget);

  auto slot = slot_for(url->cache_key);
  std::lock_guard use(slot->mutex);
  if (op.should_stop()) return s.failure(-1, "waiting for the cache of");
  auto repo = open_cache_repo(dir_ / folder_name(url->cache_key), *url);
  if (!repo) return repo.error();

  listing now(*slot, credentials_digest(url->for_git, spec.secret));
  bool reused = now.reuse(spec.listing_not_before, listings_reused_);
  if (!reused)
    if (auto listed = now.list(repo->get(), *url, s, listings_); !listed) return listed.error();

  // The ref in the listing, and its commit when cached. A tag object is needed for verification;
  // a commit cached from a branch may lack its tag.
  result<resolved_ref> resolved = make_error(errc::ref_not_found, "");
  std::string want;
  lg2::commit commit;
  auto locate = [&] {
    resolved = resolve(*ref, *now.refs, url->display);
    if (!resolved) return;
    want = resolved->wanted_commit.empty() ? resolved->oid : resolved->wanted_commit;
    commit = find_commit(repo->get(), want);
    if (commit && !resolved->tag_object.empty() && !has_object(repo->get(), resolved->tag_object)) commit.reset();
  };
  locate();
  // A remembered listing that names what is not cached (or not the ref): the fetch must connect
  // anyway, so list anew first; the fetch and the answer then agree with the remote as it is now.
  if (reused && (!resolved || !commit)) {
    if (auto listed = now.list(repo->get(), *url, s, listings_); !listed) return listed.error();
    locate();
  }
  if (!resolved) return resolved.error();
  if (!commit) {
    std::vector<std::string> specs;
    if (resolved->refname.empty())  // a bare commit: it may be on any branch
      specs = {"+refs/heads/*:refs/heads/*"};
    else
      specs = {"+" + resolved->refname + ":" + resolved->refname};
    fetches_.fetch_add(1);
    log::debug("git fetch", {{"url", url->display}, {"ref", describe(*ref)}});
    if (auto f = fetch_refspecs(now.remote->remote.get(), specs, s); !f) return f.error();
    commit = find_commit(repo->get(), want);
    if (!commit)
      return make_error(errc::ref_not_found,
                        fmt::format("{}: {} not found after fetching {}", url->display, describe(*ref),
                                    resolved->refname.empty() ? "all branches" : resolved->refname));
  }
  if (now.remote) git_remote_disconnect(now.remote->remote.get());

  snapshot snap;
  snap.commit = describe_commit(commit.get());
  snap.revision = revision(*resolved, snap.commit.sha);
  snap.url = url->display;
  snap.path = *path;
  // Read for verification (cheap: one object each); an annotated tag only when the ref named one.
  auto signed_commit = read_signed_object(repo->get(), snap.commit.sha);
  if (!signed_commit) return signed_commit.error();
  snap.signed_objects.commit = std::move(*signed_commit);
  if (!resolved->tag_object.empty() && resolved->tag_object != snap.commit.sha) {
    auto tag = read_signed_object(repo->get(), resolved->tag_object);
    if (tag && tag->kind == verify::signed_object::type::tag) snap.signed_objects.tag = std::move(*tag);
    snap.signed_objects.tag_ref = resolved->label;
  }
  std::string tree_key = fmt::format("{}:{}:{}:{}", snap.commit.sha, *path, spec.limits.max_bytes, spec.limits.max_files);
  if (slot->tree && slot->tree_key == tree_key) {
    snap.tree = slot->tree;
    return snap;
  }
  auto tree = read_tree(repo->get(), commit.get(), *path, spec.limits, url->display);
  if (!tree) return tree.error();
  snap.tree = std::move(*tree);
  slot->tree_key = std::move(tree_key);
  slot->tree = snap.tree;
  return snap;
}

result<snapshot> fetch_snapshot(const std::filesystem::path& cache_dir, const source_spec& spec) {
  source_cache cache(cache_dir);
  return cache.fetch(spec);
}

}  // namespace gitopsd::git
