#pragma once
// A signed Git object as the verifier sees it: the signature block and the exact bytes it signs.
// Commits keep the signature in a `gpgsig` header, so the signed bytes are the object without that
// header; annotated tags append it to the message, so the signed bytes are the object up to the block.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::verify {

struct signed_object {
  enum class type { commit, tag };
  type kind = type::commit;
  std::string id;         // 40 hex
  std::string name;       // the tag's name; empty for a commit
  std::string signature;  // armored block; empty when unsigned
  std::string payload;    // the signed bytes
  std::string target;     // a tag: the commit it leads to, peeled locally (never the server's word)
  std::string problem;    // why the object's signature is ambiguous (never verifies); empty when it is not
};

// "commit 1a2b3c4" or "tag v1.0 (1a2b3c4)", for messages.
std::string describe(const signed_object& o);

// What a revision offers for verification: its commit, and the annotated tag when the ref
// selected one (absent for branches and lightweight tags).
struct revision_objects {
  std::optional<signed_object> commit;
  std::optional<signed_object> tag;
  std::string tag_ref;  // the tag name the ref selected ("v1.2.0"); a verified tag must carry it
};

struct tag_parts {
  std::string payload;
  std::string signature;  // empty when the tag carries none
};

struct commit_parts {
  std::string payload;
  std::string signature;  // the gpgsig header's value, continuation lines joined; empty when none
  std::string problem;    // set when the object could be read as signed in more than one way
};

// Splits a raw commit object as Git does: the signed bytes are the object with its `gpgsig` and
// `gpgsig-sha256` headers (and their continuation lines) removed, nothing else changed. Two gpgsig
// headers, or a line anywhere else that starts a signature block or a gpgsig header (in the
// message, say), make the commit ambiguous: `problem` says why and it must not verify.
commit_parts split_commit_signature(std::string_view raw);

// Splits a raw annotated tag object at its trailing signature block (OpenPGP or SSH), as Git
// does: the last line that starts such a block begins the signature.
tag_parts split_tag_signature(std::string_view raw);

}  // namespace gitopsd::verify
