#pragma once
// Compiled in ahead of every RapidJSON header (cmake/dependencies.cmake), so every Document
// allocates the same way. RapidJSON starts each Document's memory pool with a 64 KiB chunk;
// the agent holds one small Document per object (thousands at once in a big sync), and 64 KiB
// each was most of its memory. Pools here start at 1 KiB and grow a chunk at a time.

#include <cstddef>
#include <type_traits>

#define RAPIDJSON_NEW(x) ::gitopsd::json::detail::make_allocator<decltype(x)>()

#include <rapidjson/fwd.h>

namespace gitopsd::json::detail {

inline constexpr std::size_t pool_chunk_bytes = 1024;

template <class T>
T* make_allocator() {
  if constexpr (std::is_same_v<T, rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>>) return new T(pool_chunk_bytes);
  else return new T();
}

}  // namespace gitopsd::json::detail
