// The client's operations against the real control plane.

#include "gitopsd/kube/errc.hpp"
#include "kube_support.hpp"
#include "test_git_server.hpp"

#include <boost/asio/detached.hpp>

#include <filesystem>
#include <fstream>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace gitopsd;
using namespace gitopsd::kube;
using namespace kube_test;
using gitopsd::test::test_cluster;

namespace {
const group_version_kind configmap_kind{"", "v1", "ConfigMap"};

std::string error_of(const auto& r) { return r.has_value() ? std::string("(no error)") : r.error().what(); }
}  // namespace

TEST_CASE("apply creates, then reports unchanged, then configured - dry run changes nothing", "[kube][apply]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-apply");
  auto v1 = parse(configmap_json(ns.name, "settings", R"({"color":"blue"})"));
  auto first = l.await(c.apply(v1));
  INFO(error_of(first));
  REQUIRE(first.has_value());
  CHECK(first->outcome == apply_outcome::created);
  auto second = l.await(c.apply(v1));
  REQUIRE(second.has_value());
  CHECK(second->outcome == apply_outcome::unchanged);
  CHECK(json::get_string(second->object, "metadata", "resourceVersion") ==
        json::get_string(first->object, "metadata", "resourceVersion"));

  auto v2 = parse(configmap_json(ns.name, "settings", R"({"color":"green"})"));
  apply_options dry;
  dry.dry_run = true;
  auto preview = l.await(c.apply(v2, dry));
  INFO(error_of(preview));
  REQUIRE(preview.has_value());
  CHECK(preview->outcome == apply_outcome::configured);
  CHECK(json::get_string(preview->object, "data", "color") == "green");
  auto preview_same = l.await(c.apply(v1, dry));
  REQUIRE(preview_same.has_value());
  CHECK(preview_same->outcome == apply_outcome::unchanged);
  auto new_dry = l.await(c.apply(parse(configmap_json(ns.name, "never", R"({"a":"b"})")), dry));
  REQUIRE(new_dry.has_value());
  CHECK(new_dry->outcome == apply_outcome::created);
  auto stored = l.await(c.get({configmap_kind, ns.name, "settings"}));
  REQUIRE(stored.has_value());
  CHECK(json::get_string(*stored, "data", "color") == "blue");  // the dry run changed nothing
  auto never = l.await(c.get({configmap_kind, ns.name, "never"}));
  REQUIRE_FALSE(never.has_value());
  CHECK(never.error().code == errc::not_found);

  auto third = l.await(c.apply(v2));
  REQUIRE(third.has_value());
  CHECK(third->outcome == apply_outcome::configured);
  apply_options known;
  known.previous_resource_version =
      std::string(json::get_string(third->object, "metadata", "resourceVersion").value_or(""));
  auto fourth = l.await(c.apply(v2, known));
  REQUIRE(fourth.has_value());
  CHECK(fourth->outcome == apply_outcome::unchanged);
}

