#pragma once
// Whether a server dry run's result equals the live object as it was: what decides that an object
// is unchanged and needs no apply. Fields every write touches (resourceVersion, generation,
// managedFields) do not count, nor apiVersion and kind, which items of a typed LIST lack.

#include <rapidjson/document.h>

namespace gitopsd::kube {

bool same_object(const rapidjson::Value& before, const rapidjson::Value& after);

}  // namespace gitopsd::kube
