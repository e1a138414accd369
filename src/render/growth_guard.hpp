#pragma once
// Internal: the memory one render's objects take, counted while transformers, patches,
// replacements and generators change them. Each of those can copy one value into thousands of
// places, so the budget is checked after each object (or field, or file) they touch, not once
// the step is done: an input that would take gigabytes stops at the budget instead of the
// process running out of memory. One scope per render, on the render's own thread (render()
// installs it); without a scope the checks do nothing.

#include "gitopsd/render/render.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gitopsd::render::detail {

// Thrown by the checks; render() returns its error.
struct budget_exceeded : std::runtime_error {
  explicit budget_exceeded(error e) : std::runtime_error(e.what()), reason(std::move(e)) {}
  error reason;
};

class growth_scope {
 public:
  // `max_bytes`: what the objects may take in memory; `budget_bytes` is the JSON budget it comes
  // from, for the message. `opts`: the render's deadline and stop flag, for guard_time.
  growth_scope(std::size_t max_bytes, std::size_t budget_bytes, const options& opts);
  ~growth_scope();
  growth_scope(const growth_scope&) = delete;
  growth_scope& operator=(const growth_scope&) = delete;

 private:
  friend void guard_object(const rapidjson::Document& doc, std::string_view where);
  friend void guard_bytes(std::size_t bytes, std::string_view where);
  friend void guard_time(std::string_view where);
  void add(std::size_t bytes, std::string_view where);

  std::size_t max_bytes_, budget_bytes_, total_ = 0;
  const options& opts_;
  std::unordered_map<const void*, std::size_t> seen_;  // each object's allocator: bytes counted
  growth_scope* outer_;
};

// After `doc` changed: counts what its allocator took since it was last seen (all of it the
// first time). Throws growth_exceeded past the budget; `where` names the file or object.
void guard_object(const rapidjson::Document& doc, std::string_view where);

// Bytes read or built outside an object (generator files).
void guard_bytes(std::size_t bytes, std::string_view where);

// The render's time budget and stop flag (check_time), for loops over many objects whose single
// steps may be slow (a large pattern matched against long names).
void guard_time(std::string_view where);

}  // namespace gitopsd::render::detail
