#include "plan/volume_windows.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace baliza::plan {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

int day_number(Date d) {
  return static_cast<int>(sys_days{d}.time_since_epoch().count());
}
Date date_of(int n) {
  return Date{sys_days{days{n}}};
}
int length(const DateRange& w) {
  return day_number(w.last) - day_number(w.first) + 1;
}

// One day's expected records and the observed window they come from (nullptr: the rate).
struct DayVolume {
  double records = 0;
  const ObservedWindow* source = nullptr;
};

// Observed windows and records per day of one (endpoint, partition).
struct PartitionHistory {
  std::vector<const ObservedWindow*> observed;
  double rate = 0;
};

class Estimator {
 public:
  explicit Estimator(const VolumeHistory& history) {
    std::map<std::string, std::pair<double, double>> sums;  // records, days
    for (const ObservedWindow& w : history.observed) {
      const std::string key = w.endpoint + '\n' + w.partition;
      partitions_[key].observed.push_back(&w);
      auto& s = sums[key];
      s.first += static_cast<double>(w.records);
      s.second += length(w.window);
    }
    for (auto& [key, p] : partitions_) p.rate = sums[key].first / std::max(1.0, sums[key].second);
  }

  // Empty when the partition has no history at all.
  std::optional<DayVolume> day(const PartitionHistory* p, int day) const {
    if (p == nullptr) return std::nullopt;
    const ObservedWindow* best = nullptr;
    for (const ObservedWindow* w : p->observed) {
      if (day < day_number(w->window.first) || day > day_number(w->window.last)) continue;
      if (best == nullptr || length(w->window) < length(best->window)) best = w;
    }
    if (best == nullptr) return DayVolume{p->rate, nullptr};
    return DayVolume{static_cast<double>(best->records) / length(best->window), best};
  }

  const PartitionHistory* partition(const std::string& endpoint,
                                    const std::string& partition) const {
    const auto it = partitions_.find(endpoint + '\n' + partition);
    return it == partitions_.end() ? nullptr : &it->second;
  }

  // Expected records of `w`, and how well they are known.
  TaskEstimate window(const PartitionHistory* p, const DateRange& w, int page_size) const {
    TaskEstimate e;
    if (p == nullptr) {
      e.requests = 1;  // at least page 1
      return e;
    }
    bool exact = true;
    double records = 0;
    std::set<const ObservedWindow*> sources;
    for (int d = day_number(w.first); d <= day_number(w.last); ++d) {
      const DayVolume v = *day(p, d);
      records += v.records;
      const bool inside = v.source != nullptr && v.source->window.first >= w.first &&
                          v.source->window.last <= w.last;
      exact = exact && inside;
      if (inside) sources.insert(v.source);
    }
    if (exact) {
      std::int64_t sum = 0;
      for (const ObservedWindow* s : sources) sum += s->records;
      records = static_cast<double>(sum);
    }
    e.basis = exact ? EstimateBasis::kExact : EstimateBasis::kEstimated;
    e.records = records;
    e.requests = window_requests(records, page_size, exact);
    return e;
  }

 private:
  std::unordered_map<std::string, PartitionHistory> partitions_;
};

// Cuts consecutive days [first, first + n) (inside one month) into windows with the fewest
// expected requests; windows of several days fill at most max_records. Dynamic programming
// over the days; ties keep fewer windows.
std::vector<DateRange> cut_run(const std::vector<double>& records, int first, int page_size,
                               double max_records) {
  const int n = static_cast<int>(records.size());
  std::vector<double> best(n + 1, 0);
  std::vector<int> windows(n + 1, 0), from(n + 1, 0);
  for (int i = 1; i <= n; ++i) {
    best[i] = -1;
    double sum = 0;
    for (int j = i - 1; j >= 0; --j) {
      sum += records[j];
      if (i - j > 1 && sum > max_records) break;
      const double cost = best[j] + window_requests(sum, page_size, false);
      const bool better = best[i] < 0 || cost < best[i] - 1e-9 ||
                          (std::abs(cost - best[i]) <= 1e-9 && windows[j] + 1 < windows[i]);
      if (better) best[i] = cost, windows[i] = windows[j] + 1, from[i] = j;
    }
  }
  std::vector<DateRange> out;
  for (int i = n; i > 0; i = from[i])
    out.push_back({date_of(first + from[i]), date_of(first + i - 1)});
  std::reverse(out.begin(), out.end());
  return out;
}

struct Planned {
  Task task;
  TaskEstimate estimate;
  std::size_t partition = 0;
};

