// age v1 files: unwrapping the file key from X25519 stanzas, the header MAC, and the whole-file
// encrypt/decrypt built on the header, payload and armor parts.
#include "gitopsd/decrypt/age.hpp"

#include "age_armor.hpp"
#include "age_base64.hpp"
#include "age_crypto.hpp"
#include "age_header.hpp"
#include "age_keys.hpp"
#include "age_payload.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace gitopsd::decrypt {
namespace {

using namespace detail;

constexpr std::string_view x25519_label = "age-encryption.org/v1/X25519";
constexpr std::size_t wrapped_key_size = 16 + 16;  // file key + tag

// The largest encrypted file that can hold `max_plaintext` bytes: a full header, the payload
// nonce and every chunk's tag (saturating, so a huge limit means no limit).
std::size_t max_file_size(std::size_t max_plaintext) {
  constexpr std::size_t limit = std::numeric_limits<std::size_t>::max();
  constexpr std::size_t per_chunk = chunk_size + 16;
  std::size_t chunks = max_plaintext / chunk_size + 1;
  if (chunks > (limit - max_header_size - 16) / per_chunk) return limit;
  return max_header_size + 16 + chunks * per_chunk;
}

result<key32> wrap_key(const key32& shared, std::string_view share, const std::array<unsigned char, 32>& recipient) {
  std::string salt(share);
  salt.append(reinterpret_cast<const char*>(recipient.data()), recipient.size());
  return hkdf_sha256(shared.view(), salt, x25519_label);
}

// The file key if `id` opens stanza `s`, nullopt if it is for another key, an error if malformed.
result<std::optional<file_key>> unwrap(const age_identity& id, const stanza& s, std::size_t index) {
  auto bad = [&](std::string_view why) {
    return make_error(errc::malformed, fmt::format("X25519 stanza {}: {}", index + 1, why));
  };
  if (s.args.size() != 1) return bad("wants exactly one argument");
  auto share = base64_decode(s.args[0], false);
  if (!share || share->size() != 32) return bad("share is not 32 bytes of canonical base64");
  if (s.body.size() != wrapped_key_size) return bad("wrapped file key is not 32 bytes");
  key32 secret;
  secret.bytes = id.secret;
  auto shared = x25519_shared(secret, *share);
  if (!shared) return bad("share is a low-order point");
  auto ours = parse_recipient(id.recipient);
  if (!ours) return ours.error();
  auto key = wrap_key(*shared, *share, *ours);
  if (!key) return key.error();
  std::string plain;
  auto opened = aead_open(*key, nonce12{}, s.body, plain);
  if (!opened) return opened.error();
  if (!*opened) return std::optional<file_key>();
  file_key out;
  std::copy(plain.begin(), plain.end(), out.bytes.begin());
  wipe(plain);
  return std::optional<file_key>(out);
}

result<std::array<unsigned char, 32>> header_mac(const file_key& key, std::string_view header_text) {
  auto mac_key = hkdf_sha256(key.view(), {}, "header");
  if (!mac_key) return mac_key.error();
  return hmac_sha256(*mac_key, header_text);
}

result<stanza> wrap_for(const file_key& key, std::string_view recipient_text, std::size_t index) {
  auto recipient = parse_recipient(recipient_text);
  if (!recipient) return recipient.error().wrap(fmt::format("recipient {}: ", index + 1));
  key32 ephemeral;
  if (!random_fill(ephemeral.bytes.data(), ephemeral.bytes.size()))
    return make_error(errc::internal, "random number generator failed");
  auto share = x25519_public(ephemeral);
  if (!share) return share.error();
  std::string share_bytes(reinterpret_cast<const char*>(share->data()), share->size());
  auto shared = x25519_shared(ephemeral, std::string_view(reinterpret_cast<const char*>(recipient->data()), 32));
  if (!shared) return make_error(errc::invalid_recipient, fmt::format("recipient {}: a low-order point", index + 1));
  auto wrap = wrap_key(*shared, share_bytes, *recipient);
  if (!wrap) return wrap.error();
  auto body = aead_seal(*wrap, nonce12{}, key.view());
  if (!body) return body.error();
  return stanza{"X25519", {base64_encode(share_bytes, false)}, std::move(*body)};
}

}  // namespace

result<std::string> age_decrypt(std::string_view file, const std::vector<age_identity>& ids,
                                std::size_t max_plaintext) {
  const auto max_file = max_file_size(max_plaintext);
  std::string dearmored;
  if (is_armored(file)) {
    auto binary = dearmor(file, max_file);
    if (!binary) return binary.error();
    dearmored = std::move(*binary);
    file = dearmored;
  }
  if (file.size() > max_file)
    return make_error(errc::too_large, "the encrypted file is larger than its plaintext limit allows");
  auto hdr = parse_header(file);
  if (!hdr) return hdr.error();

  std::size_t x25519_count = 0;
  for (const auto& s : hdr->stanzas) {
    if (s.type == "scrypt" && hdr->stanzas.size() != 1)
      return make_error(errc::malformed, "an scrypt stanza must be the only stanza");
    if (s.type == "X25519") ++x25519_count;
  }
  if (x25519_count == 0) return make_error(errc::no_identity, "the file has no X25519 recipient");

  std::optional<file_key> key;
  for (const auto& id : ids) {
    for (std::size_t i = 0; i < hdr->stanzas.size() && !key; ++i) {
      if (hdr->stanzas[i].type != "X25519") continue;
      auto unwrapped = unwrap(id, hdr->stanzas[i], i);
      if (!unwrapped) return unwrapped.error();
      key = std::move(*unwrapped);
    }
    if (key) break;
  }
  if (!key)
    return make_error(errc::no_identity, fmt::format("no identity matches any of the file's {} X25519 recipient{}",
                                                     x25519_count, x25519_count == 1 ? "" : "s"));

  auto mac = header_mac(*key, file.substr(0, hdr->mac_input_size));
  if (!mac) return mac.error();
  if (CRYPTO_memcmp(mac->data(), hdr->mac.data(), mac->size()) != 0)
    return make_error(errc::bad_mac, "header MAC does not verify");
  return decrypt_payload(*key, file.substr(hdr->payload_offset), max_plaintext);
}

result<std::string> age_encrypt(std::string_view plaintext, const std::vector<std::string>& recipients, bool armor) {
  if (recipients.empty()) return make_error(errc::invalid_recipient, "no recipients");
  if (recipients.size() > max_stanzas) return make_error(errc::invalid_recipient, "more than 100 recipients");
  file_key key;
  if (!random_fill(key.bytes.data(), key.bytes.size()))
    return make_error(errc::internal, "random number generator failed");
  std::vector<stanza> stanzas;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    auto s = wrap_for(key, recipients[i], i);
    if (!s) return s.error();
    stanzas.push_back(std::move(*s));
  }
  auto text = format_header(stanzas);
  auto mac = header_mac(key, text);
  if (!mac) return mac.error();
  text += " " + base64_encode(std::string_view(reinterpret_cast<const char*>(mac->data()), mac->size()), false) + "\n";
  auto payload = encrypt_payload(key, plaintext);
  if (!payload) return payload.error();
  text += *payload;
  return armor ? detail::armor(text) : text;
}

}  // namespace gitopsd::decrypt
