#pragma once
// Reading SSH wire-format fields (RFC 4251 string, uint32, mpint) with each length checked
// against what is left before anything is taken. Internal to the verify module.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gitopsd::verify::wire {

class reader {
 public:
  explicit reader(std::string_view data) : data_(data) {}
  std::optional<std::uint32_t> u32() {
    if (data_.size() - pos_ < 4) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += 4;
    return v;
  }
  std::optional<std::string_view> string() {
    auto n = u32();
    if (!n || *n > data_.size() - pos_) return std::nullopt;
    auto out = data_.substr(pos_, *n);
    pos_ += *n;
    return out;
  }
  // A non-negative mpint's magnitude, without its sign byte.
  std::optional<std::string_view> positive_mpint() {
    auto v = string();
    if (!v || v->empty() || (static_cast<unsigned char>((*v)[0]) & 0x80) != 0) return std::nullopt;
    while (!v->empty() && (*v)[0] == '\0') v->remove_prefix(1);
    if (v->empty()) return std::nullopt;
    return v;
  }
  bool literal(std::string_view bytes) {
    if (data_.substr(pos_, bytes.size()) != bytes) return false;
    pos_ += bytes.size();
    return true;
  }
  [[nodiscard]] bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace gitopsd::verify::wire
