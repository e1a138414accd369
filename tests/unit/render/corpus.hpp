#pragma once
// Shared by the corpus tests: rendering a case and comparing object lists.
#include "print_error.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace gitopsd::testing {

inline std::filesystem::path testdata(const std::string& sub) {
  return std::filesystem::path(GITOPSD_SOURCE_DIR) / "tests" / "testdata" / sub;
}

inline std::vector<std::filesystem::path> entries(const std::filesystem::path& dir, bool dirs) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_directory() == dirs) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Objects decoded the Kubernetes way from a stream (YAML or concatenated JSON); a single List is
// unwrapped, as `kubectl` prints several objects that way.
inline std::vector<rapidjson::Document> objects_of(const std::string& text, const std::string& name) {
  auto docs = render::decode_documents(text, name);
  REQUIRE(docs);
  std::vector<rapidjson::Document> out;
  for (auto& d : *docs) {
    if (docs->size() == 1 && json::get_string(d, "kind") == "List" && d.HasMember("items")) {
      for (auto& item : d["items"].GetArray()) {
        rapidjson::Document copy;
        copy.CopyFrom(item, copy.GetAllocator());
        out.push_back(std::move(copy));
      }
    } else {
      out.push_back(std::move(d));
    }
  }
  return out;
}

// `kubectl label --local ... key-` leaves an empty labels map behind; drop it where ours has none.
inline void drop_empty_labels(rapidjson::Value& theirs, const rapidjson::Value& ours) {
  auto* labels = json::find(theirs, "metadata", "labels");
  if (labels != nullptr && labels->IsObject() && labels->MemberCount() == 0 &&
      json::find(ours, "metadata", "labels") == nullptr)
    theirs["metadata"].RemoveMember("labels");
}

inline void check_same(std::vector<rapidjson::Document>& want, const std::vector<render::manifest>& got,
                       const std::string& name, bool kubectl_labels) {
  INFO("case " << name);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (kubectl_labels) drop_empty_labels(want[i], got[i].object);
    INFO("object " << i << " (" << got[i].origin << ")\nwant: " << json::serialize(want[i])
                   << "\ngot:  " << json::serialize(got[i].object));
    CHECK(want[i] == got[i].object);
  }
}

}  // namespace gitopsd::testing
