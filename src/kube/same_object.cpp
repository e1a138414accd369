#include "gitopsd/kube/same_object.hpp"

#include <cstddef>

namespace gitopsd::kube {
namespace {

// Whether two JSON objects have equal members, not counting those `skip` names.
template <class Skip>
bool equal_members(const rapidjson::Value& a, const rapidjson::Value& b, const Skip& skip,
                   bool (*equal)(const rapidjson::Value&, const rapidjson::Value&, const rapidjson::Value&)) {
  if (!a.IsObject() || !b.IsObject()) return a == b;
  std::size_t counted = 0;
  for (const auto& m : a.GetObject()) {
    if (skip(m.name)) continue;
    ++counted;
    auto other = b.FindMember(m.name);
    if (other == b.MemberEnd() || !equal(m.name, m.value, other->value)) return false;
  }
  for (const auto& m : b.GetObject())
    if (!skip(m.name) && counted-- == 0) return false;
  return counted == 0;
}

bool plain_equal(const rapidjson::Value&, const rapidjson::Value& a, const rapidjson::Value& b) { return a == b; }

bool metadata_equal(const rapidjson::Value& name, const rapidjson::Value& a, const rapidjson::Value& b) {
  if (name != "metadata") return a == b;
  // What every write changes, even one that changes nothing else.
  auto is_volatile = [](const rapidjson::Value& n) {
    return n == "managedFields" || n == "resourceVersion" || n == "generation";
  };
  return equal_members(a, b, is_volatile, plain_equal);
}

}  // namespace

bool same_object(const rapidjson::Value& before, const rapidjson::Value& after) {
  auto is_type = [](const rapidjson::Value& n) { return n == "apiVersion" || n == "kind"; };
  return equal_members(before, after, is_type, metadata_equal);
}

}  // namespace gitopsd::kube
