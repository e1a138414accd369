#include "gitopsd/controller/agent.hpp"

#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/controller/leader_election.hpp"
#include "gitopsd/controller/reconciler.hpp"
#include "gitopsd/controller/scheduler.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/server/http_server.hpp"
#include "gitopsd/server/metrics.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include <cstdlib>

#include <functional>
#include <map>
#include <random>
#include <set>
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
        pool_(2),
        sources_(options.cache_dir),
        reconciler_(client_, sources_, pool_, metrics_, {options.allow_file_urls, options.in_flight}),
        scheduler_([this] { return jitter_(random_); }),
        wake_(io) {
    server::describe_agent_metrics(metrics_);
  }

  int run() {
    auto endpoint = server::parse_listen_address(options_.http_addr);
    if (!endpoint) {
      log::error("invalid --http-addr", {{"error", endpoint.error().what()}});
      return 2;
    }
    asio::ip::tcp::acceptor acceptor(io_);
    boost::system::error_code ec;
    acceptor.open(endpoint->protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(*endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      log::error("cannot listen", {{"address", options_.http_addr}, {"error", ec.message()}});
      return 2;
    }
    server::endpoints endpoints{[] { return true; }, [this] { return synced_; }, [this] { return metrics_text(); }};
    asio::co_spawn(io_, server::serve(acceptor, endpoints), asio::detached);

    asio::signal_set signals(io_, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code error, int signal) {
      if (error) return;
      log::info("shutting down", {{"signal", signal}});
      asio::co_spawn(io_, shutdown(acceptor), asio::detached);
    });

    if (options_.leader_elect) {
      lease_settings lease;
      lease.namespace_ = options_.leader_election_namespace.empty() ? client_.configuration().namespace_
                                                                     : options_.leader_election_namespace;
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      lease.identity = fmt::format("{}_{}", host, getpid());
      elector_.emplace(client_, lease);
      asio::co_spawn(io_, elector_->run([this](bool leading) { on_leadership(leading); }),
                     asio::bind_cancellation_slot(stop_elector_.slot(), asio::detached));
    } else {
      on_leadership(true);
    }
    log::info("gitopsd started", {{"http", options_.http_addr},
                                  {"namespace", options_.watch_namespace.empty() ? "all" : options_.watch_namespace},
                                  {"leader_election", options_.leader_elect}});
    io_.run();
    return exit_code_;
  }

 private:
  std::string metrics_text() {
    server::update_process_metrics(metrics_);
    for (const auto& [key, count] : client_.metrics().counts())
      metrics_.set("gitopsd_api_requests_total", {{"verb", key.first}, {"code", std::to_string(key.second)}},
                   static_cast<double>(count));
    auto git = sources_.stats();
    metrics_.set("gitopsd_git_fetches_total", {}, static_cast<double>(git.fetches));
    metrics_.set("gitopsd_git_listings_total", {}, static_cast<double>(git.listings));
    return metrics_.render();
  }

  void on_leadership(bool leading) {
    if (leading && !working_) {
      working_ = true;
      asio::co_spawn(io_, watch(), asio::bind_cancellation_slot(stop_watch_.slot(), asio::detached));
      asio::co_spawn(io_, dispatch(), asio::detached);
    } else if (!leading && working_) {
      // Another replica may take over: stop at once rather than race it.
      log::error("lost leadership; exiting so a fresh process can stand by");
      exit_code_ = 1;
      asio::co_spawn(io_, shutdown_without_release(), asio::detached);
    }
  }

  asio::awaitable<void> watch() {
    kube::watch_options w;
    w.label_selector = options_.watch_label_selector;
    group_version_kind gvk{api_group, "v1alpha1", kind};
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
          objects_[key] = std::move(e.object);
          break;
        }
        case kube::watch_event_type::deleted: {
          std::string key = key_of(e.object);
          scheduler_.forget(key);
          objects_.erase(key);
          metrics_.remove("gitopsd_ready", {{"name", std::string(json::get_string(e.object, "metadata", "name").value_or(""))},
                                            {"namespace", std::string(json::get_string(e.object, "metadata", "namespace").value_or(""))}});
          break;
        }
        case kube::watch_event_type::reset: seen.clear(); break;
        case kube::watch_event_type::synced:
          // After a relist, objects that were not listed again are gone.
          for (auto it = objects_.begin(); it != objects_.end();) {
            if (seen.contains(it->first)) ++it;
            else {
              scheduler_.forget(it->first);
              it = objects_.erase(it);
            }
          }
          if (!synced_) log::info("GitRepository cache synced", {{"objects", objects_.size()}});
          synced_ = true;
          break;
        case kube::watch_event_type::bookmark: break;
      }
      wake_.cancel();
    };
    auto result = co_await client_.watch(gvk, options_.watch_namespace, w, on_event);
    if (!result && !stopping_) {
      log::error("watching GitRepository objects failed", {{"error", result.error().what()}});
      exit_code_ = 1;
      co_await shutdown_without_release();
    }
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
        ++running_;
        asio::co_spawn(io_, reconciler_.reconcile(*object), [this, key, object](std::exception_ptr e, bool ok) {
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              log::error("reconcile crashed", {{"object", key}, {"error", ex.what()}});
            }
            ok = false;
          }
          --running_;
          scheduler_.finished(key, ok, clock::now());
          wake_.cancel();
        });
      }
      auto next = scheduler_.next_wakeup();
      wake_.expires_at(next ? *next : clock::time_point::max());
      boost::system::error_code ignored;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  // SIGTERM: stop taking work, let running reconciles finish within the grace period, release
  // the lease, exit 0.
  asio::awaitable<void> shutdown(asio::ip::tcp::acceptor& acceptor) {
    stopping_ = true;
    wake_.cancel();
    stop_watch_.emit(asio::cancellation_type::terminal);
    asio::steady_timer timer(io_);
    auto deadline = clock::now() + options_.shutdown_grace;
    while (running_ > 0 && clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (running_ > 0) log::warn("reconciles still running at shutdown", {{"running", running_}});
    stop_elector_.emit(asio::cancellation_type::terminal);
    if (elector_) co_await elector_->release();
    boost::system::error_code ignored;
    acceptor.close(ignored);
    log::info("stopped");
    io_.stop();
  }

  asio::awaitable<void> shutdown_without_release() {
    stopping_ = true;
    stop_watch_.emit(asio::cancellation_type::terminal);
    stop_elector_.emit(asio::cancellation_type::terminal);
    io_.stop();
    co_return;
  }

  asio::io_context& io_;
  agent_options options_;
  kube::client client_;
  asio::thread_pool pool_;
  git::source_cache sources_;
  server::metrics metrics_;
  reconciler reconciler_;
  std::mt19937 random_{std::random_device{}()};
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
  scheduler scheduler_;
  std::map<std::string, rapidjson::Document> objects_;
  asio::steady_timer wake_;
  asio::cancellation_signal stop_watch_;
  asio::cancellation_signal stop_elector_;
  std::optional<leader_elector> elector_;
  bool synced_ = false;
  bool working_ = false;
  bool stopping_ = false;
  std::size_t running_ = 0;
  int exit_code_ = 0;
};

}  // namespace

int run_agent(const agent_options& options) {
  // One malloc heap for every thread, unless the user chose otherwise: the Git and render threads
  // hand their results to the loop thread, and a heap per thread kept a peak of its own.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
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
