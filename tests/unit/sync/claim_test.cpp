// The claim and prune stages against a fake API server holding a few ConfigMaps and Namespaces:
// which requests they make, and that another owner's object is never written or deleted.

#include "../kube/client_support.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/sync/claim.hpp"
#include "gitopsd/sync/prune.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

using namespace gitopsd;
using namespace gitopsd::sync;
namespace asio = boost::asio;
using test::request;
using test::tcp;

namespace {

const owner us{"team-a", "app"};
const group_version_kind configmap_kind{"", "v1", "ConfigMap"};
const group_version_kind namespace_kind{"", "v1", "Namespace"};

// A live object's JSON: with the marks of `marked_by` (none when its name is empty) and more
// annotations.
std::string live_json(const object_ref& ref, const owner& marked_by, const std::string& annotations = "") {
  std::string notes = annotations;
  std::string labels;
  if (!marked_by.name.empty()) {
    labels = fmt::format(R"("gitopsd.io/name":"{}","gitopsd.io/namespace":"{}")", marked_by.name, marked_by.namespace_);
    notes = fmt::format(R"("gitopsd.io/tracking-id":"{}"{}{})", tracking_id(marked_by.namespace_, marked_by.name, ref),
                        notes.empty() ? "" : ",", notes);
  }
  std::string ns = ref.namespace_.empty() ? "" : fmt::format(R"("namespace":"{}",)", ref.namespace_);
  return fmt::format(R"({{"apiVersion":"v1","kind":"{}","metadata":{{"name":"{}",{}"uid":"u-{}","resourceVersion":"1",)"
                     R"("labels":{{{}}},"annotations":{{{}}}}}}})",
                     ref.gvk.kind, ref.name, ns, ref.name, labels, notes);
}

// The API server: objects by path, and every request it saw.
struct fake_cluster {
  std::mutex m;
  std::map<std::string, std::string> objects;  // "/api/v1/namespaces/ns/configmaps/x" -> JSON
  std::vector<std::string> seen;               // "VERB target"

  static std::string path_of(const object_ref& ref) {
    if (ref.gvk.kind == "Namespace") return "/api/v1/namespaces/" + ref.name;
    return "/api/v1/namespaces/" + ref.namespace_ + "/configmaps/" + ref.name;
  }
  void put(const object_ref& ref, const owner& marked_by, const std::string& annotations = "") {
    std::lock_guard lock(m);
    objects[path_of(ref)] = live_json(ref, marked_by, annotations);
  }
  int count(std::string_view prefix) {
    std::lock_guard lock(m);
    int n = 0;
    for (const auto& s : seen) n += s.starts_with(prefix) ? 1 : 0;
    return n;
  }

  bool handle(const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::lock_guard lock(m);
    std::string target(req.target());
    seen.push_back(std::string(req.method_string()) + " " + target);
    std::string path = target.substr(0, target.find('?'));
    if (req.method() == test::http::verb::get && path == "/api/v1/namespaces/ns/configmaps") {
      // By our labels (the fake knows one selector), or every object's metadata.
      bool by_labels = target.find("labelSelector=") != std::string::npos;
      std::string items;
      for (const auto& [p, json] : objects) {
        if (!p.starts_with(path + "/")) continue;
        if (by_labels && json.find(R"("gitopsd.io/name":"app","gitopsd.io/namespace":"team-a")") == std::string::npos)
          continue;
        items += (items.empty() ? "" : ",") + json;
      }
      test::server::respond(s, 200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[)" +
                                        items + "]}");
      return true;
    }
    auto it = objects.find(path);
    if (it == objects.end()) {
      test::server::respond(s, 404, test::status_body(404, "NotFound", "not found"));
      return true;
    }
    if (req.method() == test::http::verb::delete_) {
      objects.erase(it);
      test::server::respond(s, 200, test::status_body(200, "", "deleted"));
      return true;
    }
    test::server::respond(s, 200, it->second);
    return true;
  }
};

std::vector<planned_object> plan_of(const std::vector<std::string>& names) {
  std::vector<render::manifest> manifests;
  for (const auto& n : names)
    manifests.push_back(
        {json::parse(fmt::format(R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{}"}}}})", n)).value(),
         n + ".yaml#1"});
  auto scope = [](const group_version_kind&) -> std::optional<bool> { return true; };
  return make_plan(std::move(manifests), {us, "ns"}, scope).value();
}

object_ref cm(const std::string& name) { return {configmap_kind, "ns", name}; }

const planned_object& planned(const std::vector<planned_object>& plan, const std::string& name) {
  for (const auto& p : plan)
    if (p.ref.name == name) return p;
  FAIL("not planned: " << name);
  return plan.front();
}

}  // namespace

TEST_CASE("claim: another GitRepository's object stops the commit, naming the object and its owner", "[claim]") {
  fake_cluster cluster;
  cluster.put(cm("mine"), us);
  cluster.put(cm("theirs"), {"team-b", "app"});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"mine", "theirs", "fresh"});
  for (bool adopt : {false, true}) {
    claim_settings settings;
    settings.who = us;
    settings.adopt = adopt;
    auto r = test::run(io, claim_objects(client, plan, settings));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == claim_errc::conflict);
    CHECK(r.error().what() == "ConfigMap/ns/theirs (theirs.yaml#1) belongs to GitRepository team-b/app");
  }
  // Read only: one LIST by our labels, a GET for each object not in it; nothing written.
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps?") == 2);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/theirs") == 2);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/fresh") == 2);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/mine") == 0);
  CHECK(cluster.count("PATCH") == 0);
  CHECK(cluster.count("DELETE") == 0);
}

