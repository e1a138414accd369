#include "gitopsd/core/error.hpp"

#include "gitopsd/core/errc.hpp"

#include <stdexcept>

namespace gitopsd {

std::string error::what() const { return message.empty() ? code.message() : message; }

error error::wrap(std::string_view context) const {
  std::string text(context);
  text += ": ";
  text += what();
  return {code, std::move(text)};
}

error make_error(boost::system::error_code code, std::string message) { return {code, std::move(message)}; }

void throw_exception_from_error(error const& e, boost::source_location const& loc) {
  throw std::logic_error(std::string("unchecked error at ") + loc.file_name() + ":" +
                         std::to_string(loc.line()) + ": " + e.what());
}

namespace core {
const char* describe(errc e) {
  switch (e) {
    case errc::invalid_duration: return "invalid duration";
    case errc::invalid_identity: return "invalid object identity";
    case errc::invalid_json: return "invalid JSON";
    case errc::missing_field: return "missing field";
    case errc::wrong_type: return "field has the wrong type";
  }
  return "unknown core error";
}
}  // namespace core

}  // namespace gitopsd
