#pragma once
// The Git source stage: resolve a ref with a cheap remote listing, fetch only when the commit is not
// cached, and return an immutable snapshot of the tree at `path`.
//
// The cache holds one bare repository per normalized URL (folder named by a hash of the URL); it can
// be deleted at any time. Requests for the same URL share that repository and run one after the other
// (so a second request finds the commit the first fetched and does not fetch). Every request lists
// the remote with its own credentials first, so a cached commit is never served to a request that
// cannot read the remote; a request may instead reuse a listing made with the very same credentials
// that started at or after its `listing_not_before` (see listing_cache.hpp). So credentials revoked
// at the Git server, with the Secret unchanged, still reach cached commits for that long (an
// interval run: at most half its interval, a minute at most); their first failed listing ends it.
//
// Secret data keys (Flux's): username, password, bearerToken, ca.crt, identity, password (passphrase
// of identity), known_hosts (required for ssh). Credentials stay in memory and never reach a message.
//  - ca.crt is trusted in addition to the system CAs. libgit2 1.5 has no per-remote CA option (its
//    GIT_OPT_SET_SSL_CERT_LOCATIONS is process-wide), so the certificate_check callback verifies the
//    server's leaf certificate against ca.crt with OpenSSL (chain, dates, host name); intermediate
//    certificates must therefore be included in ca.crt.
//  - SSH host keys are checked only against the Secret's known_hosts (never ~/.ssh): a host that is
//    not listed, or listed with another key of the same type, is refused.
//  - bearerToken is sent as "Authorization: Bearer" on HTTP(S) only.
// Deadlines: `timeout` bounds connecting, TLS/SSH handshakes and every transfer (see operation.hpp);
// DNS resolution is not bounded by it. A `commit` ref without a branch must be reachable from a branch.

#include "gitopsd/core/busy_watch.hpp"
#include "gitopsd/core/error.hpp"
#include "gitopsd/git/ref.hpp"
#include "gitopsd/git/snapshot.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>

namespace gitopsd::git {

// What one remote operation may cost; each overrun fails with errc::too_large, naming the budget
// and the host.
struct git_budget {
  // Bytes of the ref advertisement (the listing): read as it arrives over HTTP(S), so an endless
  // one from a hostile server ends here.
  std::uint64_t max_listing_bytes = 16ull << 20;
  std::size_t max_listing_refs = 100000;  // refs the listing may advertise
  std::uint64_t max_fetch_bytes = 1ull << 30;  // pack bytes a fetch may download
};

struct source_spec {
  std::string url;
  ref_spec ref;
  std::string path;  // folder inside the repository; "" or "." or "./deploy"
  std::map<std::string, std::string> secret;  // the Secret's data, decoded
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  bool allow_file = false;  // permit file:// URLs
  tree_limits limits;
  git_budget budget;
  // Called on the pool thread when the blocking work starts; the ticket is held until it ends
  // (the agent's /healthz watchdog: time queued for a thread does not count).
  std::function<busy_watch::ticket()> watch;
  // A remembered listing that started at or after this time (made with the same URL and Secret
  // data) answers instead of a new one; a commit it names that is not cached is still fetched.
  // The default lists anew every time.
  std::chrono::steady_clock::time_point listing_not_before = std::chrono::steady_clock::time_point::max();
};

// Requests cancellation of the operations it was given to; thread-safe.
class cancel_signal {
 public:
  void request();
  [[nodiscard]] bool requested() const { return flag_.load(); }

 private:
  std::atomic<bool> flag_{false};
};

// What a ref points at now, from a remote listing alone.
struct remote_revision {
  std::string commit;    // 40 hex; empty when only a fetch can tell (an annotated tag not cached yet)
  std::string revision;  // "main@sha1:<40 hex>"; empty when commit is
};

struct cache_stats {
  std::uint64_t listings = 0;  // remote listings made
  std::uint64_t listings_reused = 0;  // requests answered by a remembered listing instead
  std::uint64_t fetches = 0;   // fetches made (a cached commit costs none)
};

class source_cache {
 public:
  explicit source_cache(std::filesystem::path dir);
  ~source_cache();
  source_cache(const source_cache&) = delete;
  source_cache& operator=(const source_cache&) = delete;

  // Blocking: for the CLI, tests and the thread pool.
  result<snapshot> fetch(const source_spec& spec, std::shared_ptr<cancel_signal> cancel = {});

  // The cheap check for each interval: list the remote and resolve the ref, no fetch, no tree.
  // A controller compares the commit with the last one it applied and calls fetch only on change.
  result<remote_revision> poll(const source_spec& spec, std::shared_ptr<cancel_signal> cancel = {});

  // Runs `fetch` on `pool` and resumes the caller on its own executor. Cancelling the awaiting
  // coroutine (its cancellation slot) requests cancellation of the Git operation.
  // All async callers must run on one thread (the event loop): requests for a URL that is busy wait
  // their turn there, so they never hold a pool thread while another request uses that URL.
  boost::asio::awaitable<result<snapshot>> fetch_async(source_spec spec, boost::asio::thread_pool& pool);

  boost::asio::awaitable<result<remote_revision>> poll_async(source_spec spec, boost::asio::thread_pool& pool);

  // Forgets every URL not in `urls_in_use` (spec URLs): the tree kept in memory for it and its
  // folder on disk, also folders an earlier process left. Blocking (disk): for the thread pool.
  // Returns how many URLs were forgotten from memory.
  std::size_t release_unused(const std::set<std::string>& urls_in_use);

  [[nodiscard]] cache_stats stats() const;
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  struct repo_slot;
  struct listing;
  std::shared_ptr<repo_slot> slot_for(const std::string& cache_key);
  struct url_turns;
  class turn;
  boost::asio::awaitable<result<turn>> take_turn(const std::string& url);
  void end_turn(const std::string& cache_key);
  template <class T, class Blocking>
  boost::asio::awaitable<result<T>> in_turn(const source_spec& spec, boost::asio::thread_pool& pool, Blocking work);

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<repo_slot>> slots_;
  std::atomic<std::uint64_t> listings_{0}, listings_reused_{0}, fetches_{0};
  std::map<std::string, std::shared_ptr<url_turns>> turns_;  // event loop only
};

// One-shot convenience for the CLI: a cache in `cache_dir`, one blocking fetch.
result<snapshot> fetch_snapshot(const std::filesystem::path& cache_dir, const source_spec& spec);

}  // namespace gitopsd::git
