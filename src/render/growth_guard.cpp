#include "growth_guard.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::render::detail {
namespace {

thread_local growth_scope* current = nullptr;

}  // namespace

growth_scope::growth_scope(std::size_t max_bytes, std::size_t budget_bytes, const options& opts)
    : max_bytes_(max_bytes), budget_bytes_(budget_bytes), opts_(opts), outer_(current) {
  current = this;
}

growth_scope::~growth_scope() { current = outer_; }

void growth_scope::add(std::size_t bytes, std::string_view where) {
  total_ += bytes;
  if (total_ > max_bytes_)
    throw budget_exceeded(make_error(errc::limit_exceeded,
                                     fmt::format("{}: the build's objects take more than {} MiB of memory while it "
                                                 "changes them (4x the limit max-render-bytes, {} bytes)",
                                                 where.empty() ? "." : where, max_bytes_ >> 20, budget_bytes_)));
}

void guard_object(const rapidjson::Document& doc, std::string_view where) {
  if (current == nullptr) return;
  // A pool allocator only grows: what it holds now, less what was counted for it before. An
  // address seen before with a larger size belongs to a new object.
  auto& alloc = const_cast<rapidjson::Document&>(doc).GetAllocator();
  std::size_t now = alloc.Size();
  auto it = current->seen_.try_emplace(&alloc, 0).first;
  std::size_t grown = now >= it->second ? now - it->second : now;
  it->second = now;
  if (grown > 0) current->add(grown, where);
}

void guard_bytes(std::size_t bytes, std::string_view where) {
  if (current != nullptr) current->add(bytes, where);
}

void guard_time(std::string_view where) {
  if (current == nullptr) return;
  if (auto going = check_time(current->opts_, where); !going) throw budget_exceeded(going.error());
}

}  // namespace gitopsd::render::detail
