// libFuzzer target for ignore patterns: the first line is a path, the rest an ignore file. Any
// input must match or not, with bounded work, and glob_match must agree with itself on a name
// built from the pattern's literal characters.
#include "gitopsd/core/ignore.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto first = in.find('\n');
  std::string_view path = in.substr(0, first);
  std::string_view text = first == std::string_view::npos ? std::string_view() : in.substr(first + 1);
  auto patterns = gitopsd::read_ignore_patterns(text, {"a"});
  for (const auto& p : patterns)
    for (const auto& seg : p.segments) {
      (void)gitopsd::glob_match(seg, path);
      // A pattern without special characters matches exactly itself.
      if (seg.size() <= 4096 && seg.find_first_of("*?[\\") == std::string::npos && !gitopsd::glob_match(seg, seg))
        __builtin_trap();
    }
  auto matcher = gitopsd::ignore_matcher::with_defaults(std::move(patterns));
  (void)matcher.excluded(path, false);
  (void)matcher.excluded(path, true);
  return 0;
}
