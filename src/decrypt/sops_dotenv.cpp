#include "sops_dotenv.hpp"

#include "sops_tree.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <limits>

namespace gitopsd::decrypt {

bool has_dotenv_metadata(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    auto nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    if (line.substr(0, 5) == "sops_" && line.find('=') != std::string_view::npos) return true;
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  return false;
}

result<dotenv_file> read_dotenv(std::string_view text) {
  dotenv_file out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      out.comments.emplace_back(out.entries.size(), std::string(line.substr(1)));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return make_error(errc::malformed, fmt::format("line {} has no '='", line_no));
    std::string key(line.substr(0, eq));
    std::string value;
    for (std::string_view v = line.substr(eq + 1); !v.empty();) {
      if (v.substr(0, 2) == "\\n") {
        value += '\n';
        v.remove_prefix(2);
      } else {
        value += v.front();
        v.remove_prefix(1);
      }
    }
    if (key.rfind("sops_", 0) == 0)
      out.metadata.emplace_back(key.substr(5), std::move(value));
    else
      out.entries.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

void open_dotenv_comments(dotenv_file& file, const data_key& key) {
  for (auto& [_, text] : file.comments) {
    auto sealed = parse_sealed(text);
    if (!sealed || sealed->type != "comment") continue;
    if (auto plain = open_sealed(*sealed, key, ":")) text = std::move(*plain);
  }
}

std::string write_dotenv(const rapidjson::Value& doc, const dotenv_file& file) {
  std::string out;
  std::size_t index = 0;
  auto next_comment = file.comments.begin();
  auto comments_before = [&](std::size_t at) {
    for (; next_comment != file.comments.end() && next_comment->first <= at; ++next_comment)
      ((out += '#') += next_comment->second) += '\n';
  };
  for (const auto& m : doc.GetObject()) {
    comments_before(index++);
    std::string value = mac_bytes(m.value);
    (out += std::string_view(m.name.GetString(), m.name.GetStringLength())) += '=';
    for (char c : value) {
      if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    OPENSSL_cleanse(value.data(), value.size());
    out += '\n';
  }
  comments_before(std::numeric_limits<std::size_t>::max());
  return out;
}

}  // namespace gitopsd::decrypt
