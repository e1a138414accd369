#include "gitopsd/render/build_command.hpp"

#include <ostream>

namespace gitopsd::render {

std::pair<std::filesystem::path, std::string> build_root(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path full = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
  std::filesystem::path root = full;
  while (true) {
    if (std::filesystem::exists(root / ".git", ec)) break;
    if (!root.has_relative_path()) break;  // reached "/"
    root = root.parent_path();
  }
  return {root, std::filesystem::relative(full, root, ec).generic_string() == "." ? std::string()
                                                                                  : std::filesystem::relative(full, root, ec).generic_string()};
}

int run_build(const file_tree& tree, std::string_view path, output_format format, std::ostream& out, std::ostream& err,
              const options& opts, const source_options& source) {
  auto objects = render_source(tree, path, source, opts);
  if (!objects) {
    err << "error: " << objects.error().what() << "\n";
    return 1;
  }
  out << (format == output_format::json ? to_json_list(*objects) : to_yaml_stream(*objects));
  return 0;
}

}  // namespace gitopsd::render
