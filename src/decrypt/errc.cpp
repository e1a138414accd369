#include "gitopsd/decrypt/errc.hpp"

namespace gitopsd::decrypt {

const char* describe(errc e) {
  switch (e) {
    case errc::invalid_identity: return "invalid decryption identity";
    case errc::invalid_recipient: return "invalid encryption recipient";
    case errc::malformed: return "malformed encrypted file";
    case errc::no_identity: return "no identity can decrypt the file";
    case errc::bad_mac: return "encrypted data does not authenticate";
    case errc::bad_payload: return "encrypted payload does not authenticate";
    case errc::too_large: return "decrypted data too large";
    case errc::internal: return "decryption failed internally";
    case errc::unsupported: return "unsupported encryption feature";
  }
  return "unknown decryption error";
}

}  // namespace gitopsd::decrypt
