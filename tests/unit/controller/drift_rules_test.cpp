#include "gitopsd/controller/drift_rules.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace std::chrono_literals;
using namespace gitopsd::controller;

namespace {
clock::time_point t0{};

drift_seen seen(std::string rv, std::int64_t generation, bool marked = true) { return {std::move(rv), generation, marked}; }

drift_input modified(drift_seen before, drift_seen after, std::optional<bool> ours = std::nullopt) {
  return {drift_change::modified, std::move(before), std::move(after), ours};
}

}  // namespace

TEST_CASE("drift: a spec change by someone else triggers, a status write does not", "[drift]") {
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 2))) == drift_verdict::spec_changed);
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 1))) == drift_verdict::ignore_status_only);
  CHECK_FALSE(triggers(drift_verdict::ignore_status_only));
  CHECK(triggers(drift_verdict::spec_changed));
}

TEST_CASE("drift: any change of a kind without generation triggers (a ConfigMap's data)", "[drift]") {
  CHECK(decide_drift(modified(seen("1", 0), seen("2", 0))) == drift_verdict::spec_changed);
  CHECK(decide_drift(modified(seen("1", 0), seen("1", 0))) == drift_verdict::ignore_unchanged);
}

TEST_CASE("drift: deletion and removed marks trigger", "[drift]") {
  drift_input gone{drift_change::deleted, seen("1", 1), {}, std::nullopt};
  CHECK(decide_drift(gone) == drift_verdict::deleted);
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 1, false))) == drift_verdict::marks_removed);
}

TEST_CASE("drift: a write of unknown author and a deletion are checked by one more run", "[drift]") {
  // A tie in managedFields, and a deletion (a prune looks the same as a user's delete), are checked
  // again even while the owner runs; that run's dry run applies nothing when Git matches.
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 2))) == drift_verdict::spec_changed);
  drift_input pruned{drift_change::deleted, seen("1", 1), {}, std::nullopt};
  CHECK(decide_drift(pruned) == drift_verdict::deleted);
}

TEST_CASE("drift: a write known to be ours is skipped, any other is checked", "[drift]") {
  // Our own apply is never reacted to: no loop.
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 2), true)) == drift_verdict::ignore_own_change);
  CHECK(decide_drift(modified(seen("1", 0), seen("2", 0), true)) == drift_verdict::ignore_own_change);
  // Someone else's is corrected.
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 2), false)) == drift_verdict::spec_changed);
  // Removing our marks is never our own write.
  CHECK(decide_drift(modified(seen("1", 1), seen("2", 2, false), true)) == drift_verdict::marks_removed);
}

TEST_CASE("drift: our own writes are known by the resourceVersion our apply got, not by a manager name", "[drift]") {
  own_writes own;
  own.record("ns/web", "17");
  // A write by anyone else (with our field manager name or not) has another version.
  CHECK_FALSE(own.take("ns/web", "18"));
  CHECK_FALSE(own.take("ns/other", "17"));
  CHECK(own.take("ns/web", "17"));
  // Spent: the same version again (a relist) is not taken for a new write of ours.
  CHECK_FALSE(own.take("ns/web", "17"));
  CHECK(own.tracked() == 0);
  // Two applies before their events: both are ours, in order; seeing the later spends the earlier.
  own.record("ns/web", "20");
  own.record("ns/web", "21");
  CHECK(own.take("ns/web", "21"));
  CHECK_FALSE(own.take("ns/web", "20"));
  // Bounded per object, and forgotten with the object.
  own_writes few(2);
  for (const auto* v : {"1", "2", "3"}) few.record("ns/a", v);
  CHECK_FALSE(few.take("ns/a", "1"));
  few.forget("ns/a");
  CHECK_FALSE(few.take("ns/a", "3"));
  CHECK(few.tracked() == 0);
  // An answer without a version is never a match.
  own.record("ns/web", "");
  CHECK_FALSE(own.take("ns/web", ""));
}