TEST_CASE("a dry run compares with a listed object, or reads nothing and trusts the answer", "[kube][apply]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-dry-list");
  auto v1 = parse(configmap_json(ns.name, "listed", R"({"color":"blue"})", R"({"set":"mine"})"));
  REQUIRE(l.await(c.apply(v1)).has_value());
  list_options mine;
  mine.label_selector = "set=mine";
  auto listed = l.await(c.list(configmap_kind, ns.name, mine));
  REQUIRE(listed.has_value());
  REQUIRE((*listed)["items"].Size() == 1);
  const rapidjson::Value& live = (*listed)["items"][0];
  CHECK(json::find(live, "kind") == nullptr);  // items of a typed list carry no kind

  auto gets = [&] { return c.metrics().counts().count({"get", 200}) ? c.metrics().counts().at({"get", 200}) : 0; };
  auto gets_before = gets();
  apply_options against_list;
  against_list.dry_run = true;
  against_list.previous_object = &live;
  auto same = l.await(c.apply(v1, against_list));
  INFO(error_of(same));
  REQUIRE(same.has_value());
  CHECK(same->outcome == apply_outcome::unchanged);
  auto v2 = parse(configmap_json(ns.name, "listed", R"({"color":"green"})", R"({"set":"mine"})"));
  auto changed = l.await(c.apply(v2, against_list));
  REQUIRE(changed.has_value());
  CHECK(changed->outcome == apply_outcome::configured);
  auto with_label = parse(configmap_json(ns.name, "listed", R"({"color":"blue"})", R"({"set":"mine","extra":"x"})"));
  auto relabelled = l.await(c.apply(with_label, against_list));
  REQUIRE(relabelled.has_value());
  CHECK(relabelled->outcome == apply_outcome::configured);

  // Another writer changes what Git does not set after the list: still unchanged, by a fresh read.
  object_ref listed_ref{configmap_kind, ns.name, "listed"};
  REQUIRE(l.await(c.patch(listed_ref, patch_type::merge, R"({"metadata":{"labels":{"added":"later"}}})")).has_value());
  auto gets_stale = gets();
  auto stale = l.await(c.apply(v1, against_list));
  REQUIRE(stale.has_value());
  CHECK(stale->outcome == apply_outcome::unchanged);
  CHECK(gets() == gets_stale + 1);
  gets_before = gets();

  apply_options blind;
  blind.dry_run = true;
  blind.detect_unchanged = false;
  auto fresh = l.await(c.apply(parse(configmap_json(ns.name, "fresh", R"({"a":"b"})")), blind));
  REQUIRE(fresh.has_value());
  CHECK(fresh->outcome == apply_outcome::created);
  auto existing = l.await(c.apply(v1, blind));
  REQUIRE(existing.has_value());
  CHECK(existing->outcome == apply_outcome::configured);
  CHECK(gets() == gets_before);  // none of these read the object first

  apply_options real_blind;
  real_blind.detect_unchanged = false;
  auto made = l.await(c.apply(parse(configmap_json(ns.name, "fresh", R"({"a":"b"})")), real_blind));
  REQUIRE(made.has_value());
  CHECK(made->outcome == apply_outcome::created);
  CHECK(gets() == gets_before);
  auto stored = l.await(c.get({configmap_kind, ns.name, "listed"}));
  REQUIRE(stored.has_value());
  CHECK(json::get_string(*stored, "data", "color") == "blue");
}

TEST_CASE("strict field validation refuses a duplicate field, and no validation lets apply refuse unknown ones", "[kube][apply]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-validation");
  auto twice = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"twice","namespace":")" + ns.name +
                     R"("},"data":{"a":"1"},"data":{"a":"2"}})");
  apply_options strict;
  strict.dry_run = true;
  strict.validation = field_validation::strict;
  auto refused = l.await(c.apply(twice, strict));
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error().what(), Catch::StartsWith("apply ConfigMap/" + ns.name + "/twice (dry run): "));
  CHECK_THAT(refused.error().what(), Catch::Contains("key \"data\" already set in map"));
  apply_options ignore;
  ignore.validation = field_validation::ignore;
  auto accepted = l.await(c.apply(twice, ignore));
  INFO(error_of(accepted));
  CHECK(accepted.has_value());

  // Server-side apply refuses a misspelt field whatever the validation asked for.
  auto typo = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typo","namespace":")" + ns.name +
                    R"("},"dta":{"a":"b"}})");
  auto unknown = l.await(c.apply(typo, ignore));
  REQUIRE_FALSE(unknown.has_value());
  CHECK_THAT(unknown.error().what(), Catch::Contains(".dta: field not declared in schema"));
}

TEST_CASE("a foreign field manager's change conflicts, and force takes it back", "[kube][apply]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-conflict");
  auto ours = parse(configmap_json(ns.name, "shared", R"({"owner":"gitopsd"})"));
  REQUIRE(l.await(c.apply(ours)).has_value());
  apply_options theirs_options;
  theirs_options.field_manager = "kubectl-edit";
  auto theirs = l.await(c.apply(parse(configmap_json(ns.name, "shared", R"({"owner":"someone"})")), theirs_options));
  REQUIRE(theirs.has_value());
  CHECK(theirs->outcome == apply_outcome::configured);

  apply_options polite;
  polite.force = false;
  auto conflict = l.await(c.apply(ours, polite));
  REQUIRE_FALSE(conflict.has_value());
  CHECK(conflict.error().code == errc::conflict);
  CHECK_THAT(conflict.error().what(),
             Catch::StartsWith("apply ConfigMap/" + ns.name + "/shared: conflict (HTTP 409): \"Apply failed with "));
  CHECK_THAT(conflict.error().what(), Catch::Contains("conflicts with \"kubectl-edit\""));
  CHECK_THAT(conflict.error().what(), Catch::Contains(".data.owner"));

  auto forced = l.await(c.apply(ours));
  REQUIRE(forced.has_value());
  CHECK(forced->outcome == apply_outcome::configured);
  CHECK(json::get_string(forced->object, "data", "owner") == "gitopsd");
}

