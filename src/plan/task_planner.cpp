#include "plan/task_planner.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/log.h"
#include "core/sha256.h"

namespace baliza::plan {
namespace {

// SHA-256 for task ids with one fetched digest and one reused context: core's sha256_hex sets
// both up per call, which was half the planning time at 100k tasks. Same bytes in, same hex
// out (the tests compare the two).
class TaskIdHasher {
 public:
  TaskIdHasher() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
    if (md_ == nullptr || ctx_ == nullptr) throw environment_error("OpenSSL has no SHA-256");
  }
  ~TaskIdHasher() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  TaskIdHasher(const TaskIdHasher&) = delete;
  TaskIdHasher& operator=(const TaskIdHasher&) = delete;

  // The first 32 hex chars of sha256(input).
  std::string id(std::string_view input) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(ctx_, input.data(), input.size()) != 1 ||
        EVP_DigestFinal_ex(ctx_, digest, &length) != 1) {
      throw environment_error("SHA-256 failed inside OpenSSL libcrypto");
    }
    static const char kHex[] = "0123456789abcdef";
    std::string hex(32, '0');
    for (size_t i = 0; i < 16; ++i) {
      hex[2 * i] = kHex[digest[i] >> 4];
      hex[2 * i + 1] = kHex[digest[i] & 0xf];
    }
    return hex;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

std::string task_id_input(std::string_view endpoint_name, const DateRange& window) {
  std::string input(endpoint_name);
  input.append("\n").append(iso_date(window.first)).append("\n");
  input.append(iso_date(window.last)).append("\n");
  return input;
}

// One query parameter of an endpoint's tasks, in canonical (sorted) key order.
struct Slot {
  enum Kind { kConst, kStart, kEnd, kYear, kFanOut } kind;
  std::string prefix;  // "\"key\":" ready to append
  std::string value;   // the JSON literal for kConst
};

std::string json_key(const std::string& key) {
  std::string out;
  append_json_string(out, key);
  out += ':';
  return out;
}

std::string json_literal(const std::string& value, bool integer) {
  if (integer) return value;
  std::string out;
  append_json_string(out, value);
  return out;
}

std::vector<Slot> param_slots(const EndpointConfig& e) {
  std::vector<std::pair<std::string, Slot>> keyed;
  auto add = [&](const std::string& key, Slot::Kind kind, std::string value = {}) {
    if (!key.empty()) keyed.push_back({key, Slot{kind, json_key(key), std::move(value)}});
  };
  add(e.date_params.start, Slot::kStart);
  add(e.date_params.end, Slot::kEnd);
  add(e.date_params.year, Slot::kYear);
  if (e.fan_out) add(e.fan_out->param, Slot::kFanOut);
  for (const auto& p : e.params)
    add(p.name, Slot::kConst, json_literal(p.value, p.value_is_integer));
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Slot> slots;
  for (auto& [key, slot] : keyed) slots.push_back(std::move(slot));
  return slots;
}

// The per-window values a slot may need, rendered once per window.
struct WindowValues {
  std::string start, end, year;
};

void render_params(const std::vector<Slot>& slots, const WindowValues& w,
                   const std::string* fan_value, std::string& out) {
  out.clear();
  out += '{';
  for (const auto& slot : slots) {
    if (out.size() > 1) out += ',';
    out += slot.prefix;
    switch (slot.kind) {
      case Slot::kConst:
        out += slot.value;
        break;
      case Slot::kStart:
        out += w.start;
        break;
      case Slot::kEnd:
        out += w.end;
        break;
      case Slot::kYear:
        out += w.year;
        break;
      case Slot::kFanOut:
        out += *fan_value;
        break;
    }
  }
  out += '}';
}

std::vector<const EndpointConfig*> select_endpoints(const EndpointsConfig& config,
                                                    const std::vector<std::string>& names) {
  std::vector<const EndpointConfig*> selected;
  if (names.empty()) {
    for (const auto& e : config.endpoints) {
      if (e.enabled && !e.from_sql) selected.push_back(&e);  // from_sql: plan/sql_planner.h
    }
    return selected;
  }
  for (const auto& e : config.endpoints) {
    if (std::find(names.begin(), names.end(), e.name) == names.end()) continue;
    if (!e.enabled) {
      throw usage_error("endpoint '" + e.name + "' is disabled (" + e.reason +
                        "); enable it in your project's endpoints.yaml to plan it");
    }
    if (!e.from_sql) selected.push_back(&e);  // planned from staged data, not by date
  }
  for (const auto& name : names) {
    if (config.find(name) != nullptr) continue;
    std::string known;
    for (const auto& e : config.endpoints) known += (known.empty() ? "" : ", ") + e.name;
    throw usage_error("unknown endpoint '" + name + "'; choose from: " + known);
  }
  return selected;
}

// The longest date window the API accepts.
constexpr int kMaxWindowDays = 365;

// Empty when the window is planned; otherwise why it is skipped.
std::string skip_reason(const EndpointConfig& e, const DateRange& w, Date today) {
  if (e.data_final_min_today) {
    if (w.last < today) {
      return e.date_params.end + " " + format_date(w.last, e.date_format) + " is before today (" +
             iso_date(today) + "); the API only accepts a " + e.date_params.end +
             " of today or later";
    }
    return {};
  }
  if (today < w.first) {
    return "window starts after today (" + iso_date(today) + "); there is no data yet";
  }
  return {};
}

// A fan-out value as Task::modalidade, when it fits an int.
std::optional<int> int_code(const std::string& value) {
  const long long code = std::stoll(value);  // canonical integer of at most 18 digits
  if (code < INT32_MIN || code > INT32_MAX) return std::nullopt;
  return static_cast<int>(code);
}

class EndpointPlanner {
 public:
  EndpointPlanner(const EndpointConfig& e, const std::string& fingerprint, Plan& plan)
      : e_(e), fingerprint_(fingerprint), plan_(plan), slots_(param_slots(e)) {
    if (e.fan_out) {
      for (const auto& v : e.fan_out->values) {
        fan_values_.push_back(json_literal(v, e.fan_out->integer));
        fan_codes_.push_back(e.fan_out->integer ? int_code(v) : std::nullopt);
      }
    }
  }

