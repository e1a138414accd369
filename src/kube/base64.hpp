#pragma once
// Standard base64 decoding (kubeconfig *-data fields); whitespace is skipped.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::kube::detail {

std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gitopsd::kube::detail
