#include "gitopsd/controller/substitution_inputs.hpp"

#include "gitopsd/core/base64.hpp"
#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::controller {

result<render::substitution> merge_substitution(const post_build_spec& spec, const std::vector<substitute_input>& inputs) {
  render::substitution out;
  out.strict = spec.strict;
  for (std::size_t i = 0; i < inputs.size() && i < spec.substitute_from.size(); ++i) {
    if (!inputs[i]) continue;
    const auto& ref = spec.substitute_from[i];
    bool secret = ref.kind == "Secret";
    // Only `data`, as Flux reads them (a ConfigMap's binaryData is not used).
    const rapidjson::Value* data = json::find(*inputs[i], "data");
    if (data == nullptr || !data->IsObject()) continue;
    for (const auto& m : data->GetObject()) {
      std::string key(json::view(m.name));
      if (!m.value.IsString())
        return make_error(core::errc::wrong_type,
                          fmt::format("postBuild.substituteFrom {} {}: data.{} is not a string", ref.kind, ref.name, key));
      if (!secret) {
        out.vars[key] = render::variable_value(json::view(m.value));
        continue;
      }
      auto decoded = base64_decode(json::view(m.value));
      if (!decoded)
        return make_error(core::errc::wrong_type,
                          fmt::format("postBuild.substituteFrom Secret {}: data.{} is not valid base64", ref.name, key));
      out.vars[key] = render::variable_value(*decoded);
    }
  }
  for (const auto& [key, value] : spec.substitute) out.vars[key] = value;
  return out;
}

boost::asio::awaitable<result<render::substitution>> load_substitution(kube::client& client, const gitrepository& repo) {
  const auto& spec = repo.spec.post_build;
  std::vector<substitute_input> inputs;
  for (const auto& ref : spec.substitute_from) {
    object_ref target{{"", "v1", ref.kind}, repo.namespace_, ref.name};
    auto found = co_await client.get(target);
    if (!found) {
      if (ref.optional && found.error().code == kube::errc::not_found) {
        inputs.emplace_back(std::nullopt);
        continue;
      }
      co_return make_error(found.error().code, fmt::format("postBuild.substituteFrom {} {}/{}: {}", ref.kind,
                                                           repo.namespace_, ref.name, found.error().what()));
    }
    inputs.emplace_back(std::move(*found));
  }
  co_return merge_substitution(spec, inputs);
}

}  // namespace gitopsd::controller
