#pragma once
// The bearer token for requests: a static one from kubeconfig, or a file that is re-read when it
// changes (projected service-account tokens rotate). The token never reaches a log.

#include <filesystem>
#include <string>

namespace gitopsd::kube {

class token_source {
 public:
  token_source() = default;
  token_source(std::string static_token, std::filesystem::path file);

  // The current token ("" when there is none). A file is looked at on every call (one stat) and
  // read again when its modification time or size changed.
  const std::string& current();
  // Reads the file again regardless (after a 401).
  void reload();
  [[nodiscard]] bool from_file() const { return !file_.empty(); }

 private:
  std::string token_;
  std::filesystem::path file_;
  std::filesystem::file_time_type mtime_{};
  std::uintmax_t size_ = 0;
};

}  // namespace gitopsd::kube
