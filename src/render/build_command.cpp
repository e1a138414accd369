#include "gitopsd/render/build_command.hpp"

#include <ostream>

namespace gitopsd::render {

int run_build(const file_tree& tree, std::string_view path, output_format format, std::ostream& out, std::ostream& err,
              const options& opts) {
  auto objects = render(tree, path, opts);
  if (!objects) {
    err << "error: " << objects.error().what() << "\n";
    return 1;
  }
  out << (format == output_format::json ? to_json_list(*objects) : to_yaml_stream(*objects));
  return 0;
}

}  // namespace gitopsd::render
