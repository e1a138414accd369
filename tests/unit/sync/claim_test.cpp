// The claim and prune stages against a fake API server holding a few ConfigMaps and Namespaces:
// which requests they make, and that another owner's object is never written or deleted.

#include "fake_cluster.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/sync/prune.hpp"

#include <iostream>
#include <sstream>

using namespace gitopsd;
using namespace gitopsd::sync;
using namespace test::sync;
namespace asio = boost::asio;
using test::request;
using test::tcp;

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
  // The dry run compares with what the LIST by our labels showed and what was read.
  CHECK(adopted->live.by_ref.size() == 3);
  CHECK_FALSE(adopted->live.by_ref.contains(cm("fresh")));
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

TEST_CASE("claim: with deferred reads, what the lists do not show is left pending and read only when asked", "[claim]") {
  fake_cluster cluster;
  cluster.put(cm("mine"), us);
  cluster.put(cm("theirs"), {"team-b", "app"});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"mine", "theirs", "fresh"});
  claim_settings settings;
  settings.who = us;
  settings.defer_unknown = true;
  auto r = test::run(io, claim_objects(client, plan, settings));
  REQUIRE(r.has_value());
  CHECK(r->pending == std::set<object_ref>{cm("theirs"), cm("fresh")});
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps?") == 1);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/") == 0);

  auto resolved = test::run(io, resolve_pending(client, plan, *r, {cm("theirs")}));
  REQUIRE_FALSE(resolved.has_value());
  CHECK(resolved.error().code == claim_errc::conflict);
  CHECK(resolved.error().what() == "ConfigMap/ns/theirs (theirs.yaml#1) belongs to GitRepository team-b/app");
  CHECK(r->pending == std::set<object_ref>{cm("fresh")});
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/theirs") == 1);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/fresh") == 0);
}

TEST_CASE("claim: a kind and namespace a watch knows to hold none of ours are not listed", "[claim]") {
  fake_cluster cluster;
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"a", "b"});
  claim_settings settings;
  settings.who = us;
  settings.defer_unknown = true;
  std::vector<std::string> asked;
  settings.known_none = [&](const group_version_kind& gvk, const std::string& ns) {
    asked.push_back(gvk.kind + " " + ns);
    return true;
  };
  auto r = test::run(io, claim_objects(client, plan, settings));
  REQUIRE(r.has_value());
  CHECK(asked == std::vector<std::string>{"ConfigMap ns"});  // once per kind and namespace
  CHECK(r->live.listed.contains({configmap_kind, "ns"}));
  CHECK(r->pending.size() == 2);
  CHECK(cluster.count("GET") == 0);
}

TEST_CASE("claim: the one object of its kind and namespace is read, not listed, and kept for the dry run", "[claim]") {
  fake_cluster cluster;
  cluster.put(cm("mine"), us);
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  for (const auto* name : {"mine", "fresh"}) {
    auto plan = plan_of({name});
    claim_settings settings;
    settings.who = us;
    settings.defer_unknown = true;
    auto r = test::run(io, claim_objects(client, plan, settings));
    REQUIRE(r.has_value());
    CHECK(r->pending.empty());
    CHECK(r->live.listed.contains({configmap_kind, "ns"}));  // absent unless in by_ref
    CHECK(r->live.by_ref.contains(cm(name)) == (std::string(name) == "mine"));
  }
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps?") == 0);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/mine") == 1);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/fresh") == 1);
}

TEST_CASE("claim: what of the pending objects is read before the next write", "[claim]") {
  const group_version_kind widget{"example.com", "v1", "Widget"};
  object_ref in_new_ns{configmap_kind, "fresh-ns", "a"};
  object_ref unserved_kind{widget, "ns", "w"};
  std::vector<object_ref> objects{cm("created"), cm("exists"), cm("failed"), cm("mine"), in_new_ns, unserved_kind};
  std::set<object_ref> pending{cm("created"), cm("exists"), cm("failed"), in_new_ns, unserved_kind};
  // With dry run answers: all but those it created (201); a failed dry run is read too.
  std::vector<std::optional<bool>> answers{true, false, false, false, true, false};
  CHECK(pending_to_read(objects, answers, pending, {}, {}) ==
        std::vector<object_ref>{cm("exists"), cm("failed"), unserved_kind});
  // Before any dry run: all pending but what cannot exist yet.
  CHECK(pending_to_read(objects, {}, pending, {"fresh-ns"}, {widget}) ==
        std::vector<object_ref>{cm("created"), cm("exists"), cm("failed")});
  CHECK(pending_to_read(objects, {}, pending, {}, {}).size() == 5);
  CHECK(pending_to_read(objects, answers, {}, {}, {}).empty());  // nothing pending: nothing read
}
