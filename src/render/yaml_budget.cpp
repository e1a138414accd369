#include "yaml_budget.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>
#include <yaml.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace gitopsd::render::detail {
namespace {

struct extent {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

class event_parser {
 public:
  explicit event_parser(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~event_parser() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  event_parser(const event_parser&) = delete;
  event_parser& operator=(const event_parser&) = delete;

  // The next event, or nullptr on a syntax error.
  const yaml_event_t* next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_ ? &event_ : nullptr;
  }
  const yaml_parser_t& state() const { return parser_; }

 private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

std::string anchor_of(const unsigned char* a) { return a == nullptr ? std::string() : reinterpret_cast<const char*>(a); }

}  // namespace

std::optional<error> check_yaml_budget(std::string_view text, std::string_view file, const limits& lim) {
  event_parser parser(text);
  struct open_collection {
    std::string anchor;
    extent at_start;
  };
  std::vector<open_collection> open;
  std::unordered_map<std::string, extent> anchors;
  extent total;
  std::size_t documents = 0;
  auto over = [&](const yaml_mark_t& m, std::string what) {
    return make_error(errc::limit_exceeded, fmt::format("{}:{}:{}: {}", file, m.line + 1, m.column + 1, what));
  };
  auto check = [&](const yaml_mark_t& m) -> std::optional<error> {
    if (total.nodes > lim.max_nodes)
      return over(m, fmt::format("more than {} values in one file, aliases expanded (limit max-yaml-values)",
                                 lim.max_nodes));
    if (total.bytes > lim.max_bytes)
      return over(m, fmt::format("more than {} bytes of text in one file, aliases expanded (limit max-yaml-text-bytes)",
                                 lim.max_bytes));
    return std::nullopt;
  };
  while (const yaml_event_t* e = parser.next()) {
    switch (e->type) {
      case YAML_STREAM_END_EVENT: return std::nullopt;
      case YAML_DOCUMENT_START_EVENT:
        if (++documents > lim.max_documents)
          return over(e->start_mark, fmt::format("more than {} documents in one file, empty ones included (limit "
                                                 "max-yaml-documents)", lim.max_documents));
        anchors.clear();  // anchors are scoped to their document
        break;
      case YAML_SCALAR_EVENT: {
        extent own{1, e->data.scalar.length};
        total.nodes += own.nodes;
        total.bytes += own.bytes;
        if (e->data.scalar.anchor != nullptr) anchors[anchor_of(e->data.scalar.anchor)] = own;
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        ++total.nodes;
        // The root is level 0, as the decoder counts.
        if (open.size() > lim.max_depth)
          return over(e->start_mark, fmt::format("nesting deeper than {} (limit max-yaml-depth)", lim.max_depth));
        const unsigned char* anchor = e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor
                                                                            : e->data.mapping_start.anchor;
        open.push_back({anchor_of(anchor), total});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open.empty()) {
          auto& top = open.back();
          if (!top.anchor.empty())
            anchors[top.anchor] = {total.nodes - top.at_start.nodes + 1, total.bytes - top.at_start.bytes};
          open.pop_back();
        }
        break;
      case YAML_ALIAS_EVENT:
        // An alias repeats its anchor's whole value wherever it is used (and the decoder copies it).
        if (auto it = anchors.find(anchor_of(e->data.alias.anchor)); it != anchors.end()) {
          total.nodes += it->second.nodes;
          total.bytes += it->second.bytes;
        } else {
          ++total.nodes;
        }
        break;
      default: break;
    }
    if (auto err = check(e->start_mark)) return err;
  }
  // A syntax error here: the decoder reports it in its words. yaml-cpp accepts a few things libyaml
  // refuses, though, and then reads on: every value costs it at least one byte of input, so what
  // follows the error is bounded by its size. The one input known to break that is a ',' where a
  // document would start, after the last one's value: yaml-cpp 0.7 reads an empty document there
  // and stays on the ',' forever. The prescan refuses it too, but a quote inside a plain scalar can
  // mislead its simpler reading; libyaml's (0.2, whose message this matches) is the real one.
  const yaml_parser_t& st = parser.state();
  std::size_t at = st.problem_mark.index;
  if (st.problem != nullptr && std::string_view(st.problem) == "did not find expected <document start>" &&
      at < text.size() && text[at] == ',')
    return make_error(errc::invalid_yaml, fmt::format("{}:{}:{}: ',' after the document's value: kubectl ignores the "
                                                      "rest of the document, gitopsd refuses it",
                                                      file, st.problem_mark.line + 1, st.problem_mark.column + 1));
  if (at <= text.size() && text.size() - at > lim.max_nodes)
    return make_error(errc::invalid_yaml, fmt::format("{}:{}:{}: {}", file, st.problem_mark.line + 1,
                                                      st.problem_mark.column + 1, st.problem ? st.problem : "syntax error"));
  return std::nullopt;
}

}  // namespace gitopsd::render::detail
