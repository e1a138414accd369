#include "gitopsd/verify/signed_object.hpp"

#include <fmt/format.h>

#include <array>

namespace gitopsd::verify {

std::string describe(const signed_object& o) {
  std::string short_id = o.id.substr(0, 12);
  if (o.kind == signed_object::type::tag) return fmt::format("tag {} ({})", o.name, short_id);
  return fmt::format("commit {}", short_id);
}

namespace {

constexpr std::array<std::string_view, 3> starts = {"-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----",
                                                    "-----BEGIN SIGNED MESSAGE-----"};

bool starts_block(std::string_view line) {
  for (auto s : starts)
    if (line.starts_with(s)) return true;
  return false;
}

bool is_signature_header(std::string_view key) { return key == "gpgsig" || key == "gpgsig-sha256"; }

}  // namespace

commit_parts split_commit_signature(std::string_view raw) {
  commit_parts out;
  auto note = [&](std::string why) {
    if (out.problem.empty()) out.problem = std::move(why);
  };
  bool in_header = true;
  bool dropping = false;    // continuation lines of a removed header follow
  bool collecting = false;  // ... and they belong to the signature
  int gpgsig = 0;
  int gpgsig_sha256 = 0;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto nl = raw.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, end - pos);  // with its newline
    std::string_view text = line.ends_with('\n') ? line.substr(0, line.size() - 1) : line;
    pos = end;
    if (!in_header) {
      auto key = text.substr(0, text.find(' '));
      if (starts_block(text) || (is_signature_header(key) && key.size() < text.size()))
        note("its message holds a line that starts a signature or a gpgsig header; only the gpgsig header may sign");
      out.payload += line;
      continue;
    }
    if (text.empty()) {  // the end of the header
      in_header = false;
      out.payload += line;
      continue;
    }
    if (text.front() == ' ') {  // continuation of the header before
      if (collecting) {
        out.signature += text.substr(1);
        out.signature += '\n';
      }
      if (!dropping) out.payload += line;
      continue;
    }
    auto key = text.substr(0, text.find(' '));
    dropping = collecting = false;
    if (is_signature_header(key)) {
      if (++(key == "gpgsig" ? gpgsig : gpgsig_sha256) > 1) note(fmt::format("it carries more than one {} header", key));
      dropping = true;
      if (key == "gpgsig") {
        collecting = true;
        if (key.size() + 1 >= text.size()) note("its gpgsig header is empty");
        else out.signature = std::string(text.substr(key.size() + 1)) + '\n';
      }
      continue;
    }
    if (starts_block(text)) note("a header line starts a signature outside the gpgsig header");
    out.payload += line;
  }
  return out;
}

tag_parts split_tag_signature(std::string_view raw) {
  // Scan line starts from the front; the last block start wins (a message may quote one).
  std::size_t found = std::string_view::npos;
  std::size_t line = 0;
  while (line < raw.size()) {
    auto rest = raw.substr(line);
    if (starts_block(rest)) found = line;
    auto nl = raw.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  if (found == std::string_view::npos) return {std::string(raw), {}};
  return {std::string(raw.substr(0, found)), std::string(raw.substr(found))};
}

}  // namespace gitopsd::verify
