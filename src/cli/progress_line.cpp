#include "gitopsd/cli/progress_line.hpp"

#include "gitopsd/cli/table.hpp"

namespace gitopsd::cli {
namespace {

// Carriage return, then erase the whole line (ECMA-48 EL 2).
constexpr std::string_view erase = "\r\x1b[2K";

}  // namespace

bool show_progress(bool stderr_is_terminal, bool no_color_flag, const char* no_color_env) {
  bool no_color = no_color_flag || (no_color_env != nullptr && *no_color_env != '\0');
  return stderr_is_terminal && !no_color;
}

progress_line::progress_line(bool enabled, std::ostream& out, std::chrono::milliseconds interval)
    : enabled_(enabled), out_(out), interval_(interval) {}

progress_line::~progress_line() { clear(); }

void progress_line::show(std::string_view text, bool often) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (often && shown_ && now - drawn_ < interval_) return;
  drawn_ = now;
  out_ << erase << one_line(text, 100) << std::flush;
  shown_ = true;
}

void progress_line::clear() {
  if (!enabled_ || !shown_) return;
  out_ << erase << std::flush;
  shown_ = false;
}

}  // namespace gitopsd::cli
