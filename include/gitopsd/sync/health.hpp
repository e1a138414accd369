#pragma once
// Is an applied object healthy yet? kstatus-compatible rules for the built-in workload kinds, CRDs,
// PVCs and Services, and the Ready/Reconciling/Stalled conditions any other kind may report.

#include <rapidjson/document.h>

#include <string>

namespace gitopsd::sync {

enum class health_status { current, in_progress, failed };

struct health {
  health_status status;
  std::string message;  // why not current, for the HealthCheckFailed message
};

health assess_health(const rapidjson::Value& object);

const char* to_string(health_status s);

}  // namespace gitopsd::sync