TEST_CASE("create, get, merge and JSON patch, delete with preconditions, events", "[kube]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-ops");
  auto cm = parse(configmap_json(ns.name, "plain", R"({"a":"1"})"));
  auto created = l.await(c.create(cm));
  INFO(error_of(created));
  REQUIRE(created.has_value());
  auto again = l.await(c.create(cm));
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == errc::already_exists);
  CHECK(again.error().what() == "create ConfigMap/" + ns.name + "/plain: already exists (HTTP 409): \"configmaps \"plain\" already exists\"");

  object_ref ref{configmap_kind, ns.name, "plain"};
  auto merged = l.await(c.patch(ref, patch_type::merge, R"({"data":{"b":"2"}})"));
  REQUIRE(merged.has_value());
  CHECK(json::get_string(*merged, "data", "b") == "2");
  auto patched = l.await(c.patch(ref, patch_type::json, R"([{"op":"replace","path":"/data/a","value":"10"}])"));
  REQUIRE(patched.has_value());
  CHECK(json::get_string(*patched, "data", "a") == "10");
  auto bad_patch = l.await(c.patch(ref, patch_type::json, R"([{"op":"test","path":"/data/a","value":"nope"}])"));
  REQUIRE_FALSE(bad_patch.has_value());
  CHECK(bad_patch.error().code != errc::transport_failed);

  std::string uid(json::get_string(*patched, "metadata", "uid").value_or(""));
  auto event = event_spec();
  event.regarding = ref;
  event.regarding_uid = uid;
  event.reason = "ReconciliationSucceeded";
  event.message = "applied 1 object";
  auto ev = l.await(c.create_event(event));
  INFO(error_of(ev));
  REQUIRE(ev.has_value());
  CHECK(json::get_string(*ev, "involvedObject", "uid") == uid);

  delete_options wrong;
  wrong.precondition_uid = "00000000-0000-0000-0000-000000000000";
  auto refused = l.await(c.remove(ref, wrong));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == errc::conflict);
  CHECK_THAT(refused.error().what(), Catch::Contains("the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match"));
  delete_options right;
  right.precondition_uid = uid;
  right.policy = propagation::background;
  auto removed = l.await(c.remove(ref, right));
  INFO(error_of(removed));
  REQUIRE(removed.has_value());
  auto gone = l.await(c.remove(ref, right));
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code == errc::not_found);
}

TEST_CASE("a list of 1,500 objects comes back whole, page by page", "[kube][list]") {
  loop l;
  client_options o;
  o.transport.max_in_flight = 64;
  auto c = make_client(l, admin_config(test_cluster::shared()), o);
  test_namespace ns(l, c, "kube-list");
  auto fill = [&]() -> boost::asio::awaitable<int> {
    // 64 workers share the 1,500 applies.
    int next = 0, failures = 0, done_workers = 0;
    auto worker = [&]() -> boost::asio::awaitable<void> {
      while (next < 1500) {
        int i = next++;
        auto doc = parse(configmap_json(ns.name, "cm-" + std::to_string(i), R"({"i":")" + std::to_string(i) + "\"}",
                                        R"({"set":"big"})"));
        apply_options ao;
        ao.detect_unchanged = false;
        auto r = co_await c.apply(doc, ao);
        if (!r) ++failures;
      }
      ++done_workers;
    };
    for (int w = 0; w < 64; ++w) boost::asio::co_spawn(l.io(), worker(), boost::asio::detached);
    boost::asio::steady_timer t(l.io());
    while (done_workers < 64) {
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(boost::asio::use_awaitable);
    }
    co_return failures;
  };
  CHECK(l.await(fill()) == 0);
  auto before = c.metrics().counts();
  list_options lo;
  lo.label_selector = "set=big";
  lo.page_size = 400;
  auto all = l.await(c.list(configmap_kind, ns.name, lo));
  INFO(error_of(all));
  REQUIRE(all.has_value());
  CHECK((*all)["items"].Size() == 1500);
  CHECK(c.metrics().counts().at({"list", 200}) - (before.count({"list", 200}) ? before.at({"list", 200}) : 0) == 4);
  lo.metadata_only = true;
  auto meta = l.await(c.list(configmap_kind, ns.name, lo));
  REQUIRE(meta.has_value());
  REQUIRE((*meta)["items"].Size() == 1500);
  CHECK(json::get_string(*meta, "kind") == "PartialObjectMetadataList");
  CHECK(json::find((*meta)["items"][0], "data") == nullptr);
  // Everything above went over HTTP/2 on very few connections.
  CHECK(c.connection().connections_opened() <= 2);
  auto version = l.await(c.request("get", "GET", "/version"));
  REQUIRE(version.has_value());
  CHECK(version->http_version == 2);
}

