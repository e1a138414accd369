#include "gitopsd/controller/agent.hpp"

#include "gitopsd/controller/dependencies.hpp"
#include "gitopsd/controller/drift_watches.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/controller/leader_election.hpp"
#include "gitopsd/controller/reconciler.hpp"
#include "gitopsd/controller/scheduler.hpp"
#include "gitopsd/controller/supervise.hpp"
#include "gitopsd/controller/webhook_target.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/server/http_server.hpp"
#include "gitopsd/server/metrics.hpp"
#include "gitopsd/server/webhook_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <unistd.h>

namespace gitopsd::controller {
namespace {

namespace asio = boost::asio;

// What the scheduler needs, read leniently: an invalid spec still gets scheduled, and its
// reconcile reports the problem in status.
schedule_input schedule_input_of(const rapidjson::Value& object) {
  schedule_input in;
  in.generation = json::get_int(object, "metadata", "generation").value_or(0);
  in.requested_at = json::get_string(object, "metadata", "annotations", requested_at_annotation).value_or("");
  in.deleting = json::find(object, "metadata", "deletionTimestamp") != nullptr;
  if (auto parsed = parse_gitrepository(object)) {
    in.observed_generation = parsed->observed_generation;
    in.handled_requested_at = parsed->handled_requested_at;
    in.suspended = parsed->spec.suspend;
    in.interval = parsed->spec.interval;
    in.retry_interval = parsed->spec.retry_interval;
  }
  return in;
}

std::string key_of(const rapidjson::Value& object) {
  return fmt::format("{}/{}", json::get_string(object, "metadata", "namespace").value_or(""),
                     json::get_string(object, "metadata", "name").value_or(""));
}

class agent {
 public:
  agent(asio::io_context& io, const agent_options& options, kube::client client)
      : io_(io),
        options_(options),
        client_(std::move(client)),
        sources_(options.cache_dir),
        scheduler_([this] { return jitter_(random_); }),
        wake_(io),
        tasks_([this](const std::string&, const std::string&) { begin_shutdown(1, false); }),
        acceptor_(io),
        webhook_acceptor_(io),
        pool_(2),
        reconciler_(client_, sources_, pool_, metrics_,
                    {options.allow_file_urls, options.in_flight, options.render, &busy_, options.tenancy, options.git_tree,
                     options.git_budget,
                     [this](const object_ref& ref, const std::string& version) { drift_.own_write(ref, version); },
                     [this](const sync::owner& who, const group_version_kind& gvk, const std::string& ns) {
                       return drift_.owns_none(who, gvk, ns);
                     },
                     [this](const std::string& key, bool waiting) {
                       scheduler_.set_waiting(key, waiting);
                       if (waiting) wake_.cancel();  // a slot is free
                     }}),
        drift_(io.get_executor(), client_, metrics_, {options.watch_namespace, options.drift_resync},
               [this](const std::string& key) { return drift_trigger(key); }) {
    server::describe_agent_metrics(metrics_);
  }

  agent(const agent&) = delete;
  agent& operator=(const agent&) = delete;