TEST_CASE("drift: first sight, a relist of the same version, and objects never ours trigger nothing", "[drift]") {
  drift_input first{drift_change::modified, std::nullopt, seen("1", 1), std::nullopt};
  CHECK(decide_drift(first) == drift_verdict::ignore_first_sight);
  drift_input unknown_gone{drift_change::deleted, std::nullopt, {}, std::nullopt};
  CHECK(decide_drift(unknown_gone) == drift_verdict::ignore_first_sight);
  CHECK(decide_drift(modified(seen("1", 1), seen("1", 1))) == drift_verdict::ignore_unchanged);
  // A copy with our labels but another object's tracking id.
  CHECK(decide_drift(modified(seen("1", 1, false), seen("2", 2, false))) == drift_verdict::ignore_not_ours);
  drift_input copy_gone{drift_change::deleted, seen("1", 1, false), {}, std::nullopt};
  CHECK(decide_drift(copy_gone) == drift_verdict::ignore_not_ours);
}

TEST_CASE("drift: an object first seen before its owner's inventory listed it is repaired once listed", "[drift]") {
  std::set<std::uint32_t> listing;  // owners whose inventory lists the object now
  auto lists = [&](std::uint32_t owner) { return listing.contains(owner); };
  drift_record created{seen("1", 0), 7};  // our apply's create: marks name owner 7
  // The create's event comes before the GitRepository watch brings the inventory: not ours yet.
  auto first = step_drift(nullptr, drift_change::modified, &created, lists);
  CHECK(decide_drift(first.input) == drift_verdict::ignore_first_sight);
  CHECK(first.record.owner == 7);
  CHECK(first.record.seen.marked);
  listing.insert(7);
  // Deleted later, by someone else: the inventory lists it now.
  auto gone = step_drift(&first.record, drift_change::deleted, &created, lists);
  CHECK(decide_drift(gone.input) == drift_verdict::deleted);
  CHECK(gone.owner == 7);
  // A deletion a relist found (no object): the record alone decides.
  auto relisted = step_drift(&first.record, drift_change::deleted, nullptr, lists);
  CHECK(decide_drift(relisted.input) == drift_verdict::deleted);
  CHECK(relisted.owner == 7);
  // An edit is repaired too.
  drift_record edited{seen("2", 0), 7};
  auto edit = step_drift(&first.record, drift_change::modified, &edited, lists);
  CHECK(decide_drift(edit.input) == drift_verdict::spec_changed);
  CHECK(edit.owner == 7);
}

TEST_CASE("drift: marks alone prove nothing, and an owner recorded before it was tracked is found by the next event", "[drift]") {
  std::set<std::uint32_t> listing{3};
  auto lists = [&](std::uint32_t owner) { return listing.contains(owner); };
  // Marks naming owner 5, whose inventory does not list the object: never a repair of 5.
  drift_record claimed{seen("1", 0), 5};
  auto first = step_drift(nullptr, drift_change::modified, &claimed, lists);
  drift_record edited{seen("2", 0), 5};
  auto edit = step_drift(&first.record, drift_change::modified, &edited, lists);
  CHECK(decide_drift(edit.input) == drift_verdict::ignore_not_ours);
  CHECK(decide_drift(step_drift(&edit.record, drift_change::deleted, &edited, lists).input) == drift_verdict::ignore_not_ours);
  // Owner 3 lists it; its marks are changed to name 5: 3 sees its marks removed and repairs.
  drift_record ours{seen("1", 0), 3};
  drift_record taken{seen("2", 0), 5};
  auto take = step_drift(&ours, drift_change::modified, &taken, lists);
  CHECK(decide_drift(take.input) == drift_verdict::marks_removed);
  CHECK(take.owner == 3);
  // Seen when its GitRepository was not tracked yet (no owner, not marked); deleted once it is:
  // the deletion's last state names the owner.
  drift_record untracked{seen("1", 0, false), no_drift_owner};
  drift_record last{seen("1", 0), 3};
  auto gone = step_drift(&untracked, drift_change::deleted, &last, lists);
  CHECK(decide_drift(gone.input) == drift_verdict::deleted);
  CHECK(gone.owner == 3);
  CHECK(decide_drift(step_drift(&untracked, drift_change::deleted, nullptr, lists).input) == drift_verdict::ignore_not_ours);
  // The same for an edit: the edited object names its owner.
  drift_record edited_later{seen("2", 0), 3};
  auto late_edit = step_drift(&untracked, drift_change::modified, &edited_later, lists);
  CHECK(decide_drift(late_edit.input) == drift_verdict::spec_changed);
  CHECK(late_edit.owner == 3);
}

