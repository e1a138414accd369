# Project-wide compile options: warnings everywhere, errors in CI, sanitizers on request.
add_library(gitopsd_options INTERFACE)
target_compile_options(gitopsd_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  # g++ 12 reports Asio's coroutine frame allocator as mismatched new/delete (a false positive).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
  $<$<BOOL:${GITOPSD_WERROR}>:-Werror>)
if(GITOPSD_SANITIZE)
  target_compile_options(gitopsd_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(gitopsd_options INTERFACE -fsanitize=address,undefined)
endif()