  int run() {
    auto endpoint = server::parse_listen_address(options_.http_addr);
    if (!endpoint) {
      log::error("invalid --http-addr", {{"error", endpoint.error().what()}});
      return 2;
    }
    boost::system::error_code ec;
    acceptor_.open(endpoint->protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(*endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      log::error("cannot listen", {{"address", options_.http_addr}, {"error", ec.message()}});
      return 2;
    }
    endpoints_ = {[this] { return healthy(); }, [this] { return ready(); }, [this] { return metrics_text(); }};
    if (!options_.webhook_addr.empty() && !listen_webhooks()) return 2;
    tasks_.spawn(io_.get_executor(), "http", server::serve(acceptor_, endpoints_));
    if (webhook_acceptor_.is_open())
      tasks_.spawn(io_.get_executor(), "webhook", server::serve_webhooks(webhook_acceptor_, webhooks_));

    asio::signal_set signals(io_, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code error, int signal) {
      if (error) return;
      log::info("shutting down", {{"signal", signal}});
      begin_shutdown(0, true);
    });

    if (options_.leader_elect) {
      lease_settings lease;
      lease.namespace_ = options_.leader_election_namespace.empty() ? client_.configuration().namespace_
                                                                     : options_.leader_election_namespace;
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      lease.identity = fmt::format("{}_{}", host, getpid());
      lease.duration = options_.lease_duration;
      lease.renew_deadline = options_.renew_deadline;
      lease.retry_period = options_.retry_period;
      // The lease has a client of its own (its own connection and request slots): a reconcile that
      // fills every slot of the main client must not hold a renewal past its deadline.
      auto own = kube::client::create(io_.get_executor(), client_.configuration());
      if (!own) log::warn("leader election shares the main API client", {{"error", own.error().what()}});
      lease_client_.emplace(own ? std::move(*own) : client_);
      elector_.emplace(*lease_client_, lease);
      tasks_.spawn(io_.get_executor(), "leader election", elector_->run([this](bool leading) { on_leadership(leading); }),
                   stop_elector_.slot());
    } else {
      on_leadership(true);
    }
    log::info("gitopsd started", {{"http", options_.http_addr},
                                  {"namespace", options_.watch_namespace.empty() ? "all" : options_.watch_namespace},
                                  {"leader_election", options_.leader_elect}});
    io_.run();
    signals.cancel();
    finish();
    return exit_code_;
  }

 private:
  // Alive: no long-lived task has died, the loop answers (this runs on it), and no pool job has
  // overrun its reconcile's deadline (a stuck pool thread stops every GitRepository).
  bool healthy() {
    auto stuck = busy_.overdue_job();
    if (stuck && !reported_stuck_) log::error("a pool thread is stuck; /healthz fails", {{"job", *stuck}});
    reported_stuck_ = stuck.has_value();
    return tasks_.healthy() && !stuck;
  }

  bool listen_webhooks() {
    auto endpoint = server::parse_listen_address(options_.webhook_addr);
    if (!endpoint) {
      log::error("invalid --webhook-addr", {{"error", endpoint.error().what()}});
      return false;
    }
    boost::system::error_code ec;
    webhook_acceptor_.open(endpoint->protocol(), ec);
    if (!ec) webhook_acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) webhook_acceptor_.bind(*endpoint, ec);
    if (!ec) webhook_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      log::error("cannot listen for webhooks", {{"address", options_.webhook_addr}, {"error", ec.message()}});
      return false;
    }
    // A standby answers 503: it has no cache to find the GitRepository in, and the leader's
    // next interval catches up with what it was told.
    webhooks_ = {[this] { return working_ && synced_ && !stopping_; },
                 [this](server::hook_target t) { return webhook_token(std::move(t)); },
                 [this](const server::hook_target& t) { trigger_same_url(t); }};
    return true;
  }

  asio::awaitable<std::optional<std::string>> webhook_token(server::hook_target target) {
    auto it = objects_.find(target.namespace_ + "/" + target.name);
    if (it == objects_.end()) co_return std::nullopt;
    auto secret_name = webhook_secret_name(it->second);
    if (!secret_name) co_return std::nullopt;
    // Read with the rights the GitRepository acts with, as every other Secret of a tenant is.
    auto repo = parse_gitrepository(it->second);
    if (!repo) co_return std::nullopt;
    std::string account = acting_service_account(repo->spec, options_.tenancy);
    kube::client reader = account.empty() ? client_ : client_.as({service_account_user(target.namespace_, account), {}});
    object_ref secret_ref{{"", "v1", "Secret"}, target.namespace_, *secret_name};
    auto secret = co_await reader.get(secret_ref);
    if (!secret) {
      log::warn("webhook Secret unreadable", {{"object", target.namespace_ + "/" + target.name},
                                               {"secret", *secret_name}, {"error", secret.error().what()}});
      co_return std::nullopt;
    }
    co_return webhook_token_of(*secret);
  }

