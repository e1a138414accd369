// Server-side apply of N ConfigMaps (or of the manifests of --from-dir) with 1, 8, 32, 128
// requests in flight, beside `kubectl apply --server-side -f DIR` of the same files, in the same run.
//
//   make cluster-up && source build/cluster/env
//   build/bench/kube_apply_bench --cluster-dir build/cluster
//
// Prints objects/s, the ratio to kubectl, CPU seconds of this process, of kubectl and (with
// --cluster-dir) of kube-apiserver and etcd during each run, and this process's peak RSS.

#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/client.hpp"
#include "gitopsd/render/yaml.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace gitopsd;
using clock_type = std::chrono::steady_clock;

namespace {

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of a process by pid file (utime + stime from /proc), or -1.
double process_cpu(const fs::path& pid_file) {
  std::ifstream p(pid_file);
  long pid = 0;
  if (!(p >> pid)) return -1;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct server_cpu {
  fs::path dir;
  double apiserver = 0, etcd = 0;
  void mark() {
    if (dir.empty()) return;
    apiserver = process_cpu(dir / "pids" / "kube-apiserver.pid");
    etcd = process_cpu(dir / "pids" / "etcd.pid");
  }
  std::string since(const server_cpu& before) const {
    if (dir.empty()) return "";
    return fmt::format("  apiserver {:6.1f}s  etcd {:5.1f}s", apiserver - before.apiserver, etcd - before.etcd);
  }
};

std::string configmap(int i) {
  std::string name = fmt::format("bench-{:05d}", i);
  return fmt::format(
      R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{}","labels":{{"app.kubernetes.io/part-of":"bench","index":"{}"}}}},)"
      R"("data":{{"config.yaml":"replicas: {}\nimage: registry.example/app:{}\nlog_level: info\n","owner":"team-{}"}}}})",
      name, i, i % 7, i, i % 13);
}

struct run_result {
  double seconds = 0;
  int failures = 0;
  int unchanged = 0;
  std::string first_error;
  double cpu = 0;
};

// detect: read each object's metadata first so unchanged objects are told apart (GET + PATCH).
run_result apply_all(kube::client& c, asio::io_context& io, std::vector<rapidjson::Document>& docs, std::size_t workers,
                     bool detect = false, bool dry_run = false) {
  run_result out;
  auto body = [&]() -> asio::awaitable<void> {
    std::size_t next = 0, finished = 0;
    auto worker = [&]() -> asio::awaitable<void> {
      while (next < docs.size()) {
        auto& doc = docs[next++];
        kube::apply_options o;
        o.detect_unchanged = detect;  // false: like kubectl, one PATCH per object
        o.dry_run = dry_run;
        auto r = co_await c.apply(doc, o);
        if (!r) {
          if (out.failures++ == 0) out.first_error = r.error().what();
        } else if (r->outcome == kube::apply_outcome::unchanged) {
          ++out.unchanged;
        }
      }
      ++finished;
    };
    for (std::size_t w = 0; w < workers; ++w) asio::co_spawn(io, worker(), asio::detached);
    asio::steady_timer t(io);
    while (finished < workers) {
      t.expires_after(std::chrono::milliseconds(1));
      co_await t.async_wait(asio::use_awaitable);
    }
  };
  double cpu0 = cpu_seconds(RUSAGE_SELF);
  auto start = clock_type::now();
  auto f = asio::co_spawn(io, body(), asio::use_future);
  io.restart();
  io.run();
  f.get();
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
  return out;
}

template <class T>
T await(asio::io_context& io, asio::awaitable<T> work) {
  auto f = asio::co_spawn(io, std::move(work), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

int run_kubectl(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Server-side apply benchmark: gitopsd's client against kubectl"};
  std::string kubeconfig, kubectl = "kubectl", cluster_dir;
  int count = 2000;
  std::vector<std::size_t> levels{1, 8, 32, 128};
  double qps = 0;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)");
  app.add_option("--count", count, "objects per run")->capture_default_str();
  app.add_option("--in-flight", levels, "requests in flight, one run each")->capture_default_str();
  app.add_option("--qps", qps, "client-side rate limit (0: none)")->capture_default_str();
  app.add_option("--kubectl", kubectl, "kubectl to compare with")->capture_default_str();
  app.add_option("--cluster-dir", cluster_dir, "harness state dir, to report API server and etcd CPU");
  bool dry_run_first = false;
  app.add_flag("--dry-run-first", dry_run_first, "server dry run of all objects before each run, as the agent validates");
  std::string from_dir;
  app.add_option("--from-dir", from_dir, "apply the manifests (*.yaml) of this folder instead of generated ConfigMaps");
  CLI11_PARSE(app, argc, argv);

  // The objects: generated ConfigMaps, or every document of the folder's files (namespaced kinds
  // get each run's namespace; the folder itself is what kubectl applies).
  std::vector<std::string> objects;
  if (!from_dir.empty()) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(from_dir))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      auto docs = render::decode_documents(text, f.string());
      if (!docs) {
        std::cerr << "kube_apply_bench: " << docs.error().what() << "\n";
        return 1;
      }
      for (const auto& d : *docs) objects.push_back(json::serialize(d));
    }
    count = static_cast<int>(objects.size());
  } else {
    for (int i = 0; i < count; ++i) objects.push_back(configmap(i));
  }

