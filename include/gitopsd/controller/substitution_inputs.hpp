#pragma once
// The variables of spec.postBuild: ConfigMaps and Secrets read with the identity that applies
// (spec.serviceAccountName when set), merged in order, spec.postBuild.substitute last.

#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/error.hpp"
#include "gitopsd/kube/client.hpp"
#include "gitopsd/render/substitute.hpp"

#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include <optional>
#include <vector>

namespace gitopsd::controller {

// One substituteFrom entry as read: the object, or nullopt when it is optional and missing.
using substitute_input = std::optional<rapidjson::Document>;

// Pure: the variables from what was read (`inputs` in the order of substituteFrom). Secret values
// are base64-decoded; line breaks are removed from every value. Errors name the object and key,
// never a value.
result<render::substitution> merge_substitution(const post_build_spec& spec, const std::vector<substitute_input>& inputs);

// Reads every substituteFrom object with `client`; a missing one that is not optional, or one
// that cannot be read, fails with a message naming it.
boost::asio::awaitable<result<render::substitution>> load_substitution(kube::client& client, const gitrepository& repo);

}  // namespace gitopsd::controller
