#pragma once
// One updating line on stderr while a long command works ("rendering...", "dry run 120/3000
// objects"), cleared before the result is printed; nothing at all when it is not shown, so CI logs
// and redirected output stay plain.

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

namespace gitopsd::cli {

// Shown only when stderr is a terminal and neither --no-color nor a non-empty $NO_COLOR asks for
// plain output. `no_color_env` is the variable's value, null when unset.
bool show_progress(bool stderr_is_terminal, bool no_color_flag, const char* no_color_env);

class progress_line {
 public:
  progress_line(bool enabled, std::ostream& out, std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;
  ~progress_line();

  // Replaces the line's text. `often`: a counter that may change thousands of times, drawn only
  // when `interval` has passed since the line was last drawn.
  void show(std::string_view text, bool often = false);
  // Erases the line; call before printing anything else.
  void clear();

 private:
  bool enabled_;
  std::ostream& out_;
  std::chrono::milliseconds interval_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point drawn_{};
};

}  // namespace gitopsd::cli
