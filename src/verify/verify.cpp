#include "gitopsd/verify/verify.hpp"

#include "gitopsd/verify/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::verify {

std::optional<mode> parse_mode(std::string_view text) {
  if (text == "HEAD") return mode::head;
  if (text == "Tag") return mode::tag;
  if (text == "TagAndHEAD") return mode::tag_and_head;
  return std::nullopt;
}

const char* to_string(mode m) {
  switch (m) {
    case mode::head: return "HEAD";
    case mode::tag: return "Tag";
    case mode::tag_and_head: return "TagAndHEAD";
  }
  return "HEAD";
}

result<key_set> parse_key_set(const std::map<std::string, std::string>& data, std::string_view source) {
  key_set out;
  for (const auto& [name, value] : data) {
    std::string where = fmt::format("{} key {}", source, name);
    if (name.ends_with(".pub")) {
      auto keys = parse_authorized_keys(value, where);
      if (!keys) return keys.error();
      if (keys->empty()) return make_error(errc::invalid_keys, fmt::format("{} holds no SSH public key", where));
      for (auto& k : *keys) out.ssh.push_back(std::move(k));
    } else if (name.ends_with(".asc")) {
      if (value.find("PRIVATE KEY") != std::string::npos)
        return make_error(errc::invalid_keys, fmt::format("{} holds a private key; only public keys belong here", where));
      if (value.find("-----BEGIN PGP PUBLIC KEY BLOCK-----") == std::string::npos)
        return make_error(errc::invalid_keys, fmt::format("{} is not an armored OpenPGP public key", where));
      out.openpgp.push_back({name, value});
    }
  }
  if (out.empty())
    return make_error(errc::invalid_keys, fmt::format("{} holds no key ending in .asc (OpenPGP) or .pub (SSH)", source));
  return out;
}

result<std::string> verify_object(const signed_object& object, const key_set& keys) {
  std::string what = describe(object);
  const std::string& sig = object.signature;
  if (!object.problem.empty()) return make_error(errc::malformed, fmt::format("{}: {}", what, object.problem));
  if (sig.empty()) return make_error(errc::unsigned_object, fmt::format("{} is not signed", what));
  if (sig.starts_with("-----BEGIN SSH SIGNATURE-----")) {
    auto parsed = parse_sshsig(sig);
    if (!parsed) return parsed.error().wrap(what);
    auto fp = verify_sshsig(*parsed, object.payload, keys.ssh, what);
    if (!fp) return fp.error();
    return "SSH " + *fp;
  }
  if (sig.starts_with("-----BEGIN PGP SIGNATURE-----")) {
    if (keys.openpgp.empty())
      return make_error(errc::unknown_key, fmt::format("{} has an OpenPGP signature but no OpenPGP (.asc) key is trusted", what));
    auto fp = verify_openpgp(sig, object.payload, keys.openpgp, what);
    if (!fp) return fp.error();
    return "OpenPGP " + *fp;
  }
  return make_error(errc::unsupported, fmt::format("{} carries a signature that is neither OpenPGP nor SSH (X.509 is not supported)", what));
}

result<std::string> verify_revision(mode m, const revision_objects& objects, const key_set& keys) {
  std::vector<std::string> by;
  if (m == mode::tag || m == mode::tag_and_head) {
    if (!objects.tag)
      return make_error(errc::unsigned_object,
                        "spec.verify.mode Tag needs an annotated tag selected by ref.tag or ref.semver, and the ref names none");
    // A good signature on another tag proves nothing about this revision: the tag must lead to
    // the commit applied and carry the name the ref selected (no replay of an old release's tag).
    const signed_object& tag = *objects.tag;
    if (!objects.commit || tag.target != objects.commit->id)
      return make_error(errc::mismatch, fmt::format("{} leads to commit {}, not to the commit applied {}", describe(tag),
                                                    tag.target.substr(0, 12),
                                                    objects.commit ? objects.commit->id.substr(0, 12) : std::string("?")));
    if (!objects.tag_ref.empty() && tag.name != objects.tag_ref)
      return make_error(errc::mismatch, fmt::format("{} was selected as tag {}: a signed tag must carry the name it is selected by",
                                                    describe(tag), objects.tag_ref));
    auto who = verify_object(tag, keys);
    if (!who) return who.error();
    by.push_back(fmt::format("{} by {}", describe(tag), *who));
  }
  if (m == mode::head || m == mode::tag_and_head) {
    if (!objects.commit) return make_error(errc::internal, "no commit to verify");
    auto who = verify_object(*objects.commit, keys);
    if (!who) return who.error();
    by.push_back(fmt::format("{} by {}", describe(*objects.commit), *who));
  }
  return fmt::format("{}", fmt::join(by, "; "));
}

}  // namespace gitopsd::verify
