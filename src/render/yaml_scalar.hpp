#pragma once
// Internal: plain-scalar resolution shared by the YAML reader and writer.

#include "gitopsd/render/yaml.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::render::detail {

struct scalar {
  scalar_kind kind = scalar_kind::string;
  bool truth = false;
  std::int64_t integer = 0;
  double real = 0;
};

// yaml11_words: the YAML 1.1 booleans (y, yes, on, off, ...) of go-yaml v2; go-yaml v3 reads them as strings.
scalar resolve_plain(std::string_view text, bool yaml11_words = true);

// A plain scalar go-yaml v3 reads as a timestamp (its four layouts), as Go's JSON encoder writes
// the time (RFC 3339 with the fraction's trailing zeros dropped), or nullopt.
std::optional<std::string> timestamp_json(std::string_view text);
std::string format_float32_key(double value);

// Whether a YAML 1.1 reader (or go-yaml v3, for its timestamps) would take this plain scalar for a
// timestamp or a sexagesimal number ("2001-12-14", "12:30"): a writer quotes such strings, as
// kustomize's does.
bool reads_as_time(std::string_view text);

}  // namespace gitopsd::render::detail
