// LeakSanitizer (the asan preset) reads these hooks. libgit2 1.5 leaks a few small buffers inside
// git_remote_connect when a connection fails (timeouts, refused credentials or certificates); those
// leaks are libgit2's, not ours, and would fail every error-path test under ASan. libgit2 is built
// without frame pointers, so full unwinding is needed for the suppression to see the function name.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:git_remote_connect_ext\n"; }
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
