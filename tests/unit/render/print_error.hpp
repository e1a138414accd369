#pragma once
// Lets Catch2 print a result<T> in assertions (boost's own printer needs printable values).
#include "gitopsd/core/error.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, gitopsd::error>> {
  static std::string convert(const boost::system::result<T, gitopsd::error>& r) {
    return r.has_value() ? std::string("ok") : "error: " + r.error().what();
  }
};
}  // namespace Catch