  void trigger_same_url(const server::hook_target& target) {
    auto now = clock::now();
    std::size_t triggered = 0;
    std::string named = target.namespace_ + "/" + target.name;
    bool named_rerun = false;
    for (const auto& key : same_url_keys(objects_, named)) {
      if (!scheduler_.request_now(key, now, scheduler::request::push)) continue;  // suspended: nothing runs
      ++triggered;
      named_rerun = named_rerun || key == named;
    }
    // The health wait of the GitRepository the hook names (only that one: its token proves
    // nothing about the others) gives way to the pushed commit; the rerun follows. Posted, and
    // checked when it runs: the signal must outlive its emit, and the wait may end meanwhile.
    if (auto running = reconciles_.find(named); named_rerun && running != reconciles_.end())
      asio::post(io_, [this, named, signal = running->second] {
        const auto* item = scheduler_.find(named);
        auto now_running = reconciles_.find(named);
        if (item == nullptr || !item->waiting || now_running == reconciles_.end() || now_running->second != signal) return;
        log::info("new commit pushed; cancelling the health wait of the previous one", {{"object", named}});
        signal->emit(asio::cancellation_type::terminal);
      });
    log::debug("webhook triggered reconciles", {{"object", target.namespace_ + "/" + target.name}, {"reconciles", triggered}});
    wake_.cancel();
  }


  bool drift_trigger(const std::string& key) {
    bool queued = scheduler_.request_now(key, clock::now(), scheduler::request::drift);
    wake_.cancel();
    return queued;
  }

  bool ready() const { return is_ready({stopping_, working_, synced_, elector_ && elector_->observed()}); }

  std::string metrics_text() {
    server::update_process_metrics(metrics_);
    for (const auto& [key, count] : client_.metrics().counts())
      metrics_.set("gitopsd_api_requests_total", {{"verb", key.first}, {"code", std::to_string(key.second)}},
                   static_cast<double>(count));
    auto git = sources_.stats();
    metrics_.set("gitopsd_git_fetches_total", {}, static_cast<double>(git.fetches));
    metrics_.set("gitopsd_git_listings_total", {}, static_cast<double>(git.listings));
    metrics_.set("gitopsd_git_listings_reused_total", {}, static_cast<double>(git.listings_reused));
    return metrics_.render();
  }

  void on_leadership(bool leading) {
    if (stopping_) {
      // Reconciles finishing within the shutdown grace must not outlive our lease: another
      // replica may take over once it expires.
      if (!leading && working_ && running_ > 0) {
        log::error("lost leadership while stopping; cancelling running reconciles");
        exit_code_ = std::max(exit_code_, 1);
        cancel_reconciles();
      }
      return;
    }
    if (leading && !working_) {
      working_ = true;
      tasks_.spawn(io_.get_executor(), "GitRepository watch", watch(), stop_watch_.slot());
      tasks_.spawn(io_.get_executor(), "dispatcher", dispatch());
    } else if (!leading && working_) {
      // Another replica may take over once our lease expires: stop working at once rather than
      // race it, and exit so a fresh process stands by.
      log::error("lost leadership; exiting so a fresh process can stand by");
      begin_shutdown(1, false);
    }
  }

  asio::awaitable<void> watch() {
    kube::watch_options w;
    w.label_selector = options_.watch_label_selector;
    group_version_kind gvk = gitrepository_gvk();
    std::set<std::string> seen;
    std::function<void(kube::watch_event&)> on_event = [&](kube::watch_event& e) {
      auto now = clock::now();
      switch (e.type) {
        case kube::watch_event_type::added:
        case kube::watch_event_type::modified: {
          std::string key = key_of(e.object);
          seen.insert(key);
          scheduler_.observe(key, schedule_input_of(e.object), now);
          // Kept without managedFields (never read here), in the event's own Document: copying
          // into the previous one would keep every version in its memory pool.
          if (auto it = e.object.FindMember("metadata"); it != e.object.MemberEnd() && it->value.IsObject())
            it->value.RemoveMember("managedFields");
          drift_.track(key, e.object);
          dependencies_.update(key, dependency_keys(e.object));
          auto previous = objects_.find(key);
          bool was_ready = previous != objects_.end() && ready_for_dependents(previous->second);
          bool now_ready = ready_for_dependents(e.object);
          objects_[key] = std::move(e.object);
          if (now_ready && !was_ready) start_dependents(key, now);
          break;
        }
        case kube::watch_event_type::deleted: {
          std::string key = key_of(e.object);
          seen.erase(key);
          forget(key);
          break;
        }
        case kube::watch_event_type::reset: seen.clear(); break;
        case kube::watch_event_type::synced:
          // After a relist, objects that were not listed again are gone.
          for (auto it = objects_.begin(); it != objects_.end();) {
            if (seen.contains(it->first)) ++it;
            else forget((it++)->first);
          }
          if (!synced_) log::info("GitRepository cache synced", {{"objects", objects_.size()}});
          synced_ = true;
          break;
        case kube::watch_event_type::bookmark: break;
      }
      wake_.cancel();
    };
    auto result = co_await client_.watch(gvk, options_.watch_namespace, w, on_event);
    if (!result && !stopping_) throw std::runtime_error("watching GitRepository objects failed: " + result.error().what());
  }