TEST_CASE("a CRD created a moment ago is usable at once, status subresource included", "[kube][discovery]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-crd");
  std::string group = "k" + std::to_string(::getpid()) + ".example.com";
  group_version_kind widget{group, "v1", "Widget"};
  // Discovery learns first that the group does not exist.
  auto before = l.await(c.resource_for(widget));
  REQUIRE_FALSE(before.has_value());
  CHECK(before.error().code == errc::unknown_kind);
  auto crd = parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.)" + group + R"("},
    "spec":{"group":")" + group + R"(","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
        "schema":{"openAPIV3Schema":{"type":"object","properties":{
          "spec":{"type":"object","properties":{"size":{"type":"integer","minimum":1}}},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}})");
  auto applied = l.await(c.apply(crd));
  INFO(error_of(applied));
  REQUIRE(applied.has_value());
  // Wait until the API server says Established, as the apply stage does between stages.
  object_ref crd_ref{{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}, "", "widgets." + group};
  bool established = false;
  for (int i = 0; i < 100 && !established; ++i) {
    auto got = l.await(c.get(crd_ref));
    REQUIRE(got.has_value());
    if (const auto* conds = json::find(*got, "status", "conditions"); conds != nullptr && conds->IsArray())
      for (const auto& cond : conds->GetArray())
        established |= json::get_string(cond, "type") == "Established" && json::get_string(cond, "status") == "True";
    if (!established) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(established);
  auto w = parse(R"({"apiVersion":")" + group + R"(/v1","kind":"Widget","metadata":{"name":"w1","namespace":")" +
                 ns.name + R"("},"spec":{"size":3}})");
  auto made = l.await(c.apply(w));
  INFO(error_of(made));
  REQUIRE(made.has_value());
  CHECK(made->outcome == apply_outcome::created);

  // Status goes through its subresource, conditional on the resourceVersion.
  auto obj = std::move(made->object);
  auto& status = json::ensure_object(obj, "status", obj.GetAllocator());
  json::set_string(status, "phase", "Ready", obj.GetAllocator());
  auto updated = l.await(c.update_status(obj));
  INFO(error_of(updated));
  REQUIRE(updated.has_value());
  CHECK(json::get_string(*updated, "status", "phase") == "Ready");
  auto stale = l.await(c.update_status(obj));  // the same resourceVersion again
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == errc::conflict);
  CHECK_THAT(stale.error().what(), Catch::Contains("the object has been modified"));

  auto invalid = l.await(c.apply(parse(R"({"apiVersion":")" + group + R"(/v1","kind":"Widget","metadata":{"name":"w2","namespace":")" +
                                       ns.name + R"("},"spec":{"size":0}})")));
  REQUIRE_FALSE(invalid.has_value());
  CHECK(invalid.error().code == errc::invalid);
  CHECK_THAT(invalid.error().what(), Catch::Contains("spec.size"));
  // A field outside the CRD's schema is refused, not pruned, without strict validation too.
  apply_options dry_ignore;
  dry_ignore.dry_run = true;
  dry_ignore.validation = field_validation::ignore;
  auto typo = parse(R"({"apiVersion":")" + group + R"(/v1","kind":"Widget","metadata":{"name":"w3","namespace":")" +
                    ns.name + R"("},"spec":{"sise":2}})");
  auto unknown = l.await(c.apply(typo, dry_ignore));
  REQUIRE_FALSE(unknown.has_value());
  CHECK_THAT(unknown.error().what(), Catch::Contains(".spec.sise: field not declared in schema"));
  (void)l.await(c.remove(crd_ref));
}

TEST_CASE("Forbidden and Invalid surface with the server's words and causes", "[kube][errors]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-errors");
  impersonation jane;
  jane.user = "jane";
  jane.groups = {"developers"};
  auto as_jane = c.as(jane);
  auto denied = l.await(as_jane.get({configmap_kind, ns.name, "x"}));
  REQUIRE_FALSE(denied.has_value());
  CHECK(denied.error().code == errc::forbidden);
  CHECK(denied.error().what() == "get ConfigMap/" + ns.name + "/x: forbidden (HTTP 403): \"configmaps \"x\" is forbidden: User \"jane\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"" + ns.name + "\"\"");
  CHECK(c.metrics().counts().at({"get", 403}) >= 1);
  CHECK(c.metrics().retries() == 0);

  auto bad = parse(configmap_json(ns.name, "bad", R"({"bad key":"x","also/bad":"y"})"));
  auto invalid = l.await(c.apply(bad));
  REQUIRE_FALSE(invalid.has_value());
  CHECK(invalid.error().code == errc::invalid);
  CHECK_THAT(invalid.error().what(), Catch::StartsWith("apply ConfigMap/" + ns.name + "/bad: invalid (HTTP 422): \"ConfigMap \"bad\" is invalid: ["));
  CHECK_THAT(invalid.error().what(), Catch::Contains("data[bad key]"));
  CHECK_THAT(invalid.error().what(), Catch::Contains("data[also/bad]"));
}