TEST_CASE("fight detector: N corrections a minute, then held for the rest of it, reported once", "[drift]") {
  fight_detector f(5, 1min);
  for (int i = 0; i < 5; ++i) CHECK(f.record("cm/a", t0 + i * 1s) == fight_detector::verdict::correct);
  CHECK(f.record("cm/a", t0 + 10s) == fight_detector::verdict::hold_first);
  CHECK(f.record("cm/a", t0 + 20s) == fight_detector::verdict::hold);
  CHECK(f.record("cm/b", t0 + 20s) == fight_detector::verdict::correct);  // per object
  CHECK(f.record("cm/a", t0 + 59s) == fight_detector::verdict::hold);
  // A new minute: corrected again.
  CHECK(f.record("cm/a", t0 + 60s) == fight_detector::verdict::correct);
}

TEST_CASE("fight detector: ended windows are forgotten", "[drift]") {
  fight_detector f(5, 1min);
  f.record("cm/a", t0);
  f.record("cm/b", t0 + 30s);
  f.expire(t0 + 61s);
  CHECK(f.tracked() == 1);
  f.expire(t0 + 91s);
  CHECK(f.tracked() == 0);
}

TEST_CASE("resync: a covered, recently checked owner checks nothing of an unchanged commit, or only what drifted", "[drift]") {
  CHECK(decide_check(true, false, false, t0, t0 + 10min, 1h) == check_scope::skip);
  CHECK(decide_check(true, true, false, t0, t0 + 10min, 1h) == check_scope::drifted_only);  // only what drifted
  CHECK(decide_check(true, false, false, t0, t0 + 1h, 1h) == check_scope::full);           // resync due
  CHECK(decide_check(true, true, false, t0, t0 + 1h, 1h) == check_scope::full);
  CHECK(decide_check(false, false, false, t0, t0 + 10min, 1h) == check_scope::full);       // a kind not watched
  CHECK(decide_check(false, true, false, t0, t0 + 10min, 1h) == check_scope::full);
  CHECK(decide_check(true, false, false, std::nullopt, t0, 1h) == check_scope::full);      // never checked by this process
  CHECK(decide_check(true, true, false, std::nullopt, t0, 1h) == check_scope::full);
  CHECK(decide_check(true, false, false, t0, t0 + 1s, 0s) == check_scope::full);          // resync off
  CHECK(decide_check(true, true, false, t0, t0 + 1s, 0s) == check_scope::full);
  // More drifted than remembered: everything is checked.
  CHECK(decide_check(true, true, true, t0, t0 + 10min, 1h) == check_scope::full);
  CHECK(decide_check(true, false, true, t0, t0 + 10min, 1h) == check_scope::full);
}

TEST_CASE("resync: a full check that succeeds is the new last one, a failed partial check forgets it", "[drift]") {
  std::optional<clock::time_point> before = t0;
  CHECK(last_full_after(before, true, check_scope::full, t0 + 1min) == t0 + 1min);
  CHECK(last_full_after(before, false, check_scope::full, t0 + 1min) == t0);
  CHECK(last_full_after(before, true, check_scope::drifted_only, t0 + 1min) == t0);
  CHECK(last_full_after(before, false, check_scope::drifted_only, t0 + 1min) == std::nullopt);
  CHECK(last_full_after(before, true, check_scope::skip, t0 + 1min) == t0);
  CHECK(last_full_after(before, false, check_scope::skip, t0 + 1min) == t0);
}

