#include "gitopsd/verify/errc.hpp"

namespace gitopsd::verify {

const char* describe(errc e) {
  switch (e) {
    case errc::invalid_keys: return "invalid verification keys";
    case errc::unsigned_object: return "not signed";
    case errc::malformed: return "malformed signature";
    case errc::unknown_key: return "signed by an unknown key";
    case errc::bad_signature: return "signature does not verify";
    case errc::key_expired: return "signing key expired";
    case errc::key_revoked: return "signing key revoked";
    case errc::unsupported: return "unsupported signature";
    case errc::mismatch: return "signed tag does not match the revision";
    case errc::internal: return "verification failed internally";
  }
  return "unknown verification error";
}

}  // namespace gitopsd::verify