TEST_CASE("a client-certificate kubeconfig works as well as a token one - in-cluster config too", "[kube][config]") {
  const auto& cluster = test_cluster::shared();
  loop l;
  auto cert_cfg = load_kubeconfig(cluster.kubeconfig_cert().string());
  INFO(error_of(cert_cfg));
  REQUIRE(cert_cfg.has_value());
  CHECK(cert_cfg->token.empty());
  CHECK_FALSE(cert_cfg->tls.client_key_pem.empty());
  auto by_cert = make_client(l, *cert_cfg);
  auto ns = l.await(by_cert.get({{"", "v1", "Namespace"}, "", "default"}));
  INFO(error_of(ns));
  CHECK(ns.has_value());
  auto by_token = make_client(l, admin_config(cluster));
  CHECK(l.await(by_token.get({{"", "v1", "Namespace"}, "", "default"})).has_value());

  // In-cluster, with the service-account directory pointed at files of our own.
  auto dir = gitopsd::test::scratch_dir("kube-in-cluster");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << cluster.token();
  std::filesystem::copy_file(cluster.ca_file(), dir / "ca.crt", std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "namespace") << "kube-system\n";
  std::string server = cluster.server();  // https://127.0.0.1:PORT
  auto colon = server.rfind(':');
  auto in_cluster = load_in_cluster({"127.0.0.1", server.substr(colon + 1), dir});
  REQUIRE(in_cluster.has_value());
  CHECK(in_cluster->namespace_ == "kube-system");
  auto pod_like = make_client(l, *in_cluster);
  CHECK(l.await(pod_like.list({"", "v1", "ConfigMap"}, "kube-system")).has_value());

  // A CA that does not vouch for the server is refused (verification is on).
  auto wrong = *cert_cfg;
  wrong.tls.ca_pem = "";  // the system store does not know the test CA
  auto untrusted = make_client(l, wrong);
  auto refused = l.await(untrusted.get({{"", "v1", "Namespace"}, "", "default"}));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == errc::transport_failed);
  CHECK_THAT(refused.error().what(), Catch::Contains("certificate"));
}

TEST_CASE("a rotated service-account token is picked up", "[kube][auth]") {
  const auto& cluster = test_cluster::shared();
  loop l;
  auto admin = make_client(l, admin_config(cluster));
  test_namespace ns(l, admin, "kube-token");
  // Two accounts: "reader" may read ConfigMaps, "nobody" may not.
  for (const char* sa : {"reader", "nobody"})
    REQUIRE(cluster.kubectl({"create", "serviceaccount", sa, "-n", ns.name}).ok());
  REQUIRE(cluster.kubectl({"create", "role", "read", "--verb=get,list", "--resource=configmaps", "-n", ns.name}).ok());
  REQUIRE(cluster.kubectl({"create", "rolebinding", "read", "--role=read", "--serviceaccount=" + ns.name + ":reader",
                           "-n", ns.name})
              .ok());
  auto token_of = [&](const std::string& sa) {
    auto r = cluster.kubectl({"create", "token", sa, "-n", ns.name, "--duration=10m"});
    REQUIRE(r.ok());
    return r.out.substr(0, r.out.find_last_not_of('\n') + 1);
  };
  auto dir = gitopsd::test::scratch_dir("kube-token-rotation");
  std::filesystem::create_directories(dir);
  auto file = dir / "token";
  std::ofstream(file) << token_of("nobody");
  config cfg;
  cfg.server = cluster.server();
  cfg.token_file = file;
  std::ifstream ca(cluster.ca_file());
  cfg.tls.ca_pem.assign(std::istreambuf_iterator<char>(ca), {});
  auto c = make_client(l, cfg);
  auto first = l.await(c.list(configmap_kind, ns.name));
  REQUIRE_FALSE(first.has_value());
  CHECK(first.error().code == errc::forbidden);
  CHECK_THAT(first.error().what(), Catch::Contains("system:serviceaccount:" + ns.name + ":nobody"));
  // The kubelet replaces the projected token file: new content, new time.
  std::ofstream(file) << token_of("reader");
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(2));
  auto second = l.await(c.list(configmap_kind, ns.name));
  INFO(error_of(second));
  CHECK(second.has_value());
}
