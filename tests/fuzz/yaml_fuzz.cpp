// libFuzzer target for the YAML reader: any input must give documents or an error, never a crash,
// hang or unbounded memory; and every decoded document must survive the YAML writer unchanged.
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gitopsd::render::limits lim;
  lim.max_file_bytes = 1 << 16;
  lim.max_nodes = 100000;
  lim.max_depth = 64;
  lim.max_bytes = 4u << 20;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = gitopsd::render::decode_documents(text, "fuzz.yaml", lim);
  if (!docs) return 0;
  for (const auto& doc : *docs) {
    if (doc.IsNull()) continue;  // a null document is written as one and skipped when read
    std::string yaml = gitopsd::render::to_yaml(doc);
    // Aliases expand when written: a document may come back larger than a file may be.
    if (yaml.size() > lim.max_file_bytes) continue;
    auto again = gitopsd::render::decode_documents(yaml, "again.yaml", lim);
    if (!again || again->size() != 1 || (*again)[0] != doc) std::abort();
  }
  return 0;
}
