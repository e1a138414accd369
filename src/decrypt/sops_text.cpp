#include "sops_text.hpp"

#include <unordered_map>

namespace gitopsd::decrypt {
namespace {

constexpr std::string_view sealed_mark = "ENC[AES256_GCM,";

// A line that opens a top-level `sops` mapping: "sops:" at column 0, then nothing but a comment.
bool opens_sops_block(std::string_view line) {
  if (line.substr(0, 5) != "sops:") return false;
  auto rest = line.substr(5);
  auto first = rest.find_first_not_of(" \t\r\n");
  return first == std::string_view::npos || rest[first] == '#';
}

}  // namespace

std::optional<std::string> substitute_plaintext(std::string_view text, const std::vector<opened_value>& opened,
                                                std::size_t sops_entries) {
  std::unordered_map<std::string_view, const std::string*> plain;
  for (const auto& o : opened) plain.emplace(o.sealed, &o.yaml);
  std::unordered_map<std::string_view, bool> used;

  // Values first: every ENC[...] token the tree opened, with the quotes around it if it has any.
  std::string replaced;
  replaced.reserve(text.size());
  std::size_t at = 0;
  while (true) {
    auto found = text.find(sealed_mark, at);
    if (found == std::string_view::npos) break;
    auto close = text.find(']', found);
    if (close == std::string_view::npos) break;
    std::string_view token = text.substr(found, close + 1 - found);
    auto it = plain.find(token);
    if (it == plain.end()) {
      // An encrypted comment goes (its key path cannot be told from the text); the MAC and
      // wrapped keys go with the sops block below.
      bool comment = token.ends_with(",type:comment]");
      replaced.append(text.substr(at, (comment ? found : close + 1) - at));
      at = close + 1;
      continue;
    }
    std::size_t begin = found, end = close + 1;
    if (begin > 0 && end < text.size() && (text[begin - 1] == '"' || text[begin - 1] == '\'') && text[end] == text[begin - 1]) {
      --begin;
      ++end;
    }
    if (begin < at) return std::nullopt;
    replaced.append(text.substr(at, begin - at));
    replaced += *it->second;
    used[token] = true;
    at = end;
  }
  replaced.append(text.substr(at));
  if (used.size() != plain.size()) return std::nullopt;

  // Then the metadata: each `sops:` block runs to the next line that starts at column 0.
  std::string out;
  out.reserve(replaced.size());
  std::size_t blocks = 0;
  bool in_block = false;
  std::string_view all = replaced;
  for (std::size_t pos = 0; pos < all.size();) {
    auto nl = all.find('\n', pos);
    std::size_t next = nl == std::string_view::npos ? all.size() : nl + 1;
    std::string_view line = all.substr(pos, next - pos);
    if (in_block && (line.empty() || line.front() == ' ' || line.front() == '\t' || line == "\n" || line == "\r\n")) {
      pos = next;
      continue;
    }
    in_block = false;
    if (opens_sops_block(line)) {
      in_block = true;
      ++blocks;
      pos = next;
      continue;
    }
    out.append(line);
    pos = next;
  }
  if (blocks != sops_entries) return std::nullopt;
  return out;
}

}  // namespace gitopsd::decrypt
