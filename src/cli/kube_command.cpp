#include "gitopsd/cli/kube_command.hpp"

#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/render/yaml.hpp"
#include "gitopsd/cli/table.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <unistd.h>

namespace gitopsd::cli {

namespace asio = boost::asio;

std::string describe_failure(const error& e, std::string_view subject, std::string_view server) {
  using kube::errc;
  std::string text = one_line(e.what());
  if (e.code == errc::not_found) return fmt::format("{} not found", subject);
  if (e.code == errc::forbidden) return fmt::format("no permission to read or change {}: {}", subject, text);
  if (e.code == errc::unauthorized) return fmt::format("the cluster at {} did not accept the credentials: {}", server, text);
  if (e.code == errc::connect_failed || e.code == errc::transport_failed || e.code == errc::request_timeout)
    return fmt::format("cannot reach the cluster at {}: {}", server, text);
  if (e.code == errc::unknown_kind) return fmt::format("{}: the cluster does not serve this kind: {}", subject, text);
  return fmt::format("{}: {}", subject, text);
}

int fail(std::string_view line) {
  std::cout.flush();
  std::cerr << "error: " << one_line(line) << "\n";
  return exit_error;
}

int run_with_cluster(const kube_flags& flags, std::function<asio::awaitable<int>(session&)> body) {
  auto config = kube::load_default(flags.kubeconfig, flags.context);
  if (!config) return fail(fmt::format("no Kubernetes configuration: {}", config.error().what()));
  std::string ns = flags.namespace_.empty() ? config->namespace_ : flags.namespace_;
  std::string server = config->server;
  asio::io_context io;
  kube::client_options options;
  // A person waits at the terminal: an unreachable cluster is reported in seconds, not retried.
  options.retry.max_attempts = 2;
  options.request_timeout = std::chrono::seconds(15);
  auto client = kube::client::create(io.get_executor(), std::move(*config), options);
  if (!client) return fail(fmt::format("cannot create the Kubernetes client: {}", client.error().what()));
  const char* no_color = std::getenv("NO_COLOR");
  session s{std::move(*client), ns, server,
            !flags.no_color && (no_color == nullptr || *no_color == '\0') && ::isatty(STDOUT_FILENO) == 1, flags.output};
  int code = exit_error;
  asio::co_spawn(io, body(s), [&](std::exception_ptr ep, int result) {
    if (!ep) {
      code = result;
      return;
    }
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      code = fail(fmt::format("internal error: {}", e.what()));
    }
  });
  io.run();
  std::cout.flush();
  return code;
}

kube::task<rapidjson::Document> get_gitrepository(session& s, std::string name) {
  object_ref ref = controller::gitrepository_ref(s.namespace_, name);
  auto object = co_await s.client.get(ref);
  if (!object)
    co_return make_error(object.error().code,
                         describe_failure(object.error(), fmt::format("GitRepository {}/{}", s.namespace_, name), s.server));
  co_return std::move(*object);
}

void print_structured(const session& s, const rapidjson::Value& value) {
  if (s.output == "yaml") std::cout << render::to_yaml(value);
  else std::cout << json::serialize_pretty(value) << "\n";
  std::cout.flush();
}

}  // namespace gitopsd::cli
