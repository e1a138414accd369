#pragma once

namespace gitopsd::git {
// Makes libgit2 open its sockets through the deadline-aware stream; called once from lg2::ensure_init.
int register_timed_stream();
}
