#include "gitopsd/render/render_source.hpp"

#include "gitopsd/core/filtered_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/decrypt/decrypting_tree.hpp"
#include "gitopsd/render/errc.hpp"
#include "growth_guard.hpp"

#include <fmt/format.h>

namespace gitopsd::render {

result<std::vector<manifest>> render_source(const file_tree& tree, std::string_view path, const source_options& source,
                                            const options& opts) {
  try {
    auto rules = load_ignore_rules(tree, source.ignore, source.ignore_root);
    if (!rules) return make_error(errc::read_failed, fmt::format("ignore rules: {}", rules.error().what()));
    decrypt::decrypting_tree readable(tree, source.decryption.get(), opts.yaml);
    // The listings happen inside render(), whose time budget then covers the pattern matching.
    filtered_tree visible(readable, std::move(*rules), [](std::string_view entry) { detail::guard_time(entry); });
    if (!path.empty()) {
      if (auto entry = visible.stat(path); !entry)
        return make_error(errc::read_failed, fmt::format("path \"{}\": {}", path, entry.error().what()));
    }
    auto objects = render(visible, path, opts);
    // The build may have wrapped a decryption error in its own code: the message stays, the code
    // says decryption (a DecryptionFailed reason).
    if (!objects && readable.failure()) return error{readable.failure(), objects.error().what()};
    if (!objects) return objects;
    if (auto ok = substitute_objects(*objects, source.post_build, opts.yaml); !ok) return ok.error();
    if (!source.post_build.vars.empty()) {
      // Values may grow the objects: the build's byte budget holds for what is applied.
      if (auto going = check_time(opts, path); !going) return going.error();
      std::size_t bytes = 0;
      for (const auto& m : *objects)
        if ((bytes += json::measure(m.object).bytes) > opts.build.max_bytes)
          return make_error(errc::limit_exceeded, fmt::format("{}: after substitution the build yields more than {} bytes "
                                                              "of objects (limit max-render-bytes)", m.origin, opts.build.max_bytes));
    }
    return objects;
  } catch (const std::exception& e) {
    return make_error(errc::limit_exceeded, fmt::format("rendering \"{}\" failed: {}", path, e.what()));
  }
}

}  // namespace gitopsd::render
