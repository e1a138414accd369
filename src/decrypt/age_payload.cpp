#include "age_payload.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt::detail {
namespace {

constexpr std::size_t nonce_size = 16;
constexpr std::size_t tag_size = 16;
constexpr std::size_t sealed_chunk_size = chunk_size + tag_size;

// 11-byte big-endian chunk counter, then the last-chunk flag.
nonce12 chunk_nonce(std::uint64_t counter, bool last) {
  nonce12 n{};
  for (std::size_t i = 0; i < 8; ++i) n[10 - i] = static_cast<unsigned char>((counter >> (8 * i)) & 0xff);
  n[11] = last ? 1 : 0;
  return n;
}

result<key32> payload_key(const file_key& key, std::string_view nonce) {
  return hkdf_sha256(key.view(), nonce, "payload");
}

error bad_chunk(std::uint64_t index, std::string_view why) {
  return make_error(errc::bad_payload, fmt::format("payload chunk {} {}", index, why));
}

}  // namespace

result<std::string> decrypt_payload(const file_key& key, std::string_view payload, std::size_t max_plaintext) {
  if (payload.size() < nonce_size) return make_error(errc::bad_payload, "payload is truncated before its nonce");
  auto stream_key = payload_key(key, payload.substr(0, nonce_size));
  if (!stream_key) return stream_key.error();
  auto chunks = payload.substr(nonce_size);

  std::string out, chunk;
  auto fail = [&](error e) {
    wipe(out);
    return e;
  };
  for (std::uint64_t index = 0;; ++index) {
    if (chunks.size() < tag_size)
      return fail(chunks.empty() ? bad_chunk(index, "is missing: the file ends without a final chunk")
                                 : bad_chunk(index, "is truncated"));
    auto sealed = chunks.substr(0, std::min(chunks.size(), sealed_chunk_size));
    bool more = chunks.size() > sealed.size();
    if (out.size() + (sealed.size() - tag_size) > max_plaintext)
      return fail(make_error(errc::too_large, fmt::format("plaintext is larger than {} bytes", max_plaintext)));

    // A full chunk followed by more data is not the last; a short one or the end of input must be.
    auto opened = aead_open(*stream_key, chunk_nonce(index, !more), sealed, chunk);
    if (!opened) return fail(opened.error());
    if (!*opened) {
      // Name the cut or extension when the chunk authenticates with the other mark.
      auto other = sealed.size() == sealed_chunk_size ? aead_open(*stream_key, chunk_nonce(index, more), sealed, chunk)
                                                      : result<bool>(false);
      wipe(chunk);
      if (other && *other)
        return fail(more ? bad_chunk(index, "is the final chunk but data follows it")
                         : bad_chunk(index, "is not final: the file is truncated"));
      return fail(bad_chunk(index, "does not authenticate"));
    }
    if (!more && chunk.empty() && index > 0) return fail(bad_chunk(index, "is an empty final chunk"));
    out += chunk;
    wipe(chunk);
    if (!more) return out;
    chunks.remove_prefix(sealed.size());
  }
}

result<std::string> encrypt_payload(const file_key& key, std::string_view plaintext) {
  std::string out(nonce_size, '\0');
  if (!random_fill(reinterpret_cast<unsigned char*>(out.data()), nonce_size))
    return make_error(errc::internal, "random number generator failed");
  auto stream_key = payload_key(key, out);
  if (!stream_key) return stream_key.error();
  std::uint64_t index = 0;
  do {
    auto part = plaintext.substr(0, chunk_size);
    plaintext.remove_prefix(part.size());
    auto sealed = aead_seal(*stream_key, chunk_nonce(index++, plaintext.empty()), part);
    if (!sealed) return sealed.error();
    out += *sealed;
  } while (!plaintext.empty());
  return out;
}

}  // namespace gitopsd::decrypt::detail