  auto cfg = kube::load_default(kubeconfig);
  if (!cfg) {
    std::cerr << "kube_apply_bench: " << cfg.error().what() << "\n";
    return 1;
  }
  std::string run_id = std::to_string(::getpid());
  fs::path dir = fs::temp_directory_path() / ("kube-apply-bench-" + run_id);
  fs::create_directories(dir);
  if (from_dir.empty())
    for (int i = 0; i < count; ++i) std::ofstream(dir / fmt::format("cm-{:05d}.json", i)) << objects[static_cast<std::size_t>(i)];

  asio::io_context io;
  std::vector<std::string> namespaces;
  auto make_namespace = [&](kube::client& c, const std::string& name) {
    auto ns = json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})");
    auto r = await(io, c.apply(*ns));
    if (!r) throw std::runtime_error(r.error().what());
    namespaces.push_back(name);
  };

  fmt::print("server-side apply of {} {} (client qps limit: {})\n", count, from_dir.empty() ? "ConfigMaps" : "objects of " + from_dir,
             qps > 0 ? fmt::to_string(qps) : "none");
  server_cpu mark{cluster_dir};

  // kubectl first, so the API server is equally warm for everyone after it.
  kube::client_options base;
  base.qps = qps;
  auto admin = kube::client::create(io.get_executor(), *cfg, base);
  std::string kubectl_ns = "bench-kubectl-" + run_id;
  make_namespace(*admin, kubectl_ns);
  server_cpu before = mark;
  before.mark();
  double child0 = cpu_seconds(RUSAGE_CHILDREN);
  auto start = clock_type::now();
  std::vector<std::string> args{kubectl, "apply", "--server-side", "-n", kubectl_ns, "-f", from_dir.empty() ? dir.string() : from_dir};
  if (!kubeconfig.empty()) args.insert(args.begin() + 1, "--kubeconfig=" + kubeconfig);
  int rc = run_kubectl(args);
  double kubectl_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  server_cpu after = mark;
  after.mark();
  double kubectl_rate = count / kubectl_seconds;
  fmt::print("{:<26} {:>8} {:>10} {:>8}  {}\n", "", "seconds", "objects/s", "x kubectl", "CPU");
  fmt::print("{:<26} {:8.2f} {:10.1f} {:>8}  kubectl {:5.1f}s{}{}\n", "kubectl --server-side", kubectl_seconds,
             kubectl_rate, "1.0", cpu_seconds(RUSAGE_CHILDREN) - child0, after.since(before),
             rc == 0 ? "" : fmt::format("  (exit code {})", rc));

  for (std::size_t level : levels) {
    kube::client_options o = base;
    o.transport.max_in_flight = level;
    auto c = kube::client::create(io.get_executor(), *cfg, o);
    std::string ns = fmt::format("bench-{}-{}", level, run_id);
    make_namespace(*c, ns);
    std::vector<rapidjson::Document> docs;
    docs.reserve(static_cast<std::size_t>(count));
    for (const auto& text : objects) {
      auto d = json::parse(text);
      json::set_string(json::ensure_object(*d, "metadata", d->GetAllocator()), "namespace", ns, d->GetAllocator());
      docs.push_back(std::move(*d));
    }
    // One row: run the level's objects with these options, print time, rate, ratio and CPU.
    auto row = [&](const std::string& label, bool detect, bool dry_run, auto&& note) {
      server_cpu b = mark;
      b.mark();
      auto r = apply_all(*c, io, docs, level, detect, dry_run);
      server_cpu a = mark;
      a.mark();
      double rate = (count - r.failures) / r.seconds;
      fmt::print("{:<26} {:8.2f} {:10.1f} {:8.1f}  client  {:5.1f}s{}{}{}\n", label, r.seconds, rate, rate / kubectl_rate,
                 r.cpu, a.since(b), note(r), r.failures == 0 ? "" : fmt::format("  ({} failed: {})", r.failures, r.first_error));
    };
    auto nothing = [](const run_result&) { return std::string(); };
    if (dry_run_first) row(fmt::format("  dry run, {} in flight", level), false, true, nothing);
    row(fmt::format("gitopsd, {} in flight", level), false, false,
        [&](const run_result&) { return fmt::format("  conns {}", c->connection().connections_opened()); });
    // The steady state of a GitOps agent: nothing changed, and it must say so per object.
    if (level == levels.back())
      row(fmt::format("  re-apply, {} in flight", level), true, false, [&](const run_result& r) {
        return fmt::format("  ({} of {} unchanged, GET+PATCH each)", r.unchanged, count);
      });
  }
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  fmt::print("peak RSS of this process: {:.1f} MiB\n", static_cast<double>(self.ru_maxrss) / 1024.0);

  for (const auto& ns : namespaces) {
    kube::delete_options d;
    d.policy = kube::propagation::background;
    (void)await(io, admin->remove({{"", "v1", "Namespace"}, "", ns}, d));
  }
  fs::remove_all(dir);
  return 0;
}
