#include "faults.h"

#include <algorithm>
#include <string_view>

#include "hash.h"

namespace pncp_sim::detail {

FaultPlan::FaultPlan(uint64_t seed, std::vector<FaultConfig> faults)
    : seed_(seed), faults_(std::move(faults)) {}

bool FaultPlan::applies(const FaultConfig& f, const std::string& path) const {
  if (f.endpoint.empty()) return true;
  auto trim = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  };
  const std::string want = trim(f.endpoint), got = trim(path);
  if (want.find('{') == std::string::npos) return want == got;
  // A pattern: each "{name}" segment matches any one non-empty segment of the path, e.g.
  // /pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens for every purchase's items.
  size_t a = 0, b = 0;
  while (a <= want.size() && b <= got.size()) {
    const size_t a_end = std::min(want.find('/', a), want.size());
    const size_t b_end = std::min(got.find('/', b), got.size());
    const std::string_view w(want.data() + a, a_end - a), g(got.data() + b, b_end - b);
    const bool wildcard = w.size() > 2 && w.front() == '{' && w.back() == '}';
    if (wildcard ? g.empty() : w != g) return false;
    if (a_end == want.size() || b_end == got.size())
      return a_end == want.size() && b_end == got.size();
    a = a_end + 1;
    b = b_end + 1;
  }
  return false;
}

bool FaultPlan::hit(size_t fault_index, const std::string& target, uint64_t attempt) const {
  const FaultConfig& f = faults_[fault_index];
  if (f.rate >= 1.0) return true;
  return unit_interval(hash_of(seed_, 0xFA17, fault_index, hash_text(target), attempt)) < f.rate;
}

bool FaultPlan::matches(const FaultConfig& f, const std::string& target) {
  if (f.match.empty()) return true;
  size_t start = 0;
  while (start <= f.match.size()) {
    const size_t bar = f.match.find('|', start);
    const std::string part = f.match.substr(start, bar == std::string::npos ? bar : bar - start);
    if (!part.empty() && target.find(part) != std::string::npos) return true;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

FaultDecision FaultPlan::decide(const std::string& path, const std::string& target,
                                const std::string& query_key, const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t attempt = attempts_[target]++;
  FaultDecision d;
  for (size_t i = 0; i < faults_.size(); ++i) {
    const FaultConfig& f = faults_[i];
    if (!applies(f, path) || !matches(f, target)) continue;
    switch (f.kind) {
      case FaultKind::fail_first:
        if (attempt < static_cast<uint64_t>(f.count)) {
          d.status = f.status ? f.status : 503;
          return d;
        }
        break;
      case FaultKind::rate_limit:
        if (hit(i, target, attempt)) {
          d.status = 429;
          d.retry_after_s = f.retry_after_s;
          return d;
        }
        break;
      case FaultKind::server_error:
        if (hit(i, target, attempt)) {
          static const int statuses[] = {500, 502, 503, 504};
          d.status = f.status ? f.status : statuses[hash_of(seed_, hash_text(target), attempt) % 4];
          return d;
        }
        break;
      case FaultKind::reset:
        if (hit(i, target, attempt)) {
          d.reset = true;
          return d;
        }
        break;
      case FaultKind::slow:
        if (hit(i, target, attempt)) d.delay_ms += f.delay_ms;
        break;
      case FaultKind::truncate:
        if (hit(i, target, attempt)) {
          d.truncate = true;
          d.cut_json = f.cut_json;
        }
        break;
      case FaultKind::data_shift:
        if (shifted_.count(query_key)) d.extra_records += f.count;
        break;
      case FaultKind::short_page:
        if (hit(i, target, attempt)) d.short_drop = f.count;
        break;
      case FaultKind::throttle_page:
        if (hit(i, target, attempt)) {
          d.throttle_html = true;
          return d;
        }
        break;
      case FaultKind::client_throttle: {
        // A token bucket per client: `rps` tokens a second, at most `burst`.
        const auto now = std::chrono::steady_clock::now();
        auto [it, fresh] = buckets_.try_emplace({i, client});
        Bucket& b = it->second;
        if (fresh) {
          b.tokens = f.burst;
        } else {
          b.tokens = std::min<double>(
              f.burst, b.tokens + f.rps * std::chrono::duration<double>(now - b.at).count());
        }
        b.at = now;
        if (b.tokens < 1) {
          if (f.html) {
            d.throttle_html = true;
          } else {
            d.status = 429;
          }
          return d;
        }
        b.tokens -= 1;
        break;
      }
      case FaultKind::page_past_end:
        d.past_end_400 = true;
        break;
      case FaultKind::wrong_count:
        if (hit(i, target, attempt)) d.count_offset += f.count;
        break;
      case FaultKind::garbage:
        if (hit(i, target, attempt)) d.garbage = true;
        break;
    }
  }
  return d;
}

int FaultPlan::extra_records(const std::string& path, const std::string& query_key) {
  std::lock_guard<std::mutex> lock(mutex_);
  int extra = 0;
  for (const FaultConfig& f : faults_)
    if (f.kind == FaultKind::data_shift && applies(f, path) && shifted_.count(query_key))
      extra += f.count;
  return extra;
}

void FaultPlan::first_page_served(const std::string& path, const std::string& query_key) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const FaultConfig& f : faults_)
    if (f.kind == FaultKind::data_shift && applies(f, path)) shifted_.insert(query_key);
}

void FaultPlan::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  attempts_.clear();
  shifted_.clear();
  buckets_.clear();
}

}  // namespace pncp_sim::detail
