// A single pass over the characters, with the little state a YAML scanner needs to know where
// tokens start: flow nesting, quoted and block scalars, comments, and the stack of block
// collection columns that decides whether a line continues a plain scalar (as libyaml, which
// go-yaml v2 ports, keeps it).
#include "yaml_prescan.hpp"

#include <string_view>
#include <vector>

namespace gitopsd::render::detail {
namespace {

bool blank_or_end(std::string_view text, std::size_t i) {
  return i >= text.size() || text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t';
}

class scanner {
 public:
  explicit scanner(std::string_view text) : text_(text) {}

  std::optional<prescan_finding> run() {
    while (i_ < text_.size()) {
      if (auto f = step()) return f;
    }
    return std::nullopt;
  }

 private:
  std::optional<prescan_finding> found(std::string what) const { return prescan_finding{line_, col_, std::move(what)}; }

  void advance(std::size_t n) {
    for (std::size_t k = 0; k < n && i_ < text_.size(); ++k, ++i_) {
      if (text_[i_] == '\n') ++line_, col_ = 1;
      else ++col_;
    }
  }

  void skip_to_line_end() {
    while (i_ < text_.size() && text_[i_] != '\n') advance(1);
  }

  // libyaml's roll_indent: a block collection starting at `column` deeper than the current one.
  void roll(long column) {
    if (column > indents_.back()) indents_.push_back(column);
  }

  // At a line break inside a plain scalar: true (and positioned on the next line's first character)
  // when that line continues the scalar, being indented deeper than the scalar's collection.
  bool continue_plain() {
    std::size_t j = i_;
    std::size_t n = 0;
    while (j < text_.size()) {
      if (text_[j] == ' ' || text_[j] == '\t') {
        ++j, ++n;
      } else if (text_[j] == '\n' || text_[j] == '\r') {
        ++j, n = 0;  // blank lines fold into the scalar
      } else {
        break;
      }
    }
    if (j >= text_.size() || text_[j] == '#' || static_cast<long>(n) <= plain_indent_) return false;
    std::string_view rest = text_.substr(j);
    if (n == 0 && (rest.starts_with("---") || rest.starts_with("...")) && blank_or_end(text_, j + 3)) return false;
    advance(j - i_);
    return true;
  }

  std::optional<prescan_finding> quoted() {
    char q = text_[i_];
    advance(1);
    while (i_ < text_.size()) {
      if (q == '"' && text_[i_] == '\\') {
        if (i_ + 1 < text_.size() && text_[i_ + 1] == '/') return found("found unknown escape character \\/");
        advance(2);
        continue;
      }
      if (text_[i_] == q) {
        if (q == '\'' && i_ + 1 < text_.size() && text_[i_ + 1] == '\'') {
          advance(2);
          continue;
        }
        advance(1);
        break;
      }
      advance(1);
    }
    token_start_ = false;
    flow_last_ = 'x';
    if (flow_ == 0) after_value_ = true;
    return std::nullopt;
  }

  std::optional<prescan_finding> in_flow(char c) {
    if (c == '[' || c == '{') {
      ++flow_;
      flow_last_ = '[';
    } else if (c == ']' || c == '}') {
      --flow_;
      flow_last_ = 'x';
    } else if (c == ',') {
      if (flow_last_ == '[' || flow_last_ == ',') return found("did not find expected node content");
      flow_last_ = ',';
    } else {
      flow_last_ = 'x';
    }
    advance(1);
    if (flow_ == 0) {
      token_start_ = false;
      after_value_ = true;
    }
    return std::nullopt;
  }

  void block_scalar() {
    // Skip the rest of this line and every following line indented deeper.
    std::size_t indent = line_indent_;
    skip_to_line_end();
    while (i_ < text_.size()) {
      std::size_t j = i_ + 1, n = 0;
      while (j < text_.size() && text_[j] == ' ') ++j, ++n;
      bool blank = j >= text_.size() || text_[j] == '\n' || text_[j] == '\r';
      if (!blank && n <= indent) break;
      advance(1);
      skip_to_line_end();
    }
  }

