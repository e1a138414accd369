#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format. Owned by the event loop thread; no locking.

#include <map>
#include <string>
#include <vector>

namespace gitopsd::server {

using labels = std::vector<std::pair<std::string, std::string>>;

class metrics {
 public:
  void describe(const std::string& name, const std::string& type, const std::string& help);
  void add(const std::string& name, const labels& l, double value = 1);  // counter
  void set(const std::string& name, const labels& l, double value);      // gauge
  void observe(const std::string& name, const labels& l, double value);  // histogram (seconds)
  void remove(const std::string& name, const labels& l);                 // a series that no longer exists
  // Every series of every family whose labels include all of `subset` (a deleted GitRepository's).
  void remove_matching(const labels& subset);

  [[nodiscard]] double value(const std::string& name, const labels& l) const;
  [[nodiscard]] std::string render() const;

  static const std::vector<double>& buckets();

 private:
  struct histogram {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct family {
    std::string type = "untyped";
    std::string help;
    std::map<labels, double> values;
    std::map<labels, histogram> histograms;
  };
  std::map<std::string, family> families_;
};

// Escapes a label value for the text format.
std::string escape_label(std::string_view value);

// The agent's metric families, described once.
void describe_agent_metrics(metrics& m);

}  // namespace gitopsd::server
