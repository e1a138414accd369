#include "yaml_cpp_guard.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <string>

namespace gitopsd::render::detail {
namespace {

struct over_limit {
  std::string what;
};

class counter final : public YAML::EventHandler {
 public:
  explicit counter(std::size_t max_values) : max_values_(max_values) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { count(); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { count(); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { count(); }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count();
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { count(); }
  void OnMapEnd() override {}

 private:
  void count() {
    if (++values_ > max_values_) throw over_limit{fmt::format("more than {} values (limit max-yaml-values)", max_values_)};
  }
  std::size_t max_values_;
  std::size_t values_ = 0;
};

}  // namespace

std::optional<error> check_yaml_cpp_counts(std::string_view text, std::string_view file, const limits& lim) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  counter values(lim.max_nodes);
  std::size_t documents = 0;
  try {
    while (parser.HandleNextDocument(values))
      if (++documents > lim.max_documents)
        return make_error(errc::limit_exceeded, fmt::format("{}: more than {} documents in one file, empty ones "
                                                            "included (limit max-yaml-documents)", file, lim.max_documents));
  } catch (const over_limit& o) {
    return make_error(errc::limit_exceeded, fmt::format("{}: {}", file, o.what));
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace gitopsd::render::detail
