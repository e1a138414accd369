// libFuzzer target for JSON from a repository (a manifest file starting with '{') and from the API
// (json::parse): any input, however deeply nested, must parse or fail with an error.
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto doc = gitopsd::json::parse(text)) {
    auto e = gitopsd::json::measure(*doc);
    if (e.values == 0) std::abort();
  }
  gitopsd::render::limits lim;
  lim.max_file_bytes = 1 << 16;
  lim.max_nodes = 100000;
  lim.max_depth = 64;
  std::string manifest = "{" + std::string(text);
  auto docs = gitopsd::render::decode_documents(manifest, "fuzz.json", lim);
  if (docs)
    for (const auto& d : *docs)
      if (gitopsd::json::measure(d).depth > lim.max_depth) std::abort();
  return 0;
}