TEST_CASE("watched kinds: capped, owners taken whole, smaller owners first") {
  using gitopsd::group_version_kind;
  auto kind = [](int i) { return group_version_kind{"example.com", "v1", "K" + std::to_string(i)}; };
  std::set<group_version_kind> small{kind(1), kind(2)};
  std::set<group_version_kind> shared{kind(2), kind(3)};
  std::set<group_version_kind> hostile;
  for (int i = 100; i < 1100; ++i) hostile.insert(kind(i));

  auto all = kinds_to_watch({&hostile, &small, &shared}, 256);
  CHECK(all == std::set<group_version_kind>{kind(1), kind(2), kind(3)});  // the 1,000 kinds do not fit

  // A kind two owners share counts once; an owner that would pass the cap is left out whole.
  auto three = kinds_to_watch({&small, &shared}, 3);
  CHECK(three.size() == 3);
  auto two = kinds_to_watch({&small, &shared}, 2);
  CHECK(two.size() == 2);
  CHECK_FALSE((two.contains(kind(1)) && two.contains(kind(3))));
  CHECK(kinds_to_watch({}, 10).empty());
}

TEST_CASE("watched kinds: an owner already watched keeps its watches when another changes", "[drift]") {
  using gitopsd::group_version_kind;
  auto kind = [](int i) { return group_version_kind{"example.com", "v1", "K" + std::to_string(i)}; };
  std::set<group_version_kind> big, grown;
  for (int i = 0; i < 250; ++i) big.insert(kind(i));
  for (int i = 1000; i < 1010; ++i) grown.insert(kind(i));
  // `big` is watched; `grown` just gained kinds and no longer fits beside it: `grown` is left out,
  // not the owner that did nothing.
  auto kept = kinds_to_watch({&grown, &big}, 256, big);
  CHECK(kept == big);
  // Without that history the smaller owner comes first.
  CHECK(kinds_to_watch({&grown, &big}, 256) == grown);
}

TEST_CASE("kind owners: a kind is counted while any owner lists it", "[drift]") {
  using gitopsd::group_version_kind;
  auto kind = [](int i) { return group_version_kind{"example.com", "v1", "K" + std::to_string(i)}; };
  kind_owners k;
  std::set<group_version_kind> a{kind(1), kind(2)}, b{kind(2), kind(3)}, a2{kind(2)};
  k.replace({}, a);
  k.replace({}, b);
  CHECK(k.kinds() == std::set<group_version_kind>{kind(1), kind(2), kind(3)});
  k.replace(a, a2);  // owner a drops K1; K2 is still b's too
  CHECK(k.kinds() == std::set<group_version_kind>{kind(2), kind(3)});
  k.replace(b, {});  // owner b gone
  CHECK(k.kinds() == std::set<group_version_kind>{kind(2)});
  k.replace(a2, {});
  CHECK(k.size() == 0);
  k.replace({kind(9)}, {});  // forgetting what was never counted changes nothing
  CHECK(k.size() == 0);
}

TEST_CASE("label owner counts: an owner has none of a kind in a namespace until one of its objects is seen there", "[drift]") {
  label_owner_counts counts;
  auto app = label_owner_counts::key("team-a", "app");
  auto other = label_owner_counts::key("team-b", "app");
  CHECK(label_owner_counts::key("", "app") == 0);
  CHECK(label_owner_counts::key("team-a", "") == 0);
  CHECK(app != other);
  CHECK(counts.none(app, "ns"));
  counts.add(app, "ns");
  counts.add(app, "ns");
  counts.add(other, "elsewhere");
  counts.add(0, "ns");  // an object without both labels: not counted
  CHECK_FALSE(counts.none(app, "ns"));
  CHECK(counts.none(app, "elsewhere"));
  CHECK(counts.none(other, "ns"));
  counts.remove(app, "ns");
  CHECK_FALSE(counts.none(app, "ns"));
  counts.remove(app, "ns");
  CHECK(counts.none(app, "ns"));
  counts.remove(app, "ns");  // more removals than adds: stays at none, never wraps
  CHECK(counts.none(app, "ns"));
  counts.add(app, "ns");
  CHECK_FALSE(counts.none(app, "ns"));
  CHECK(counts.tracked() == 2);
}
