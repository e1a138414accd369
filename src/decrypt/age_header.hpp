#pragma once
// The age v1 header: the version line, recipient stanzas and the MAC line. Parsing accepts only
// the canonical form, so the bytes the MAC covers are the bytes read.

#include "gitopsd/core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt::detail {

inline constexpr std::size_t max_header_size = 64 * 1024;
inline constexpr std::size_t max_stanzas = 100;

struct stanza {
  std::string type;
  std::vector<std::string> args;
  std::string body;
};

struct header {
  std::vector<stanza> stanzas;
  std::string mac;               // 32 bytes
  std::size_t mac_input_size{};  // the header up to and including "---"
  std::size_t payload_offset{};  // first byte after the MAC line
};

result<header> parse_header(std::string_view file);

// The header text without the MAC: version line, stanzas and "---".
std::string format_header(const std::vector<stanza>& stanzas);

}  // namespace gitopsd::decrypt::detail
