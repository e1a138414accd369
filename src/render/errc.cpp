#include "gitopsd/render/errc.hpp"

namespace gitopsd::render {

const char* describe(errc e) {
  switch (e) {
    case errc::invalid_yaml: return "invalid YAML";
    case errc::limit_exceeded: return "limit exceeded";
    case errc::duplicate_key: return "duplicate key";
    case errc::invalid_manifest: return "invalid manifest";
    case errc::read_failed: return "cannot read file";
    case errc::invalid_kustomization: return "invalid kustomization";
    case errc::unsupported: return "unsupported kustomize feature";
    case errc::conflict: return "conflicting objects";
    case errc::stopped: return "rendering stopped";
  }
  return "unknown render error";
}

}  // namespace gitopsd::render