  void plan_window(const DateRange& w) {
    const WindowValues values{json_literal(format_date(w.first, e_.date_format), false),
                              json_literal(format_date(w.last, e_.date_format), false),
                              std::to_string(static_cast<int>(w.first.year()))};
    id_prefix_ = task_id_input(e_.name, w);
    if (!e_.fan_out) {
      add_task(w, values, nullptr, std::nullopt);
      return;
    }
    for (size_t i = 0; i < fan_values_.size(); ++i) {
      add_task(w, values, &fan_values_[i], fan_codes_[i]);
    }
  }

 private:
  void add_task(const DateRange& w, const WindowValues& values, const std::string* fan_value,
                std::optional<int> modalidade) {
    render_params(slots_, values, fan_value, params_);
    id_input_.assign(id_prefix_).append(params_);
    Task& task = plan_.tasks.emplace_back();
    task.task_id = hasher_.id(id_input_);
    task.endpoint_name = e_.name;
    task.data_date = w.first;
    task.window_end = w.last;
    task.modalidade = modalidade;
    task.params = params_;
    task.plan_fingerprint = fingerprint_;
  }

  const EndpointConfig& e_;
  const std::string& fingerprint_;
  Plan& plan_;
  std::vector<Slot> slots_;
  std::vector<std::string> fan_values_;        // JSON literals
  std::vector<std::optional<int>> fan_codes_;  // Task::modalidade for each value
  TaskIdHasher hasher_;
  std::string id_prefix_, id_input_, params_;  // reused buffers
};

}  // namespace

std::string make_task_id(std::string_view endpoint_name, const DateRange& window,
                         std::string_view params) {
  return sha256_hex(task_id_input(endpoint_name, window).append(params)).substr(0, 32);
}

std::vector<Task> plan_window_tasks(const EndpointConfig& endpoint, const DateRange& window,
                                    const std::string& fingerprint) {
  Plan plan;
  EndpointPlanner planner(endpoint, fingerprint, plan);
  planner.plan_window(window);
  return std::move(plan.tasks);
}

Plan plan_tasks(const EndpointsConfig& config, const PlanRequest& request) {
  if (request.range.last < request.range.first) {
    throw usage_error("empty date range " + iso_date(request.range.first) + ":" +
                      iso_date(request.range.last) + "; the end must not be before the start");
  }
  Plan plan;
  plan.fingerprint = config_fingerprint(config);
  // Windows first, so the task vector is allocated once (100k tasks must plan in well under a
  // second; regrowth and its page faults were a third of the time).
  std::vector<std::pair<const EndpointConfig*, std::vector<DateRange>>> work;
  size_t total = 0;
  for (const EndpointConfig* e : select_endpoints(config, request.endpoints)) {
    std::vector<DateRange> planned;
    for (const DateRange& w : enumerate_windows(request.range, e->window)) {
      std::string reason = skip_reason(*e, w, request.today);
      if (reason.empty() && !e->date_params.start.empty() && !e->date_params.end.empty()) {
        // A date window over 365 days is refused by the API (422): split before asking.
        for (const DateRange& part : split_window(w, kMaxWindowDays)) planned.push_back(part);
      } else if (reason.empty()) {
        planned.push_back(w);
      } else {
        plan.skipped.push_back({e->name, w, std::move(reason)});
      }
    }
    total += planned.size() * (e->fan_out ? e->fan_out->values.size() : 1);
    work.emplace_back(e, std::move(planned));
  }
  plan.tasks.reserve(total);
  for (const auto& [e, windows] : work) {
    EndpointPlanner planner(*e, plan.fingerprint, plan);
    for (const DateRange& w : windows) planner.plan_window(w);
  }
  return plan;
}

PlanDiff plan_diff(const std::vector<std::string>& old_task_ids,
                   const std::vector<Task>& new_tasks) {
  const std::unordered_set<std::string_view> old_ids(old_task_ids.begin(), old_task_ids.end());
  std::unordered_set<std::string_view> new_ids;
  new_ids.reserve(new_tasks.size());
  PlanDiff diff;
  for (const Task& task : new_tasks) {
    if (!new_ids.insert(task.task_id).second) continue;  // a repeated id counts once
    (old_ids.count(task.task_id) ? diff.unchanged : diff.added).push_back(task.task_id);
  }
  std::unordered_set<std::string_view> removed;
  for (const auto& id : old_task_ids) {
    if (!new_ids.count(id) && removed.insert(id).second) diff.removed.push_back(id);
  }
  return diff;
}

}  // namespace baliza::plan
