// libFuzzer target for postBuild substitution: the first line holds variables (NAME=VALUE
// separated by ';'), the rest is the text. Any input must substitute or fail with an error, in
// time linear in the text and the output, and an object's text must stay an object or fail.
#include "gitopsd/render/substitute.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto first = in.find('\n');
  std::string_view vars = in.substr(0, first);
  std::string_view text = first == std::string_view::npos ? std::string_view() : in.substr(first + 1);
  gitopsd::render::substitution s;
  s.max_output_bytes = 1u << 20;
  s.strict = !vars.empty() && vars.front() == '!';
  std::size_t b = 0;
  while (b < vars.size()) {
    auto e = vars.find(';', b);
    if (e == std::string_view::npos) e = vars.size();
    auto pair = vars.substr(b, e - b);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos) s.vars[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
    b = e + 1;
  }
  auto out = gitopsd::render::substitute_text(text, s);
  if (out && out->size() > s.max_output_bytes + text.size()) __builtin_trap();
  // The same text as an object's value, through the whole object path.
  std::string doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: \"x\"\n";
  auto objects = gitopsd::render::read_manifests(doc, "f.yaml", {});
  if (objects) {
    // RapidJSON asserts on a null pointer, which an empty input's data() may be.
    objects->front().object["data"]["v"].SetString(text.empty() ? "" : text.data(), static_cast<rapidjson::SizeType>(text.size()),
                                                   objects->front().object.GetAllocator());
    (void)gitopsd::render::substitute_objects(*objects, s);
  }
  return 0;
}
