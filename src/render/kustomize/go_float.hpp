#pragma once
// Internal: float64 as Go's strconv writes it, for kustomize's vars.
#include <string>

namespace gitopsd::render::kustomize {

// fmt's %v (strconv 'g', shortest): 1500, 1.5, 1e+06, 1.234567e+06, 1e-05.
std::string go_float_g(double d);
// strconv.FormatFloat(d, 'f', -1, 64): the shortest digits, never an exponent.
std::string go_float_f(double d);

}  // namespace gitopsd::render::kustomize