TEST_CASE("claim: an object made by hand is adopted only by policy, and then marked", "[claim]") {
  fake_cluster cluster;
  cluster.put(cm("mine"), us, R"("gitopsd.io/adopted":"true")");
  cluster.put(cm("hand"), {}, R"("note":"made by hand")");
  cluster.put(cm("annotated"), {}, R"("gitopsd.io/adopt":"true")");
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  claim_settings settings;
  settings.who = us;

  auto plan = plan_of({"mine", "hand", "annotated", "fresh"});
  auto refused = test::run(io, claim_objects(client, plan, settings));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == claim_errc::conflict);
  CHECK_THAT(refused.error().what(), Catch::StartsWith("ConfigMap/ns/hand (hand.yaml#1) exists and was not created by gitopsd"));
  CHECK_THAT(refused.error().what(), !Catch::Contains("annotated"));  // its annotation allows it

  settings.adopt = true;
  plan = plan_of({"mine", "hand", "annotated", "fresh"});
  auto adopted = test::run(io, claim_objects(client, plan, settings));
  REQUIRE(adopted.has_value());
  CHECK(adopted->adopted == std::vector<object_ref>{cm("hand"), cm("annotated")});
  auto mark = [&](const std::string& name) {
    return json::get_string(planned(plan, name).object, "metadata", "annotations", "gitopsd.io/adopted");
  };
  CHECK(mark("hand") == "true");
  CHECK(mark("annotated") == "true");
  CHECK(mark("mine") == "true");  // adopted before: the mark stays
  CHECK_FALSE(mark("fresh"));
  // The dry run reuses the LIST by our labels.
  CHECK(adopted->live.by_ref.size() == 1);
  CHECK(adopted->live.listed.contains({configmap_kind, "ns"}));
  CHECK(cluster.count("PATCH") == 0);
}

TEST_CASE("claim: many unknown objects of one kind are looked up by one metadata LIST", "[claim]") {
  fake_cluster cluster;
  cluster.put(cm("n7"), {"team-b", "app"});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  std::vector<std::string> names;
  for (int i = 0; i < 80; ++i) names.push_back("n" + std::to_string(i));
  auto plan = plan_of(names);
  claim_settings settings;
  settings.who = us;
  auto r = test::run(io, claim_objects(client, plan, settings));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().what() == "ConfigMap/ns/n7 (n7.yaml#1) belongs to GitRepository team-b/app");
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps?") == 2);  // by labels, then metadata of all
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/") == 0);
}

TEST_CASE("claim: a few unknown objects are read one by one, not by listing the namespace", "[claim]") {
  fake_cluster cluster;
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) names.push_back("n" + std::to_string(i));
  auto plan = plan_of(names);
  claim_settings settings;
  settings.who = us;
  REQUIRE(test::run(io, claim_objects(client, plan, settings)).has_value());
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps?") == 1);  // by labels only
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/") == 50);
}

TEST_CASE("a LIST that fails is logged at info with its cause before each object is read", "[claim]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    test::server::respond(s, 403, test::status_body(403, "Forbidden", "configmaps is forbidden: no list"));
    return true;
  });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  std::ostringstream out;
  log::configure(log::format::text, log::level::info, &out);
  auto live = test::run(io, list_owned(client, {{configmap_kind, "ns"}}, us, 4));
  log::configure(log::format::json, log::level::info, &std::clog);
  CHECK(live.listed.empty());
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("list failed, reading each object instead") != std::string::npos);
  CHECK(text.find("kind=ConfigMap") != std::string::npos);
  CHECK(text.find("configmaps is forbidden: no list") != std::string::npos);
}

TEST_CASE("claim: an object whose owner cannot be read stops the commit", "[claim]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    test::server::respond(s, 403, test::status_body(403, "Forbidden", "no"));
    return true;
  });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"x"});
  claim_settings settings;
  settings.who = us;
  auto r = test::run(io, claim_objects(client, plan, settings));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == claim_errc::unreadable);
  CHECK_THAT(r.error().what(), Catch::StartsWith("cannot read who owns ConfigMap/ns/x (x.yaml#1): "));
}

TEST_CASE("prune deletes only what carries our tracking id, and orphans an adopted Namespace", "[claim][prune]") {
  fake_cluster cluster;
  object_ref adopted_ns{namespace_kind, "", "adopted"};
  object_ref created_ns{namespace_kind, "", "created"};
  cluster.put(cm("mine"), us);
  cluster.put(cm("theirs"), {"team-b", "app"});
  cluster.put(cm("hand"), {});
  cluster.put(adopted_ns, us, R"("gitopsd.io/adopted":"true")");
  cluster.put(created_ns, us);
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  std::vector<object_ref> stale{cm("mine"), cm("theirs"), cm("hand"), cm("gone"), adopted_ns, created_ns};
  auto r = test::run(io, prune(client, us, stale, 4));
  REQUIRE(r.has_value());
  CHECK(r->deleted == std::vector<object_ref>{cm("mine"), created_ns});
  CHECK(r->kept == std::vector<object_ref>{cm("theirs"), cm("hand")});
  CHECK(r->orphaned == std::vector<object_ref>{adopted_ns});
  CHECK(cluster.count("DELETE") == 2);
  CHECK(cluster.count("DELETE /api/v1/namespaces/ns/configmaps/mine") == 1);
  CHECK(cluster.count("DELETE /api/v1/namespaces/created") == 1);
}
