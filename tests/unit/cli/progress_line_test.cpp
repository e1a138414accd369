#include "gitopsd/cli/progress_line.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace gitopsd;

TEST_CASE("progress: shown only on a terminal without --no-color or $NO_COLOR", "[cli]") {
  CHECK(cli::show_progress(true, false, nullptr));
  CHECK(cli::show_progress(true, false, ""));  // NO_COLOR set but empty does not count
  CHECK_FALSE(cli::show_progress(false, false, nullptr));
  CHECK_FALSE(cli::show_progress(true, true, nullptr));
  CHECK_FALSE(cli::show_progress(true, false, "1"));
  CHECK_FALSE(cli::show_progress(false, true, "1"));
}

TEST_CASE("progress: one line redrawn in place and erased before the result", "[cli]") {
  std::ostringstream out;
  {
    cli::progress_line line(true, out, std::chrono::hours(1));
    line.show("rendering...");
    line.show("dry run 1/3 objects", true);  // a counter within the interval: not drawn
    line.show("dry run 2/3 objects", true);
    line.show("dry run 3/3 objects");
    line.clear();
    line.clear();  // nothing shown: nothing to erase
    line.show("reading\x1b[2J the\ninventory");
  }  // erased when it ends
  CHECK(out.str() == "\r\x1b[2Krendering...\r\x1b[2Kdry run 3/3 objects\r\x1b[2K"
                     "\r\x1b[2Kreading [2J the inventory\r\x1b[2K");
}

TEST_CASE("progress: a counter is drawn once the interval has passed", "[cli]") {
  std::ostringstream out;
  cli::progress_line line(true, out, std::chrono::milliseconds(0));
  line.show("dry run 1/2 objects", true);
  line.show("dry run 2/2 objects", true);
  line.clear();
  CHECK(out.str() == "\r\x1b[2Kdry run 1/2 objects\r\x1b[2Kdry run 2/2 objects\r\x1b[2K");
}

TEST_CASE("progress: nothing at all when not shown", "[cli]") {
  std::ostringstream out;
  {
    cli::progress_line line(false, out);
    line.show("rendering...");
    line.show("dry run 1/3 objects", true);
    line.clear();
  }
  CHECK(out.str().empty());
}
