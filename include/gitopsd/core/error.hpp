#pragma once
// The shared error vocabulary: a code (one enum and category per module) plus a message that says,
// for a person, what failed and where. Messages never carry secret data or request bodies.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace gitopsd {

struct error {
  boost::system::error_code code;
  std::string message;

  // The message, or the category's text when no message was given.
  [[nodiscard]] std::string what() const;
  // Adds a prefix naming the context ("apply Deployment/web: ").
  [[nodiscard]] error wrap(std::string_view context) const;
};

template <class T>
using result = boost::system::result<T, error>;

error make_error(boost::system::error_code code, std::string message = {});

// Called by result<T>::value() on an error; turns the error into an exception (a bug at that point).
[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& loc);

// Builds a category for a module's error enum from a name and a message function.
template <class Enum, const char* Name, const char* (*Message)(Enum)>
class enum_category final : public boost::system::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return Name; }
  [[nodiscard]] std::string message(int value) const override { return Message(static_cast<Enum>(value)); }
  static const enum_category& instance() {
    static const enum_category category;
    return category;
  }
  // The error code of `e` in this category.
  static boost::system::error_code code(Enum e) { return {static_cast<int>(e), instance()}; }
};

}  // namespace gitopsd