class VolumePlanner {
 public:
  VolumePlanner(const EndpointsConfig& config, const PlanRequest& request,
                const VolumeHistory& history)
      : config_(config), request_(request), history_(history), estimator_(history) {
    for (const StoredTask& s : history.stored) stored_[s.task.task_id] = &s;
  }

  VolumePlan plan() {
    Plan base = plan_tasks(config_, request_);
    VolumePlan out;
    out.plan.fingerprint = base.fingerprint;
    out.plan.skipped = std::move(base.skipped);
    std::size_t i = 0;
    while (i < base.tasks.size()) {
      std::size_t end = i;
      while (end < base.tasks.size() &&
             base.tasks[end].endpoint_name == base.tasks[i].endpoint_name)
        ++end;
      const EndpointConfig& e = *config_.find(base.tasks[i].endpoint_name);
      std::vector<Planned> planned = volume_windowed(e)
                                         ? windowed(e, base, i, end, out.plan.fingerprint)
                                         : as_planned(e, base, i, end);
      for (Planned& p : planned) {
        out.plan.tasks.push_back(std::move(p.task));
        out.estimates.push_back(p.estimate);
      }
      i = end;
    }
    return out;
  }

 private:
  TaskEstimate estimate(const EndpointConfig& e, const Task& t,
                        const std::string& partition) const {
    TaskEstimate est = estimator_.window(estimator_.partition(e.name, partition),
                                         {t.data_date, t.window_end}, e.page_size);
    const auto it = stored_.find(t.task_id);
    const std::string status = it == stored_.end() ? "pending" : it->second->status;
    if (status == "done" || status == "failed" || status == "partial") {
      est.done = status == "done";
      est.requests = 0;  // a run claims pending tasks only
      const int recheck_days = config_.defaults.recheck_days;
      if (est.done && recheck_days > 0 &&
          day_number(t.window_end) >= day_number(request_.today) - recheck_days) {
        est.recheck = true;
        est.requests = 1;  // its total read again
      }
    }
    return est;
  }

  std::vector<Planned> as_planned(const EndpointConfig& e, const Plan& base, std::size_t from,
                                  std::size_t to) const {
    std::vector<Planned> out;
    for (std::size_t i = from; i < to; ++i) {
      const Task& t = base.tasks[i];
      out.push_back(
          {t, estimate(e, t, partition_key(e, t.params, {t.data_date, t.window_end})), 0});
    }
    return out;
  }

  // Partitions of a windowed endpoint in fan-out order, with the days the base plan asks for
  // each.
  struct Partitions {
    std::vector<std::string> keys;
    std::map<std::string, std::vector<int>> days;
  };
  static Partitions partitions_of(const EndpointConfig& e, const Plan& base, std::size_t from,
                                  std::size_t to) {
    Partitions out;
    for (std::size_t i = from; i < to; ++i) {
      const Task& t = base.tasks[i];
      const std::string key = partition_key(e, t.params, {t.data_date, t.window_end});
      auto& list = out.days[key];
      if (list.empty()) out.keys.push_back(key);
      list.push_back(day_number(t.data_date));
    }
    return out;
  }

  // The days of a partition no stored task covers (and, in `stored`, those tasks).
  std::vector<int> open_days(const EndpointConfig& e, const std::string& key,
                             const std::vector<int>& days,
                             std::vector<const StoredTask*>* stored) const {
    std::set<int> covered;
    for (const StoredTask& s : history_.stored) {
      if (s.task.endpoint_name != e.name || s.partition != key) continue;
      if (s.task.data_date > request_.range.last || s.task.window_end < request_.range.first)
        continue;
      for (int d = day_number(s.task.data_date); d <= day_number(s.task.window_end); ++d)
        covered.insert(d);
      if (stored != nullptr) stored->push_back(&s);
    }
    std::vector<int> open;
    for (int d : days) {
      if (!covered.count(d)) open.push_back(d);
    }
    return open;
  }

  // Runs of consecutive days inside one calendar month.
  static std::vector<DateRange> month_runs(const std::vector<int>& open) {
    std::vector<DateRange> out;
    std::size_t i = 0;
    while (i < open.size()) {
      std::size_t end = i + 1;
      const Date first = date_of(open[i]);
      while (end < open.size() && open[end] == open[end - 1] + 1 &&
             date_of(open[end]).month() == first.month())
        ++end;
      out.push_back({first, date_of(open[end - 1])});
      i = end;
    }
    return out;
  }

