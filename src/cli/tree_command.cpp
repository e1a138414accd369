#include "gitopsd/cli/tree_command.hpp"

#include "gitopsd/cli/inventory_tree.hpp"
#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/sync/health.hpp"

#include <fmt/format.h>

#include <iostream>

namespace gitopsd::cli {
namespace {

namespace asio = boost::asio;

asio::awaitable<int> tree(session& s, std::string name) {
  auto object = co_await get_gitrepository(s, name);
  if (!object) co_return fail(object.error().message);
  auto repo = controller::read_gitrepository_metadata(*object);
  std::vector<tree_item> items;
  for (const auto& entry : repo.inventory) {
    auto ref = parse_inventory_id(entry.id);
    if (!ref) continue;  // read_gitrepository_metadata keeps only readable ids
    ref->gvk.version = entry.version;
    tree_item item{*ref, "Unknown", {}};
    auto live = co_await s.client.get(*ref);
    if (live) {
      auto h = sync::assess_health(*live);
      item.health = sync::to_string(h.status);
      item.message = h.message;
    } else if (live.error().code == kube::errc::not_found) {
      item.health = "NotFound";
    } else {
      item.message = describe_failure(live.error(), ref->display(), s.server);
    }
    items.push_back(std::move(item));
  }
  auto view = view_of(*object);
  if (s.output != "table") {
    print_structured(s, tree_json(repo.key(), std::move(items)));
    co_return exit_ok;
  }
  std::string root = fmt::format("GitRepository/{}/{}", repo.namespace_, repo.name);
  if (!view.revision.empty()) root += " at " + view.revision;
  root += fmt::format(" (Ready={})", view.ready);
  health_painter paint;
  if (s.color) paint = [](const std::string& h) { return colored_status(h, h); };
  std::cout << render_tree(root, std::move(items), paint) << std::flush;
  co_return exit_ok;
}

}  // namespace

int run_tree(const kube_flags& flags, const std::string& name) {
  return run_with_cluster(flags, [&](session& s) { return tree(s, name); });
}

}  // namespace gitopsd::cli
