#pragma once
// Splits a byte stream into '\n'-terminated lines however the stream was chunked (a watch sends
// one JSON event per line, and TCP and HTTP chunking cut anywhere).

#include <cstddef>
#include <string>
#include <string_view>

namespace gitopsd::kube {

class line_splitter {
 public:
  explicit line_splitter(std::size_t max_line = 64u << 20) : max_line_(max_line) {}

  // Calls on_line(std::string_view) for each complete line (without '\n', '\r' kept off too).
  // Returns false when a line grew beyond max_line; the buffer is then dropped.
  template <class OnLine>
  bool feed(std::string_view chunk, OnLine&& on_line) {
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        buffer_.append(chunk);
        if (buffer_.size() > max_line_) {
          buffer_.clear();
          return false;
        }
        return true;
      }
      std::string_view line;
      if (buffer_.empty()) {
        line = chunk.substr(0, nl);
      } else {
        buffer_.append(chunk.substr(0, nl));
        line = buffer_;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) on_line(line);
      buffer_.clear();
      chunk.remove_prefix(nl + 1);
    }
    return true;
  }

  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }
  void reset() { buffer_.clear(); }

 private:
  std::string buffer_;
  std::size_t max_line_;
};

}  // namespace gitopsd::kube