 public:
  std::vector<Task> probes() const {
    std::vector<Task> out;
    const Plan base = plan_tasks(config_, request_);
    std::size_t i = 0;
    while (i < base.tasks.size()) {
      std::size_t end = i;
      while (end < base.tasks.size() &&
             base.tasks[end].endpoint_name == base.tasks[i].endpoint_name)
        ++end;
      const EndpointConfig& e = *config_.find(base.tasks[i].endpoint_name);
      if (volume_windowed(e)) {
        const Partitions parts = partitions_of(e, base, i, end);
        for (std::size_t p = 0; p < parts.keys.size(); ++p) {
          const std::string& key = parts.keys[p];
          if (estimator_.partition(e.name, key) != nullptr) continue;  // history: no probe
          for (const DateRange& run : month_runs(open_days(e, key, parts.days.at(key), nullptr))) {
            if (run.first == run.last) continue;  // a single day is its own window anyway
            out.push_back(plan_window_tasks(e, run, base.fingerprint).at(p));
          }
        }
      }
      i = end;
    }
    return out;
  }

 private:
  std::vector<Planned> windowed(const EndpointConfig& e, const Plan& base, std::size_t from,
                                std::size_t to, const std::string& fingerprint) const {
    const Partitions parts = partitions_of(e, base, from, to);
    std::vector<Planned> out;
    for (std::size_t p = 0; p < parts.keys.size(); ++p) {
      const std::string& key = parts.keys[p];
      std::vector<const StoredTask*> stored;
      const std::vector<int> open = open_days(e, key, parts.days.at(key), &stored);
      for (const StoredTask* s : stored) out.push_back({s->task, estimate(e, s->task, key), p});
      for (const DateRange& w : new_windows(e, key, open)) {
        std::vector<Task> tasks = plan_window_tasks(e, w, fingerprint);
        Task& t = tasks.at(p);
        out.push_back({t, estimate(e, t, key), p});
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const Planned& a, const Planned& b) {
      if (a.task.data_date != b.task.data_date) return a.task.data_date < b.task.data_date;
      if (a.partition != b.partition) return a.partition < b.partition;
      return a.task.window_end < b.task.window_end;
    });
    return out;
  }

  // Windows over `open` days (sorted) of one partition.
  std::vector<DateRange> new_windows(const EndpointConfig& e, const std::string& partition,
                                     const std::vector<int>& open) const {
    std::vector<DateRange> out;
    const PartitionHistory* history = estimator_.partition(e.name, partition);
    const double max_records =
        static_cast<double>(config_.defaults.window_target_pages) * e.page_size;
    std::size_t i = 0;
    while (i < open.size()) {
      // A run: consecutive days of one calendar month.
      std::size_t end = i + 1;
      const Date first = date_of(open[i]);
      while (end < open.size() && open[end] == open[end - 1] + 1 &&
             date_of(open[end]).month() == first.month())
        ++end;
      if (history == nullptr) {
        for (std::size_t d = i; d < end; ++d) out.push_back({date_of(open[d]), date_of(open[d])});
      } else {
        std::vector<double> records;
        for (std::size_t d = i; d < end; ++d)
          records.push_back(estimator_.day(history, open[d])->records);
        for (const DateRange& w : cut_run(records, open[i], e.page_size, max_records))
          out.push_back(w);
      }
      i = end;
    }
    return out;
  }

  const EndpointsConfig& config_;
  const PlanRequest& request_;
  const VolumeHistory& history_;
  Estimator estimator_;
  std::unordered_map<std::string, const StoredTask*> stored_;
};

}  // namespace

bool volume_windowed(const EndpointConfig& e) {
  return e.window == Window::kDay && e.max_window == Window::kMonth &&
         !e.date_params.start.empty() && !e.date_params.end.empty() && !e.data_final_min_today &&
         e.page_size > 0;
}

double window_requests(double records, int page_size, bool exact) {
  const double size = std::max(1, page_size);
  const double pages = std::max(1.0, std::ceil(records / size - 1e-9));
  if (exact) return pages + (records > 0 ? 1 : 0);
  return pages + (1 - std::exp(-std::max(0.0, records)));
}

VolumePlan plan_by_volume(const EndpointsConfig& config, const PlanRequest& request,
                          const VolumeHistory& history) {
  return VolumePlanner(config, request, history).plan();
}

VolumePlan plan_from_history(Connection& conn, const EndpointsConfig& config,
                             const PlanRequest& request) {
  return plan_by_volume(config, request, read_volume_history(conn, config, request.range));
}

std::vector<Task> probe_tasks(const EndpointsConfig& config, const PlanRequest& request,
                              const VolumeHistory& history) {
  return VolumePlanner(config, request, history).probes();
}

}  // namespace baliza::plan
