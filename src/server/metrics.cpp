#include "gitopsd/server/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::server {
namespace {

std::string render_labels(const labels& l, const std::string& extra = {}) {
  if (l.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (i > 0) out += ",";
    out += fmt::format("{}=\"{}\"", l[i].first, escape_label(l[i].second));
  }
  if (!extra.empty()) out += (l.empty() ? "" : ",") + extra;
  return out + "}";
}

std::string number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)) && std::abs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

const std::vector<double>& metrics::buckets() {
  static const std::vector<double> b{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return b;
}

void metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  auto& f = families_[name];
  f.type = type;
  f.help = help;
}

void metrics::add(const std::string& name, const labels& l, double value) { families_[name].values[l] += value; }
void metrics::set(const std::string& name, const labels& l, double value) { families_[name].values[l] = value; }

void metrics::observe(const std::string& name, const labels& l, double value) {
  auto& h = families_[name].histograms[l];
  if (h.counts.empty()) h.counts.assign(buckets().size(), 0);
  auto it = std::lower_bound(buckets().begin(), buckets().end(), value);
  if (it != buckets().end()) ++h.counts[static_cast<std::size_t>(it - buckets().begin())];
  ++h.count;
  h.sum += value;
}

void metrics::remove(const std::string& name, const labels& l) {
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.values.erase(l);
  it->second.histograms.erase(l);
}

void metrics::remove_matching(const labels& subset) {
  auto matches = [&](const labels& l) {
    return std::all_of(subset.begin(), subset.end(), [&](const auto& kv) { return std::find(l.begin(), l.end(), kv) != l.end(); });
  };
  for (auto& [name, f] : families_) {
    std::erase_if(f.values, [&](const auto& item) { return matches(item.first); });
    std::erase_if(f.histograms, [&](const auto& item) { return matches(item.first); });
  }
}

double metrics::value(const std::string& name, const labels& l) const {
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(l);
  return v == it->second.values.end() ? 0 : v->second;
}

std::string metrics::render() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", name, f.help);
    out += fmt::format("# TYPE {} {}\n", name, f.type);
    for (const auto& [l, v] : f.values) out += fmt::format("{}{} {}\n", name, render_labels(l), number(v));
    for (const auto& [l, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < buckets().size(); ++i) {
        cumulative += h.counts[i];
        out += fmt::format("{}_bucket{} {}\n", name, render_labels(l, fmt::format("le=\"{}\"", number(buckets()[i]))),
                           cumulative);
      }
      out += fmt::format("{}_bucket{} {}\n", name, render_labels(l, "le=\"+Inf\""), h.count);
      out += fmt::format("{}_sum{} {}\n", name, render_labels(l), number(h.sum));
      out += fmt::format("{}_count{} {}\n", name, render_labels(l), h.count);
    }
  }
  return out;
}

void describe_agent_metrics(metrics& m) {
  m.describe("gitopsd_reconcile_duration_seconds", "histogram", "Time of one reconcile of a GitRepository.");
  m.describe("gitopsd_reconcile_total", "counter", "Reconciles by GitRepository and result.");
  m.describe("gitopsd_urgent_reconcile_wait_seconds", "histogram",
             "Time from the agent seeing a requested reconcile (requestedAt, a spec change, a webhook, drift, deletion, suspend or resume) to its start.");
  m.describe("gitopsd_ready", "gauge", "1 when the GitRepository is Ready, 0 otherwise.");
  m.describe("gitopsd_git_fetch_duration_seconds", "histogram", "Time to resolve and fetch a Git source.");
  m.describe("gitopsd_git_fetches_total", "counter", "Git fetches made (a commit already cached costs none).");
  m.describe("gitopsd_git_listings_total", "counter", "Remote ref listings made to poll Git sources.");
  m.describe("gitopsd_git_listings_reused_total", "counter",
             "Reconciles that used a recent ref listing of their URL and credentials instead of listing.");
  m.describe("gitopsd_objects_applied_total", "counter", "Objects applied, by action (created, configured).");
  m.describe("gitopsd_objects_pruned_total", "counter", "Objects deleted because Git no longer declares them.");
  m.describe("gitopsd_drift_corrections_total", "counter", "Objects changed in the cluster and restored from Git.");
  m.describe("gitopsd_api_requests_total", "counter", "Kubernetes API requests by verb and HTTP code.");
  m.describe("gitopsd_process_resident_memory_bytes", "gauge", "Resident set size of the process.");
  m.describe("gitopsd_process_cpu_seconds_total", "counter", "User and system CPU time of the process.");
}

}  // namespace gitopsd::server
