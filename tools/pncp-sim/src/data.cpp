#include "pncp_sim/data.h"

#include <stdexcept>

#include "calendar.h"
#include "pncp_sim/endpoints.h"
#include "record_builder.h"
#include "schema_change.h"
#include "views.h"

namespace pncp_sim {

using detail::Family;
using detail::Skeleton;
using detail::Universe;
using nlohmann::json;

namespace {

int parse_day(const std::string& text) {
  auto day = detail::parse_date_loose(text);
  if (!day) throw std::invalid_argument("'" + text + "' is not a date (use yyyyMMdd)");
  return *day;
}

const EndpointInfo& day_endpoint(const std::string& path) {
  const EndpointInfo* e = find_endpoint(path);
  bool supported = e && (e->day_based || e->id == EndpointId::contratacoes_proposta);
  if (!supported)
    throw std::invalid_argument("'" + path +
                                "' is not a date-filtered PNCP endpoint (see "
                                "pncp_sim::endpoints())");
  return *e;
}

}  // namespace

std::vector<json> records_between(const Options& options, const std::string& endpoint_path,
                                  const std::string& from, const std::string& to,
                                  std::optional<int> modalidade) {
  const EndpointInfo& e = day_endpoint(endpoint_path);
  if (e.by_modalidade && !modalidade)
    throw std::invalid_argument(endpoint_path + " needs a modalidade (1..14)");
  Universe universe(options);
  detail::ViewQuery q;
  q.endpoint = e.id;
  q.from = parse_day(from);
  q.to = parse_day(to);
  q.modalidade = modalidade;
  std::vector<json> out;
  for (const detail::Ref& r : detail::select_refs(universe, q))
    out.push_back(detail::build_record(universe, universe.skeleton(r.family, r.day, r.index)));
  return out;
}

std::vector<json> records_for(const Options& options, const std::string& endpoint_path,
                              const std::string& yyyymmdd, std::optional<int> modalidade) {
  return records_between(options, endpoint_path, yyyymmdd, yyyymmdd, modalidade);
}

namespace {

// Counts per day computed in one pass over the candidate records (independently of the view
// code that serves them, so tests comparing the two check both).
struct Counter {
  const Universe& u;
  int from, to;

  void count(Family family, int lookback, const std::function<void(const Skeleton&)>& visit,
             int lead = 0) {
    for (int day = from - lookback; day <= std::min(to + lead, u.today()); ++day) {
      int n = u.count(family, day);
      for (int i = 0; i < n; ++i) visit(u.skeleton(family, day, i, false));
    }
  }
  bool in(int day) const { return day >= from && day <= to; }
};

void add(json& per_day, int day, int n = 1) {
  std::string key = detail::yyyymmdd(day);
  per_day[key] = per_day.value(key, 0) + n;
}

void add_modalidade(json& per_day, int day, int modalidade) {
  json& slot = per_day[detail::yyyymmdd(day)];
  std::string m = std::to_string(modalidade);
  slot[m] = slot.value(m, 0) + 1;
}

json zero_days(int from, int to, bool by_modalidade) {
  json out = json::object();
  for (int day = from; day <= to; ++day)
    out[detail::yyyymmdd(day)] = by_modalidade ? json::object() : json(0);
  return out;
}

}  // namespace

json ground_truth(const Options& options, const std::string& from_text,
                  const std::string& to_text) {
  Universe u(options);
  const int from = parse_day(from_text), to = parse_day(to_text);
  if (to < from) throw std::invalid_argument("ground_truth: 'to' is before 'from'");
  Counter c{u, from, to};
  json eps = json::object();
  for (const EndpointInfo& e : endpoints())
    if (e.day_based) eps[e.path] = zero_days(from, to, e.by_modalidade);
  c.count(Family::contratacao, 31, [&](const Skeleton& s) {
    if (c.in(s.day)) add_modalidade(eps["/v1/contratacoes/publicacao"], s.day, s.modalidade);
    if (c.in(s.update_day))
      add_modalidade(eps["/v1/contratacoes/atualizacao"], s.update_day, s.modalidade);
  });
  c.count(Family::contrato, 31, [&](const Skeleton& s) {
    if (c.in(s.day)) add(eps["/v1/contratos"], s.day);
    if (c.in(s.update_day)) add(eps["/v1/contratos/atualizacao"], s.update_day);
  });
  c.count(
      Family::ata, 740,
      [&](const Skeleton& s) {
        for (int d = std::max(from, s.vig_start); d <= std::min(to, s.vig_end); ++d)
          add(eps["/v1/atas"], d);
        if (c.in(s.update_day)) add(eps["/v1/atas/atualizacao"], s.update_day);
      },
      10);
  c.count(Family::pca, 31, [&](const Skeleton& s) {
    if (c.in(s.update_day)) add(eps["/v1/pca/atualizacao"], s.update_day);
  });
  c.count(Family::instrumento, 0, [&](const Skeleton& s) {
    if (c.in(s.day)) add(eps["/v1/instrumentoscobranca/inclusao"], s.day);
  });
  json totals = json::object();
  for (auto& [path, per_day] : eps.items()) {
    long long total = 0;
    for (auto& [day, v] : per_day.items())
      if (v.is_number())
        total += v.get<long long>();
      else
        for (auto& [m, n] : v.items()) total += n.get<long long>();
    totals[path] = total;
  }
  return {{"seed", options.seed},
          {"today", effective_today(options)},
          {"from", detail::yyyymmdd(from)},
          {"to", detail::yyyymmdd(to)},
          {"endpoints", eps},
          {"totals", totals}};
}

bool cnpj_is_valid(const std::string& cnpj) {
  return detail::cnpj_check_digits_ok(cnpj);
}

}  // namespace pncp_sim
