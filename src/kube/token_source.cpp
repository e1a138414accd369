#include "gitopsd/kube/token_source.hpp"

#include <fstream>
#include <sstream>

namespace gitopsd::kube {

token_source::token_source(std::string static_token, std::filesystem::path file)
    : token_(std::move(static_token)), file_(std::move(file)) {
  if (!file_.empty()) reload();
}

const std::string& token_source::current() {
  if (file_.empty()) return token_;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(file_, ec);
  if (ec) return token_;  // keep the last good token while the file is being replaced
  auto size = std::filesystem::file_size(file_, ec);
  if (!ec && (mtime != mtime_ || size != size_)) reload();
  return token_;
}

void token_source::reload() {
  if (file_.empty()) return;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(file_, ec);
  auto size = std::filesystem::file_size(file_, ec);
  std::ifstream in(file_, std::ios::binary);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return;
  token_ = std::move(token);
  mtime_ = mtime;
  size_ = size;
}

}  // namespace gitopsd::kube
