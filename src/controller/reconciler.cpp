#include "gitopsd/controller/reconciler.hpp"

#include "gitopsd/controller/dependencies.hpp"
#include "gitopsd/controller/reconcile_rules.hpp"
#include "gitopsd/controller/run_outcome.hpp"
#include "gitopsd/controller/status.hpp"
#include "gitopsd/controller/substitution_inputs.hpp"
#include "gitopsd/core/base64.hpp"
#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/duration.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/core/wait.hpp"
#include "gitopsd/decrypt/errc.hpp"
#include "gitopsd/git/url.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/render/render_source.hpp"
#include "gitopsd/sync/apply.hpp"
#include "gitopsd/sync/claim.hpp"
#include "gitopsd/sync/empty_render.hpp"
#include "gitopsd/sync/inventory.hpp"
#include "gitopsd/sync/plan.hpp"
#include "gitopsd/sync/prune.hpp"
#include "gitopsd/sync/wait.hpp"
#include "gitopsd/verify/errc.hpp"
#include "gitopsd/verify/verify.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <map>
#include <set>

namespace gitopsd::controller {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct reconciler::run {
  explicit run(kube::client c) : applier(std::move(c)) {}
  gitrepository repo;
  object_ref self;
  kube::client applier;  // impersonates `account` when set
  std::string account;   // the ServiceAccount acted as (spec or --default-service-account); empty: the agent
  rapidjson::Document status;  // the latest status we know, for condition transition times
  steady::time_point started = steady::now();
  std::optional<steady::time_point> last_progress;  // the last progress step written to status
  std::string revision;  // the revision being attempted
  std::optional<git::commit_info> commit;
  std::vector<sync::inventory_entry> inventory;  // of the commit being applied
  stage at = stage::starting;  // for the message when the deadline passes
  std::optional<bool> reported;  // the outcome that reached status: a late deadline must not overwrite it
  std::string verified_by;       // who signed the revision (spec.verify), for status and the Event
  drift_check check;             // see reconcile()
  std::optional<steady::time_point> asked_at;  // see reconcile()
};

// A failed step: its Ready reason and a message that names the file, object or server answer.
struct step_failure {
  const char* reason;
  std::string message;
  phase state = phase::failed;  // stalled: no retry can fix it; the interval looks again
};

namespace {

// Bounds of what is kept of each render's reads, and of all of them: past them, new commits are
// rendered (a render of thousands of files, or a fleet of them, costs memory, not correctness).
constexpr std::size_t max_render_reads = 20000;
constexpr std::size_t max_render_read_bytes = 1u << 20;
constexpr std::size_t max_render_records_bytes = 16u << 20;

// " (read as ServiceAccount ns/name)" when the reconcile acts as one: a refusal then names whose
// rights were missing. Everything a tenant names (Secrets, dependencies) is read with those rights.
std::string read_as(const std::string& namespace_, const std::string& account) {
  return account.empty() ? std::string() : fmt::format(" (read as ServiceAccount {}/{})", namespace_, account);
}

// What every successful run writes: Ready at `revision`, with the commit and who signed it.
status_update applied_status(const std::string& revision, const std::optional<git::commit_info>& commit,
                             const std::string& verified_by, std::int64_t generation, std::string message) {
  status_update done{phase::succeeded, reason::succeeded, std::move(message), generation};
  done.last_attempted_revision = revision;
  done.last_applied_revision = revision;
  done.verified_by = verified_by;
  if (commit) done.last_applied_commit = commit_summary{commit->author, commit->subject, rfc3339(commit->time)};
  return done;
}

std::map<std::string, std::string> decode_secret(const rapidjson::Value& secret, const std::string& name,
                                                 std::string& problem) {
  std::map<std::string, std::string> out;
  const rapidjson::Value* data = json::find(secret, "data");
  if (data == nullptr || !data->IsObject()) return out;
  for (const auto& m : data->GetObject()) {
    if (!m.value.IsString()) continue;
    auto decoded = base64_decode(json::view(m.value));
    if (!decoded) {
      problem = fmt::format("Secret {} key {}: {}", name, json::view(m.name), decoded.error().what());
      return {};
    }
    out.emplace(std::string(json::view(m.name)), std::move(*decoded));
  }
  return out;
}

// The decoded data of a Secret of the GitRepository's namespace that `field` names, read with the
// reconcile's identity; errors name the field and, when a ServiceAccount acts, whose rights.
asio::awaitable<result<std::map<std::string, std::string>>> read_named_secret(kube::client& applier, const std::string& namespace_,
                                                                            const std::string& account, const std::string& name,
                                                                            std::string_view field) {
  object_ref ref{{"", "v1", "Secret"}, namespace_, name};
  auto secret = co_await applier.get(ref);
  if (!secret) co_return error{secret.error().code, fmt::format("{}{}: {}", field, read_as(namespace_, account), secret.error().what())};
  std::string problem;
  auto data = decode_secret(*secret, name, problem);
  if (!problem.empty()) co_return make_error(kube::errc::malformed_response, problem);
  co_return data;
}

git::ref_spec to_git_ref(const source_ref& ref) {
  switch (ref.kind) {
    case source_ref::type::branch: return git::ref_spec::make_branch(ref.value);
    case source_ref::type::tag: return git::ref_spec::make_tag(ref.value);
    case source_ref::type::semver: return git::ref_spec::make_semver(ref.value);
    case source_ref::type::commit: return git::ref_spec::make_commit(ref.value, ref.branch);
  }
  return git::ref_spec::make_branch(ref.value);
}

server::labels repo_labels(const gitrepository& repo) { return {{"name", repo.name}, {"namespace", repo.namespace_}}; }

std::string describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// The spec's timeout when it parses, else the default: deletion must not depend on the spec.
duration deletion_timeout(const rapidjson::Value& object) {
  auto text = json::get_string(object, "spec", "timeout");
  if (!text) return std::chrono::minutes(5);
  auto parsed = parse_duration(*text);
  return parsed && *parsed > duration::zero() ? *parsed : std::chrono::minutes(5);
}

std::string changes_text(const sync::change_set& c, std::size_t pruned) {
  std::string text =
      fmt::format("created {}, configured {}, unchanged {}, pruned {}", c.created, c.configured, c.unchanged, pruned);
  if (c.adopted > 0) text += fmt::format(", adopted {}", c.adopted);
  return text;
}

}  // namespace

reconciler::reconciler(kube::client client, git::source_cache& sources, asio::thread_pool& pool,
                       server::metrics& metrics, reconciler_settings settings)
    : client_(std::move(client)), sources_(sources), pool_(pool), metrics_(metrics), settings_(settings) {}

asio::awaitable<bool> reconciler::write_status(run& r, const status_update& update) {
  // GCC 12 mishandles temporaries inside co_await expressions: every argument is a named object.
  auto body = json::serialize(status_patch(update, r.status.IsObject() ? &r.status : nullptr, rfc3339_now()));
  kube::write_options options;
  auto patched = co_await client_.patch(r.self, kube::patch_type::merge, body, options, "status");
  if (!patched) {
    log::warn("status update failed", {{"object", r.repo.key()}, {"error", patched.error().what()}});
    co_return false;
  }
  if (const auto* status = json::find(*patched, "status")) r.status.CopyFrom(*status, r.status.GetAllocator());
  co_return true;
}

asio::awaitable<bool> reconciler::progress(run& r, stage at, const std::string& message) {
  r.at = at;
  if (routine(r.repo, r.revision) && !inventory_grows(r.repo.inventory, r.inventory)) {
    log::debug(message, {{"object", r.repo.key()}});
    co_return true;
  }
  // The apply step always records its inventory: the status this run started from may be older
  // than the last write (a re-run starts before the watch shows the previous run's result).
  bool records_inventory = at == stage::applying ? !r.inventory.empty() : inventory_grows(r.repo.inventory, r.inventory);
  bool requested = !r.repo.requested_at.empty() && r.repo.requested_at != r.repo.handled_requested_at;
  auto now = steady::now();
  // A health wait may last the whole timeout: it is always shown.
  if (!progress_due(records_inventory || at == stage::waiting, requested, r.started, r.last_progress, now)) {
    log::debug(message, {{"object", r.repo.key()}});
    co_return true;
  }
  r.last_progress = now;
  log::info(message, {{"object", r.repo.key()}});
  status_update u{phase::progressing, reason::progressing, message, r.repo.generation};
  if (!r.revision.empty()) u.last_attempted_revision = r.revision;
  // Write-ahead inventory: what is about to be applied is recorded before it is, so an agent
  // killed mid-apply still knows every object it may have created.
  if (auto inventory = progress_inventory(at, r.repo.inventory, r.inventory); !inventory.empty())
    u.inventory = std::move(inventory);
  co_return co_await write_status(r, u);
}

asio::awaitable<void> reconciler::event(run& r, bool warning, const std::string& reason_text, const std::string& message) {
  kube::event_spec e;
  e.regarding = r.self;
  e.regarding_uid = r.repo.uid;
  e.type = warning ? "Warning" : "Normal";
  e.reason = reason_text;
  e.message = message;
  if (auto created = co_await client_.create_event(e); !created)
    log::warn("event not recorded", {{"object", r.repo.key()}, {"error", created.error().what()}});
}

asio::awaitable<void> reconciler::orphaned_event(run& r, const std::vector<object_ref>& orphaned) {
  std::string names;
  for (const auto& o : orphaned) names += (names.empty() ? "" : ", ") + o.display();
  std::string message = fmt::format("adopted, so not deleted by prune: {}", names);
  std::string why = reason::orphaned;
  co_await event(r, true, why, message);
}

asio::awaitable<bool> reconciler::set_finalizer(run& r, const rapidjson::Value& object, bool present) {
  auto body = finalizer_patch(object, present);
  if (!body) co_return true;
  kube::write_options options;
  auto patched = co_await client_.patch(r.self, kube::patch_type::json, *body, options);
  if (!patched) {
    log::warn("finalizer update failed", {{"object", r.repo.key()}, {"error", patched.error().what()}});
    co_return false;
  }
  r.repo.resource_version = json::get_string(*patched, "metadata", "resourceVersion").value_or("");
  r.repo.has_finalizer = present;
  co_return true;
}

asio::awaitable<bool> reconciler::reconcile(const rapidjson::Value& object, drift_check check,
                                            std::optional<steady::time_point> asked_at) {
  run r(client_);
  r.check = std::move(check);
  r.asked_at = asked_at;
  r.self = gitrepository_ref(std::string(json::get_string(object, "metadata", "namespace").value_or("")),
                             std::string(json::get_string(object, "metadata", "name").value_or("")));
  if (const auto* status = json::find(object, "status"); status && status->IsObject()) r.status.CopyFrom(*status, r.status.GetAllocator());
  // Deletion first: nothing in the spec may stand in the way of deleting the object.
  r.repo = read_gitrepository_metadata(object);
  if (r.repo.deleting) {
    // Bounded like any reconcile: a prune that hangs is retried, not waited on forever.
    auto finalized = co_await wait::run_within(finalize(r, object), deletion_timeout(object));
    if (finalized.timed_out) log::warn("deletion did not finish within the timeout; retrying", {{"object", r.repo.key()}});
    else if (finalized.failure) log::error("deletion failed; retrying", {{"object", r.repo.key()}, {"error", describe(finalized.failure)}});
    co_return finalized.value.value_or(false);
  }
  auto parsed = parse_gitrepository(object);
  if (!parsed) {
    log::error("invalid GitRepository", {{"object", r.repo.key()}, {"error", parsed.error().what()}});
    status_update stalled{phase::stalled, reason::invalid_spec, parsed.error().what(), r.repo.generation};
    // Stalled until the spec changes (the watch brings the new generation); a failed write retries.
    co_return co_await write_status(r, stalled);
  }
  r.repo = std::move(*parsed);
  use_service_account(r);
  if (r.repo.spec.suspend) co_return true;
  if (auto refused = cross_namespace_reference(r.repo, settings_.tenancy)) {
    std::string why = reason::access_denied;
    co_return co_await report_failure(r, why, *refused, phase::stalled);  // until the spec changes
  }
  if (!co_await set_finalizer(r, object, r.repo.spec.prune)) co_return false;

  auto limit = r.repo.spec.timeout;
  auto outcome = co_await wait::run_within(pipeline(r), limit);
  bool outside = (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
  auto end = classify_run(outside, outcome.timed_out, r.reported, static_cast<bool>(outcome.failure), outcome.value);
  if (end.how == ending::cancelled) co_return false;
  // Messages are named locals: g++ 12 destroys temporaries of a co_await expression twice.
  if (end.how == ending::timed_out) {
    auto host = git::parse_url(r.repo.spec.url, true);
    std::string why = reason::progressing_with_retry;
    std::string message = timeout_message(r.at, host ? host->host : std::string("?"), limit);
    co_await report_failure(r, why, message);
  } else if (end.how == ending::crashed) {
    std::string why = reason::internal_error;
    std::string message = "internal error: " + describe(outcome.failure);
    co_await report_failure(r, why, message);
  }
  bool ok = end.ok;
  auto labels = repo_labels(r.repo);
  metrics_.observe("gitopsd_reconcile_duration_seconds", labels, seconds_since(r.started));
  auto result_labels = labels;
  result_labels.emplace_back("result", ok ? "success" : "failure");
  metrics_.add("gitopsd_reconcile_total", result_labels);
  metrics_.set("gitopsd_ready", labels, ok ? 1 : 0);
  co_return ok;
}

void reconciler::use_service_account(run& r) {
  // Only the user: the API server adds the ServiceAccount's groups itself, and impersonating
  // groups needs a cluster-wide grant that a namespace-restricted install cannot have.
  r.account = acting_service_account(r.repo.spec, settings_.tenancy);
  if (r.account.empty()) return;
  r.applier = client_.as({service_account_user(r.repo.namespace_, r.account), {}});
}

asio::awaitable<bool> reconciler::report_failure(run& r, const std::string& why, const std::string& message, phase state) {
  log::error("reconcile failed", {{"object", r.repo.key()}, {"reason", why}, {"error", message}});
  status_update u{state, why, message, r.repo.generation};
  if (!r.revision.empty()) u.last_attempted_revision = r.revision;
  if (!r.repo.requested_at.empty()) u.handled_requested_at = r.repo.requested_at;
  bool repeated = r.repo.ready_status == "False" && r.repo.ready_message == message;
  bool written = co_await write_status(r, u);
  if (written) r.reported = false;
  if (!repeated) co_await event(r, true, why, message);  // one Warning per new problem, not per retry
  co_return written;
}

std::function<busy_watch::ticket()> reconciler::pool_job(const run& r, const char* what) const {
  if (settings_.busy == nullptr) return {};
  return [watch = settings_.busy, what = fmt::format("{} of {}", what, r.repo.key()),
          deadline = r.started + r.repo.spec.timeout] {
    auto now = steady::now();
    return watch->begin(what, deadline > now ? deadline - now : steady::duration{}, now);
  };
}

asio::awaitable<bool> reconciler::pipeline(run& r) {
  auto& repo = r.repo;
  const auto& spec = repo.spec;
  auto fail = [&](const step_failure& f) -> asio::awaitable<bool> {
    // A step that ended because the deadline cancelled it is reported by the caller, once.
    auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
    if (cancelled != asio::cancellation_type::none) throw boost::system::system_error(asio::error::operation_aborted);
    std::string why = f.reason;
    co_await report_failure(r, why, f.message, f.state);
    co_return f.state == phase::stalled;
  };

  // An inventory entry no legal object makes: report it once; the inventory this reconcile
  // writes leaves it out, so the next one is clean (the object it named is not pruned).
  if (!repo.unreadable_inventory.empty() || !repo.inventory_problem.empty()) {
    std::string what = repo.inventory_problem.empty()
                           ? fmt::format("status.inventory holds entries that name no object: {}; they are dropped, their "
                                         "objects left in place", list_objects(repo.unreadable_inventory))
                           : repo.inventory_problem;
    status_update u{phase::failed, reason::invalid_inventory, what, repo.generation};
    u.inventory = repo.inventory;
    log::error("reconcile failed", {{"object", repo.key()}, {"reason", reason::invalid_inventory}, {"error", what}});
    if (co_await write_status(r, u)) r.reported = false;
    std::string why = reason::invalid_inventory;
    co_await event(r, true, why, what);
    co_return false;
  }

  // Dependencies must be Ready at their latest generation.
  r.at = stage::dependencies;
  for (const auto& dep : spec.depends_on) {
    object_ref dependency_ref = gitrepository_ref(dep.namespace_, dep.name);
    auto live = co_await r.applier.get(dependency_ref);
    if (!live) {
      step_failure f{reason::dependency_not_ready,
                     fmt::format("dependency {}/{}{}: {}", dep.namespace_, dep.name, read_as(r.repo.namespace_, r.account),
                                 live.error().what())};
      co_return co_await fail(f);
    }
    if (!ready_for_dependents(*live)) {
      step_failure f{reason::dependency_not_ready, fmt::format("dependency {}/{} is not ready", dep.namespace_, dep.name)};
      co_return co_await fail(f);
    }
  }

  // Source.
  std::string step = fmt::format("fetching {}", git::describe(to_git_ref(spec.ref)));
  if (!co_await progress(r, stage::fetching, step)) co_return false;
  git::source_spec source;
  source.url = spec.url;
  source.ref = to_git_ref(spec.ref);
  // The whole commit: kustomizations under spec.path may refer to bases elsewhere in it.
  source.path = "";
  // The reconcile's deadline governs (one message, naming the server); the Git layer's own limit,
  // a little later, is only a backstop.
  source.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout) + std::chrono::seconds(1);
  source.allow_file = settings_.allow_file_urls;
  source.limits = settings_.git_tree;
  source.budget = settings_.git_budget;
  auto source_asked = steady::now();
  source.listing_not_before = listing_not_before(r.asked_at, spec.interval, source_asked);
  if (!spec.secret_name.empty()) {
    // Shared by a fleet on one Secret: read once under the listing's rule (secret_cache.hpp).
    secret_cache::key secret_key{repo.namespace_, spec.secret_name, r.account};
    auto kept = credentials_.find(secret_key, source.listing_not_before, source_asked);
    if (!kept) {
      auto read_at = steady::now();
      auto data = co_await read_named_secret(r.applier, repo.namespace_, r.account, spec.secret_name, "secretRef");
      if (!data) {
        step_failure f{reason::git_failed, data.error().what()};
        co_return co_await fail(f);
      }
      kept = std::make_shared<const secret_cache::data>(std::move(*data));
      credentials_.put(secret_key, kept, read_at);
    }
    source.secret = *kept;
  }
  auto fetch_started = steady::now();
  source.watch = pool_job(r, "Git fetch");
  auto snapshot = co_await sources_.fetch_async(std::move(source), pool_);
  metrics_.observe("gitopsd_git_fetch_duration_seconds", repo_labels(repo), seconds_since(fetch_started));
  if (!snapshot) {
    bool unfixable = unfixable_by_retry(snapshot.error().code);
    step_failure f{unfixable ? reason::invalid_spec : reason::git_failed, snapshot.error().what(),
                   unfixable ? phase::stalled : phase::failed};
    co_return co_await fail(f);
  }
  r.revision = snapshot->revision;
  r.commit = snapshot->commit;
  if (r.check.scope == check_scope::skip && routine(repo, r.revision)) {
    log::debug("commit unchanged and drift watched; no dry run", {{"object", repo.key()}, {"revision", r.revision}});
    r.reported = true;
    co_return true;
  }

  // Verify: nothing of a commit whose signature does not verify is rendered or applied.
  if (spec.verify) {
    auto data = co_await read_named_secret(r.applier, repo.namespace_, r.account, spec.verify->secret_name,
                                           "spec.verify.secretRef");
    auto keys = data ? verify::parse_key_set(*data, fmt::format("Secret {}", spec.verify->secret_name))
                     : result<verify::key_set>(data.error());
    if (!keys) {
      step_failure f{reason::verification_failed, keys.error().what()};
      co_return co_await fail(f);
    }
    // GPGME runs gpg: blocking work, on the pool.
    auto check = [objects = snapshot->signed_objects, keys = std::move(*keys), mode = spec.verify->mode,
                  watch = pool_job(r, "signature verification")]() -> asio::awaitable<result<std::string>> {
      auto busy = watch ? watch() : busy_watch::ticket{};
      co_return verify::verify_revision(mode, objects, keys);
    };
    // Bound to no slot, as the render: the pool work runs to its end (a gpg call is short).
    auto verified = co_await asio::co_spawn(pool_, check,
                                            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    if (!verified) {
      step_failure f{reason::verification_failed, fmt::format("{}: {}", r.revision, verified.error().what())};
      co_return co_await fail(f);
    }
    r.verified_by = std::move(*verified);
    log::debug("signature verified", {{"object", repo.key()}, {"revision", r.revision}, {"by", r.verified_by}});
  }

  // A new commit that changes nothing the last applied render read (another folder of a monorepo):
  // nothing to render, check or apply; status moves to it.
  auto rec = renders_.find(repo.key());
  bool may_skip = rec != renders_.end() && may_skip_unchanged_render(repo, rec->second.revision, r.revision,
                                                                     r.check.scope != check_scope::skip);
  bool unchanged = false;
  if (may_skip) {
    // Thousands of reads compared: on the pool, not the event loop.
    auto compare = [tree = snapshot->tree, reads = rec->second.reads, watch = pool_job(r, "render comparison")]() mutable
        -> asio::awaitable<bool> {
      auto busy = watch ? watch() : busy_watch::ticket{};
      co_return same_answers(*tree, *reads);
    };
    unchanged = co_await asio::co_spawn(pool_, compare,
                                        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
  }
  // Past this point the record is stale until this run succeeds (and records again): a failed
  // run must not leave it for a rerun that starts from an older view of the object.
  if (unchanged) {
    std::string where = spec.path.empty() ? std::string("the repository") : spec.path;
    // The inventory stays as it is in status.
    auto done = applied_status(r.revision, r.commit, r.verified_by, repo.generation,
                               fmt::format("Applied revision: {} (no change in {})", r.revision, where));
    r.at = stage::reporting;
    if (!co_await write_status(r, done)) co_return false;
    r.reported = true;
    if (auto now = renders_.find(repo.key()); now != renders_.end()) now->second.revision = r.revision;
    log::info("new commit changes nothing this GitRepository renders", {{"object", repo.key()}, {"revision", r.revision},
                                                                        {"path", where}});
    co_return true;
  }
  forget(repo.key());

  // Decryption keys, read as the acting identity each time (a rotated key takes effect at once).
  render::source_options source_opts;
  if (spec.decryption) {
    auto data = co_await read_named_secret(r.applier, repo.namespace_, r.account, spec.decryption->secret_name,
                                           "spec.decryption.secretRef");
    auto keys = data ? decrypt::keyring_from_entries(*data, fmt::format("Secret {}", spec.decryption->secret_name))
                     : result<decrypt::keyring>(data.error());
    if (!keys) {
      step_failure f{reason::decryption_failed, keys.error().what()};
      co_return co_await fail(f);
    }
    source_opts.decryption = std::make_shared<const decrypt::keyring>(std::move(*keys));
  }

  // Render on the pool: big trees must not stall the event loop.
  auto tree = snapshot->tree;
  auto normalized = normalize_tree_path(spec.path);
  if (!normalized) {
    step_failure f{reason::build_failed, fmt::format("spec.path: {}", normalized.error().what())};
    co_return co_await fail(f);
  }
  std::string path = *normalized;
  // postBuild variables, read as the identity that applies; read every time, so a changed
  // ConfigMap or Secret takes effect at the next reconcile even on the same commit.
  source_opts.ignore = spec.ignore;
  if (!spec.post_build.substitute_from.empty() || !spec.post_build.substitute.empty()) {
    auto vars = co_await load_substitution(r.applier, repo);
    if (!vars) {
      step_failure f{reason::build_failed, vars.error().what()};
      co_return co_await fail(f);
    }
    source_opts.post_build = std::move(*vars);
  }
  // The render looks at `stop` between files and kustomizations: the reconcile's deadline (our
  // cancellation) ends it there. The flag is shared, so a late signal never touches freed memory.
  auto stop = std::make_shared<std::atomic<bool>>(false);
  // What the render reads is recorded: a later commit that changes none of it needs no render.
  auto reads = std::make_shared<recording_tree>(*tree, max_render_reads, max_render_read_bytes);
  auto render_on_pool = [tree, reads, path, stop, source_opts, opts = settings_.render, watch = pool_job(r, "render")]() mutable
      -> asio::awaitable<result<std::vector<render::manifest>>> {
    auto busy = watch ? watch() : busy_watch::ticket{};
    if (!path.empty()) {
      if (auto entry = reads->stat(path); !entry || *entry != tree_entry::kind::directory)
        co_return make_error(entry ? render::errc::read_failed : entry.error().code,
                             fmt::format("path \"{}\" is not a folder of the repository", path));
    }
    opts.stop = stop.get();
    co_return render::render_source(*reads, path, source_opts, opts);
  };
  r.at = stage::rendering;
  auto cancel = (co_await asio::this_coro::cancellation_state).slot();
  if (cancel.is_connected()) cancel.assign([stop](asio::cancellation_type) { stop->store(true); });
  // The pool work itself is bound to no slot: it always runs to its end (soon, once stopped).
  auto rendered = co_await asio::co_spawn(pool_, render_on_pool,
                                          asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
  if (cancel.is_connected()) cancel.clear();
  if (!rendered) {
    bool decryption = rendered.error().code.category() == decrypt::category::instance();
    step_failure f{decryption ? reason::decryption_failed : reason::build_failed,
                   fmt::format("{}: {}", r.revision, rendered.error().what())};
    co_return co_await fail(f);
  }

  // Plan: the scope of every kind from discovery (kinds of CRDs in the same commit are known).
  r.at = stage::planning;
  std::map<group_version_kind, std::optional<bool>> scopes;
  for (const auto& m : *rendered)
    if (auto ref = object_ref_of(m.object)) scopes.emplace(ref->gvk, std::nullopt);
  for (auto& [gvk, namespaced] : scopes) {
    auto info = co_await r.applier.resource_for(gvk);
    if (info) namespaced = info->namespaced;
    else if (info.error().code != kube::errc::unknown_kind) {
      step_failure f{reason::apply_failed, info.error().what()};
      co_return co_await fail(f);
    }
  }
  sync::owner who{repo.namespace_, repo.name};
  auto plan = sync::make_plan(std::move(*rendered), {who, spec.target_namespace.empty() ? repo.namespace_ : spec.target_namespace},
                              [&](const group_version_kind& gvk) {
                                auto it = scopes.find(gvk);
                                return it == scopes.end() ? std::nullopt : it->second;
                              });
  if (!plan) {
    step_failure f{reason::build_failed, fmt::format("{}: {}", r.revision, plan.error().what())};
    co_return co_await fail(f);
  }
  if (sync::refuse_empty_render(plan->size(), repo.inventory.size(), spec.allow_empty)) {
    step_failure f{reason::empty_render, sync::empty_render_message(r.revision, repo.inventory.size())};
    co_return co_await fail(f);
  }
  auto inventory = sync::inventory_of(*plan);
  // A commit already applied, and watches named the objects that drifted: only those are checked.
  if (r.check.scope == check_scope::drifted_only && routine(repo, r.revision) && inventory == repo.inventory) {
    std::erase_if(*plan, [&](const sync::planned_object& p) { return !r.check.ids.contains(p.ref.inventory_id()); });
    log::debug("checking the objects that drifted", {{"object", repo.key()}, {"objects", std::to_string(plan->size())}});
  }
  // Ownership, before anything is written: another owner's object, or one nobody let us adopt,
  // stops the whole commit.
  sync::claim_settings claim_settings;
  claim_settings.who = who;
  claim_settings.adopt = spec.adopt;
  claim_settings.in_flight = settings_.in_flight;
  claim_settings.defer_unknown = true;
  if (settings_.owns_none)
    claim_settings.known_none = [owns_none = settings_.owns_none, who](const group_version_kind& gvk, const std::string& ns) {
      return owns_none(who, gvk, ns);
    };
  auto claimed = co_await sync::claim_objects(r.applier, *plan, claim_settings);
  if (!claimed) {
    bool conflict = claimed.error().code == sync::claim_errc::conflict;
    step_failure f{conflict ? reason::ownership_conflict : reason::apply_failed,
                   fmt::format("{}: {}", r.revision, claimed.error().what())};
    co_return co_await fail(f);
  }
  r.inventory = std::move(inventory);

  // Apply.
  step = fmt::format("applying {} objects of {}", plan->size(), r.revision);
  sync::apply_settings apply_settings;
  // The write-ahead inventory must be in status before anything is applied, and only once every
  // object's owner is decided (the dry run tells which objects exist).
  bool status_unwritten = false;
  apply_settings.before_first_write = [&]() -> asio::awaitable<bool> {
    bool written = co_await progress(r, stage::applying, step);
    status_unwritten = !written;
    co_return written;
  };
  apply_settings.who = who;
  apply_settings.in_flight = settings_.in_flight;
  // Objects built from decrypted files may hold their values in any field.
  apply_settings.secret_values = spec.decryption.has_value();
  apply_settings.written = settings_.own_write;
  auto changes = co_await sync::apply_plan(r.applier, *plan, apply_settings, &*claimed);
  if (status_unwritten) co_return false;  // a failed status write is a failed reconcile
  if (!changes) {
    bool conflict = changes.error().code == sync::claim_errc::conflict;
    step_failure f{conflict ? reason::ownership_conflict : reason::apply_failed,
                   conflict ? fmt::format("{}: {}", r.revision, changes.error().what()) : changes.error().what()};
    co_return co_await fail(f);
  }
  if (changes->changed() > 0) {
    metrics_.add("gitopsd_objects_applied_total", {{"action", "created"}}, changes->created);
    metrics_.add("gitopsd_objects_applied_total", {{"action", "configured"}}, changes->configured);
    if (r.revision == repo.last_applied_revision)  // same commit, yet the cluster differed: drift
      metrics_.add("gitopsd_drift_corrections_total", repo_labels(repo), changes->changed());
  }

  // Prune what the previous inventory has and this commit does not.
  std::size_t pruned = 0;
  if (spec.prune) {
    auto stale = sync::stale_objects(repo.inventory, r.inventory);
    if (!stale.empty()) {
      step = fmt::format("pruning {} objects", stale.size());
      if (!co_await progress(r, stage::pruning, step)) co_return false;
      auto removed = co_await sync::prune(r.applier, who, stale, settings_.in_flight);
      if (!removed) {
        step_failure f{reason::prune_failed, removed.error().what()};
        co_return co_await fail(f);
      }
      pruned = removed->deleted.size();
      metrics_.add("gitopsd_objects_pruned_total", repo_labels(repo), static_cast<double>(pruned));
      if (!removed->orphaned.empty()) co_await orphaned_event(r, removed->orphaned);
    }
  }

  // Health.
  if (spec.wait) {
    std::vector<object_ref> refs;
    for (const auto& p : *plan) refs.push_back(p.ref);
    step = fmt::format("waiting for {} objects to become ready", refs.size());
    if (!co_await progress(r, stage::waiting, step)) co_return false;
    auto deadline = r.started + repo.spec.timeout - std::chrono::seconds(1);
    std::function<void(const std::string&)> no_progress;
    // The wait holds no slot (a cancelled run's end tells the scheduler too).
    if (settings_.health_wait) settings_.health_wait(repo.key(), true);
    auto healthy = co_await sync::wait_healthy(r.applier, refs, deadline, settings_.in_flight, no_progress);
    if (settings_.health_wait) settings_.health_wait(repo.key(), false);
    if (!healthy) {
      step_failure f{reason::health_failed, healthy.error().what()};
      co_return co_await fail(f);
    }
  }

  auto done = applied_status(r.revision, r.commit, r.verified_by, repo.generation,
                             fmt::format("Applied revision: {}", r.revision));
  if (!repo.requested_at.empty()) done.handled_requested_at = repo.requested_at;
  done.inventory = r.inventory;
  r.at = stage::reporting;
  if ((!routine(repo, r.revision) || r.inventory != repo.inventory) && !co_await write_status(r, done)) co_return false;
  r.reported = true;
  remember_render(repo.key(), r.revision, reads->accesses());
  std::string summary = changes_text(*changes, pruned);
  log::write(changes->changed() > 0 || pruned > 0 || !routine(repo, r.revision) ? log::level::info : log::level::debug,
             "reconciled", {{"object", repo.key()}, {"revision", r.revision}, {"changes", summary},
                            {"seconds", seconds_since(r.started)}});
  if (changes->changed() > 0 || pruned > 0) {
    std::string message = fmt::format("{} at {}", summary, r.revision);
    if (r.commit) message += fmt::format(" ({} by {}: {})", r.commit->short_sha, r.commit->author, r.commit->subject);
    if (!r.verified_by.empty()) message += fmt::format("; verified: {}", r.verified_by);
    std::string why = reason::succeeded;
    co_await event(r, false, why, message);
  }
  co_return true;
}

void reconciler::forget(const std::string& key) {
  auto it = renders_.find(key);
  if (it == renders_.end()) return;
  render_bytes_ -= it->second.bytes;
  renders_.erase(it);
}

void reconciler::remember_render(const std::string& key, const std::string& revision,
                                 std::optional<std::vector<tree_access>> reads) {
  forget(key);
  if (!reads) return;  // over its bounds: every new commit is rendered
  std::size_t bytes = 0;
  for (const auto& a : *reads) bytes += sizeof(tree_access) + a.path.size() + a.digest.size();
  if (render_bytes_ + bytes > max_render_records_bytes) return;
  render_bytes_ += bytes;
  renders_[key] = {revision, std::make_shared<const std::vector<tree_access>>(std::move(*reads)), bytes};
}

// Runs on what metadata and status say, whatever the spec holds: our finalizer means prune was
// on when objects were applied, and status.inventory says which.
asio::awaitable<bool> reconciler::finalize(run& r, const rapidjson::Value& object) {
  if (!r.repo.has_finalizer) co_return true;
  use_service_account(r);
  std::vector<std::string> left;
  for (const auto& id : r.repo.unreadable_inventory) left.push_back("unreadable inventory entry " + id);
  // prune: false set since the last reconcile (which would have dropped the finalizer) is obeyed.
  if (r.repo.spec.prune && !r.repo.spec.suspend && !r.repo.inventory.empty()) {
    // An impersonated ServiceAccount that is gone (deleted with its namespace) can never delete
    // anything again: give up pruning rather than block the deletion forever.
    bool account_missing = false;
    if (!r.account.empty()) {
      object_ref account{{"", "v1", "ServiceAccount"}, r.repo.namespace_, r.account};
      auto found = co_await client_.get(account);
      account_missing = !found && found.error().code == kube::errc::not_found;
    }
    sync::owner who{r.repo.namespace_, r.repo.name};
    auto stale = sync::stale_objects(r.repo.inventory, {});
    std::optional<result<sync::prune_result>> removed;
    if (!account_missing) removed = co_await sync::prune(r.applier, who, stale, settings_.in_flight);
    bool forbidden = removed && !*removed && removed->error().code == kube::errc::forbidden;
    bool terminating = false;
    if (forbidden) {
      object_ref ns{{"", "v1", "Namespace"}, "", r.repo.namespace_};
      auto live = co_await client_.get(ns);
      terminating = live && json::find(*live, "metadata", "deletionTimestamp") != nullptr;
    }
    if (release_without_pruning(account_missing, terminating, forbidden)) {
      for (const auto& ref : stale) left.push_back(ref.display());
      std::string why = account_missing
                            ? fmt::format("ServiceAccount {} no longer exists", r.account)
                            : fmt::format("ServiceAccount {} may no longer delete in the terminating namespace {}",
                                          r.account, r.repo.namespace_);
      std::string message = fmt::format("{}: finalizer released without pruning; left in place: {}", why, list_objects(left));
      log::warn("finalizer released without pruning", {{"object", r.repo.key()}, {"reason", why}, {"left", left.size()}});
      std::string reason_text = reason::prune_skipped;
      co_await event(r, true, reason_text, message);
      co_return co_await set_finalizer(r, object, false);
    }
    if (!*removed) {
      status_update failed{phase::failed, reason::prune_failed, removed->error().what(), r.repo.generation};
      co_await write_status(r, failed);
      co_return false;
    }
    log::info("pruned on deletion", {{"object", r.repo.key()}, {"deleted", (*removed)->deleted.size()}});
    if (!(*removed)->orphaned.empty()) co_await orphaned_event(r, (*removed)->orphaned);
  }
  if (!left.empty()) {
    std::string message = fmt::format("left in place: {}", list_objects(left));
    std::string reason_text = reason::prune_skipped;
    co_await event(r, true, reason_text, message);
  }
  co_return co_await set_finalizer(r, object, false);
}

}  // namespace gitopsd::controller
