#include "gitopsd/core/version.hpp"

#include "gitopsd/build_info.hpp"

#include <boost/version.hpp>
#include <curl/curl.h>
#include <fmt/format.h>
#include <git2.h>

namespace gitopsd {

std::string version_report() {
  int major = 0, minor = 0, patch = 0;
  git_libgit2_version(&major, &minor, &patch);
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  bool http2 = (curl->features & CURL_VERSION_HTTP2) != 0;
  return fmt::format(
      "gitopsd {}\n"
      "commit: {}\n"
      "libgit2: {}.{}.{}\n"
      "libcurl: {} ({}, HTTP/2 {})\n"
      "boost: {}.{}.{}\n",
      build_info::version, build_info::git_commit, major, minor, patch, curl->version,
      curl->ssl_version != nullptr ? curl->ssl_version : "no TLS", http2 ? "yes" : "no", BOOST_VERSION / 100000,
      BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100);
}

}  // namespace gitopsd