  // A GitRepository is gone: drop what the agent kept for it (schedule, object, metric series)
  // and, on the pool, the Git cache of URLs no GitRepository uses any more.
  void forget(std::string key) {
    // A reconcile still running for it can do nothing useful now, and must not write back
    // (metric series included) after this: it is cancelled, quietly.
    // Posted: this runs inside a watch callback, and the signal must outlive its own emit.
    if (auto running = reconciles_.find(key); running != reconciles_.end())
      asio::post(io_, [signal = running->second] { signal->emit(asio::cancellation_type::terminal); });
    scheduler_.forget(key);
    drift_.untrack(key);
    dependencies_.remove(key);
    reconciler_.forget(key);
    if (auto it = objects_.find(key); it != objects_.end()) {
      drop_metrics(it->second);
      objects_.erase(it);
    }
    release_unused_sources();
  }

  // `key` turned Ready: the dependents whose last run stopped on a dependency run now, not one
  // retryInterval later (their run checks every dependency again).
  void start_dependents(const std::string& key, clock::time_point now) {
    for (const auto& dependent : dependencies_.dependents_of(key)) {
      auto it = objects_.find(dependent);
      if (it == objects_.end()) continue;
      // Running now: it may have read the dependency just before it turned Ready (a rerun follows).
      const auto* item = scheduler_.find(dependent);
      if (!waiting_on_dependency(it->second) && (item == nullptr || !item->running)) continue;
      if (scheduler_.request_now(dependent, now, scheduler::request::dependency_ready))
        log::info("dependency ready; starting its dependent", {{"dependency", key}, {"object", dependent}});
    }
  }

  void drop_metrics(const rapidjson::Value& object) {
    metrics_.remove_matching({{"name", std::string(json::get_string(object, "metadata", "name").value_or(""))},
                              {"namespace", std::string(json::get_string(object, "metadata", "namespace").value_or(""))}});
  }

  void release_unused_sources() {
    // One at a time; deletions meanwhile ask for one more run after it.
    if (releasing_sources_) {
      release_again_ = true;
      return;
    }
    releasing_sources_ = true;
    release_again_ = false;
    std::set<std::string> urls;
    for (const auto& [key, object] : objects_)
      if (auto url = json::get_string(object, "spec", "url")) urls.emplace(*url);
    asio::post(pool_, [this, urls = std::move(urls)] {
      std::size_t released = 0;
      std::string failure;
      try {
        released = sources_.release_unused(urls);
      } catch (const std::exception& e) {  // nothing may escape a pool thread
        failure = e.what();
      }
      asio::post(io_, [this, released, failure] {
        releasing_sources_ = false;
        if (!failure.empty()) log::warn("releasing unused Git sources failed", {{"error", failure}});
        else if (released > 0) log::debug("released unused Git sources", {{"urls", released}});
        if (release_again_ && !stopping_) release_unused_sources();
      });
    });
  }