  std::optional<prescan_finding> step() {
    char c = text_[i_];
    if (c == '\n') {
      advance(1);
      at_line_start_ = true;
      line_indent_ = 0;
      if (in_plain_ && flow_ == 0 && continue_plain()) {
        at_line_start_ = false;
        return std::nullopt;
      }
      in_plain_ = false;
      token_start_ = true;
      after_value_ = false;
      return std::nullopt;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      if (at_line_start_) ++line_indent_;
      advance(1);
      if (i_ < text_.size() && text_[i_] == '#') {  // a comment, which also ends a plain scalar
        skip_to_line_end();
        in_plain_ = false;
      }
      return std::nullopt;
    }
    bool first_on_line = at_line_start_;
    at_line_start_ = false;
    long column = static_cast<long>(col_) - 1;
    if (first_on_line && column == 0 && c == '%')
      return found("directives (%YAML, %TAG) are not supported: kubectl refuses them");
    if (first_on_line && flow_ == 0) {
      while (indents_.back() > column) indents_.pop_back();
    }
    if (c == '#' && (first_on_line || token_start_)) {
      skip_to_line_end();
      return std::nullopt;
    }
    if ((c == '"' || c == '\'') && (token_start_ || flow_ > 0)) {
      token_col_ = column;
      return quoted();
    }
    if (flow_ > 0) return in_flow(c);
    if (!token_start_) {
      // After the document's own value (no block collection holds it): go-yaml ignores the rest of
      // the document, yaml-cpp 0.7 makes an empty document of each ',' forever.
      if (c == ',' && after_value_ && indents_.back() < 0)
        return found("',' after the document's value: kubectl ignores the rest of the document, gitopsd refuses it");
      // Inside a plain scalar or after a quoted one: ": " makes what came before a key.
      if (c == ':' && blank_or_end(text_, i_ + 1)) {
        token_start_ = true;
        after_value_ = false;
        in_plain_ = false;
        roll(token_col_);
      }
      advance(1);
      return std::nullopt;
    }
    // c begins a token.
    token_col_ = column;
    if (c == ',') return found("did not find expected node content");
    if (c == '[' || c == '{') {
      ++flow_;
      flow_last_ = '[';
      advance(1);
      return std::nullopt;
    }
    if (c == '|' || c == '>') {
      block_scalar();
      return std::nullopt;
    }
    if ((c == '-' || c == '?' || c == ':') && blank_or_end(text_, i_ + 1)) {
      if (c != ':') roll(column);
      advance(1);
      return std::nullopt;  // still at a token start
    }
    if (first_on_line && text_.substr(i_, 3) == "---" && blank_or_end(text_, i_ + 3)) {
      indents_.assign(1, -1);
      advance(3);
      return std::nullopt;
    }
    if (c == '&' || c == '!' || c == '*') {  // anchor, tag or alias: a token of its own
      // yaml-cpp ends these at a ',' and then loops on it; go-yaml refuses the ',' after an anchor.
      while (i_ < text_.size() && text_[i_] != ' ' && text_[i_] != '\n') {
        if (text_[i_] == ',') return found("did not find expected node content");
        advance(1);
      }
      return std::nullopt;
    }
    token_start_ = false;
    in_plain_ = true;
    plain_indent_ = indents_.back();
    advance(1);
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t i_ = 0, line_ = 1, col_ = 1;
  std::size_t line_indent_ = 0;
  bool token_start_ = true;  // the next non-space character begins a token
  bool after_value_ = false;  // a quoted scalar or flow collection outside any flow just ended
  bool at_line_start_ = true;
  int flow_ = 0;
  char flow_last_ = '[';  // the last flow indicator or 'x' for content: an entry may not be empty
  std::vector<long> indents_{-1};
  long token_col_ = 0;  // 0-based column where the current token began: the key's, if ": " follows
  bool in_plain_ = false;
  long plain_indent_ = -1;  // the column of the collection holding the current plain scalar
};

}  // namespace

std::optional<prescan_finding> prescan_yaml(std::string_view text) { return scanner(text).run(); }

}  // namespace gitopsd::render::detail