  asio::awaitable<void> dispatch() {
    while (!stopping_) {
      for (const auto& key : scheduler_.take_due(clock::now(), options_.concurrent)) {
        auto it = objects_.find(key);
        if (it == objects_.end()) {
          scheduler_.finished(key, true, clock::now());
          continue;
        }
        auto object = std::make_shared<rapidjson::Document>();
        object->CopyFrom(it->second, object->GetAllocator());
        auto cancel = std::make_shared<asio::cancellation_signal>();
        reconciles_[key] = cancel;
        ++running_;
        auto check = drift_.begin_reconcile(key, clock::now());
        auto scope = check.scope;
        std::optional<clock::time_point> asked_at;
        if (const auto* item = scheduler_.find(key)) {
          asked_at = item->run_asked_at;
          // How long a run someone asked for waited for a slot: the fairness a fleet must keep.
          if (item->run_urgent_since)
            metrics_.observe("gitopsd_urgent_reconcile_wait_seconds", {},
                             std::chrono::duration<double>(clock::now() - *item->run_urgent_since).count());
        }
        asio::co_spawn(io_, reconciler_.reconcile(*object, std::move(check), asked_at),
                       asio::bind_cancellation_slot(cancel->slot(), [this, key, object, cancel, scope](std::exception_ptr e, bool ok) {
                         if (e) {
                           try {
                             std::rethrow_exception(e);
                           } catch (const boost::system::system_error& ex) {
                             if (ex.code() == asio::error::operation_aborted)
                               log::info("reconcile cancelled", {{"object", key}});
                             else
                               log::error("reconcile crashed", {{"object", key}, {"error", ex.what()}});
                           } catch (const std::exception& ex) {
                             log::error("reconcile crashed", {{"object", key}, {"error", ex.what()}});
                           } catch (...) {
                             log::error("reconcile crashed", {{"object", key}, {"error", "unknown exception"}});
                           }
                           ok = false;
                         }
                         --running_;
                         if (auto r = reconciles_.find(key); r != reconciles_.end() && r->second == cancel) reconciles_.erase(r);
                         // Forgotten while it ran: a step that ended after that may have written a series again.
                         if (!objects_.contains(key)) {
                           drop_metrics(*object);
                           reconciler_.forget(key);
                         }
                         drift_.end_reconcile(key, ok, scope, clock::now());
                         scheduler_.finished(key, ok, clock::now());
                         wake_.cancel();
                       }));
      }
      // With every slot busy, the next wake-up is a reconcile finishing (it cancels wake_).
      auto next = scheduler_.next_wakeup(options_.concurrent);
      wake_.expires_at(next ? *next : clock::time_point::max());
      boost::system::error_code ignored;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  void cancel_reconciles() {
    // Copied first: a cancellation may complete a reconcile at once and erase its entry.
    auto signals = reconciles_;
    for (auto& [key, signal] : signals) signal->emit(asio::cancellation_type::terminal);
  }

  // Starts the shutdown once; a later call can only make the exit code worse.
  void begin_shutdown(int code, bool graceful) {
    exit_code_ = std::max(exit_code_, code);
    if (stopping_) return;
    stopping_ = true;
    tasks_.stopping();
    asio::co_spawn(io_, shutdown(graceful), asio::detached);
  }

  // Graceful (SIGTERM): stop taking work, let running reconciles finish within the grace period,
  // cancel what is still running, release the lease. Otherwise (lost leadership, a task died):
  // cancel at once and keep the lease, which may no longer be ours.
  asio::awaitable<void> shutdown(bool graceful) {
    wake_.cancel();
    stop_watch_.emit(asio::cancellation_type::terminal);
    drift_.stop();
    if (graceful) co_await wait_for_reconciles(clock::now() + options_.shutdown_grace);
    if (running_ > 0) {
      log::warn("cancelling reconciles still running at shutdown", {{"running", running_}});
      cancel_reconciles();
      co_await wait_for_reconciles(clock::now() + cancel_grace);
    }
    stop_elector_.emit(asio::cancellation_type::terminal);
    if (graceful && elector_) co_await elector_->release();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    webhook_acceptor_.close(ignored);
    log::info("stopped");
    io_.stop();
  }

  asio::awaitable<void> wait_for_reconciles(clock::time_point deadline) {
    asio::steady_timer timer(io_);
    while (running_ > 0 && clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  // After the loop stopped: every coroutine still suspended refers to this agent, its cache or
  // its pool. Cancel them and run the loop until they have ended, so none runs (or is destroyed)
  // after what it uses is gone; then the pool has no work left and joins at once.
  void finish() {
    stopping_ = true;
    tasks_.stopping();
    cancel_reconciles();
    stop_watch_.emit(asio::cancellation_type::terminal);
    drift_.stop();
    stop_elector_.emit(asio::cancellation_type::terminal);
    wake_.cancel();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    webhook_acceptor_.close(ignored);
    io_.restart();
    auto deadline = clock::now() + cancel_grace;
    while ((running_ > 0 || tasks_.alive() > 0 || drift_.alive() > 0) && io_.run_one_until(deadline) > 0) {
    }
    if (running_ > 0 || tasks_.alive() > 0 || drift_.alive() > 0) {
      // A Git or render step that ignores cancellation: destroying the state under it would be a
      // use-after-free, so leave without destroying anything.
      log::error("work still running after cancellation; exiting without cleanup",
                 {{"reconciles", running_}, {"tasks", tasks_.alive()}});
      std::fflush(nullptr);
      std::_Exit(exit_code_ == 0 ? 1 : exit_code_);
    }
    pool_.join();
  }

  // How long cancelled work may take to unwind.
  static constexpr std::chrono::seconds cancel_grace{10};

  asio::io_context& io_;
  agent_options options_;
  kube::client client_;
  server::metrics metrics_;
  busy_watch busy_;  // pool jobs, for /healthz
  git::source_cache sources_;
  std::mt19937 random_{std::random_device{}()};
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
  scheduler scheduler_;
  std::map<std::string, rapidjson::Document> objects_;
  dependency_index dependencies_;  // who waits for whom (dependsOn), from objects_
  asio::steady_timer wake_;
  asio::cancellation_signal stop_watch_;
  asio::cancellation_signal stop_elector_;
  std::map<std::string, std::shared_ptr<asio::cancellation_signal>> reconciles_;
  std::optional<kube::client> lease_client_;
  std::optional<leader_elector> elector_;
  supervisor tasks_;
  server::endpoints endpoints_;
  asio::ip::tcp::acceptor acceptor_;
  server::webhook_handlers webhooks_;
  asio::ip::tcp::acceptor webhook_acceptor_;
  bool synced_ = false;
  bool reported_stuck_ = false;
  bool working_ = false;
  bool stopping_ = false;
  std::size_t running_ = 0;
  int exit_code_ = 0;
  // After the cache and the state the Git and render work use: destroyed (stopped and joined)
  // before them.
  asio::thread_pool pool_;
  bool releasing_sources_ = false;
  bool release_again_ = false;
  reconciler reconciler_;
  drift_watches drift_;
};

}  // namespace

bool is_ready(const readiness& r) {
  if (r.stopping) return false;
  return r.working ? r.synced : r.lease_observed;
}

int run_agent(const agent_options& options) {
  // One malloc heap for every thread, unless the user chose otherwise: the Git and render threads
  // hand their results to the loop thread, and a heap per thread kept a peak of its own.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
  if (options.leader_elect) {
    lease_settings lease;
    lease.duration = options.lease_duration;
    lease.renew_deadline = options.renew_deadline;
    lease.retry_period = options.retry_period;
    if (auto problem = validate(lease); !problem.empty()) {
      log::error("invalid leader election settings", {{"error", problem}});
      return 2;
    }
  }
  auto config = kube::load_default(options.kubeconfig);
  if (!config) {
    log::error("no Kubernetes configuration", {{"error", config.error().what()}});
    return 2;
  }
  log::info("Kubernetes API", {{"server", config->server}, {"configuration", config->origin}});
  asio::io_context io;
  kube::client_options client_options;
  client_options.qps = options.kube_api_qps;
  client_options.burst = options.kube_api_burst;
  auto client = kube::client::create(io.get_executor(), std::move(*config), client_options);
  if (!client) {
    log::error("cannot create the Kubernetes client", {{"error", client.error().what()}});
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(options.cache_dir, ec);
  if (ec) {
    log::error("cannot create the cache directory", {{"path", options.cache_dir.string()}, {"error", ec.message()}});
    return 2;
  }
  agent a(io, options, std::move(*client));
  return a.run();
}

}  // namespace gitopsd::controller
