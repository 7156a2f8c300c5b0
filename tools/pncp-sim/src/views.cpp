#include "views.h"

#include <algorithm>

#include "calendar.h"
#include "reference_data.h"
#include "schema_change.h"

namespace pncp_sim::detail {

namespace {

const int kUpdateLookback = 31;
const int kDeadlineLookback = 46;
const int kAtaLookback = 740;  // validity lasts at most ~2 years
const int kAtaLeadDays = 10;   // validity starts at most 10 days before publication

bool is_update_view(EndpointId e) {
  return e == EndpointId::contratacoes_atualizacao || e == EndpointId::contratos_atualizacao ||
         e == EndpointId::atas_atualizacao || e == EndpointId::pca_atualizacao;
}

Family family_of(EndpointId e) {
  return *family_of_path(endpoint_info(e).path);
}

// Publication days that can hold matching records.
std::pair<int, int> window(const ViewQuery& q, int today) {
  int first = q.from, last = q.to;
  if (is_update_view(q.endpoint)) first -= kUpdateLookback;
  if (q.endpoint == EndpointId::atas) {
    // Validity may start up to 10 days before publication, so atas published after `to` can
    // still overlap the period; the API answers as of today.
    first -= kAtaLookback;
    last += kAtaLeadDays;
  }
  if (q.endpoint == EndpointId::contratacoes_proposta) first = today - kDeadlineLookback;
  if (q.endpoint == EndpointId::pca || q.endpoint == EndpointId::pca_usuario) {
    first = days_from_civil(*q.ano_pca - 1, 7, 1);
    last = days_from_civil(*q.ano_pca, 6, 30);
  }
  return {first, std::min(last, today)};
}

bool in(int day, int from, int to) {
  return day >= from && day <= to;
}

// The date predicate of the endpoint (cheap: needs no orgao).
bool date_matches(const Skeleton& s, const ViewQuery& q, int today) {
  switch (q.endpoint) {
    case EndpointId::contratacoes_publicacao:
      return in(s.day, q.from, q.to) && s.modalidade == q.modalidade;
    case EndpointId::contratacoes_atualizacao:
      return in(s.update_day, q.from, q.to) && s.modalidade == q.modalidade;
    case EndpointId::contratacoes_proposta:
      return s.deadline_day >= 0 && in(s.deadline_day, today, q.to) &&
             (!q.modalidade || s.modalidade == *q.modalidade);
    case EndpointId::contratos:
    case EndpointId::instrumentos_inclusao:
      return in(s.day, q.from, q.to);
    case EndpointId::contratos_atualizacao:
    case EndpointId::atas_atualizacao:
    case EndpointId::pca_atualizacao:
      return in(s.update_day, q.from, q.to);
    case EndpointId::atas:
      return s.vig_start <= q.to && s.vig_end >= q.from;
    case EndpointId::pca:
    case EndpointId::pca_usuario:
      return s.ano_pca == *q.ano_pca;
    case EndpointId::orgao_compra:
      return false;
  }
  return false;
}

bool has_orgao_filters(const ViewQuery& q) {
  return !q.cnpj.empty() || !q.uf.empty() || !q.ibge.empty() || !q.unidade.empty() ||
         q.usuario.has_value();
}

bool filters_match(const Universe& u, const Skeleton& s, const ViewQuery& q) {
  if (q.modo_disputa && s.modo_disputa != *q.modo_disputa) return false;
  if (q.tipo_instrumento && s.tipo_instrumento != *q.tipo_instrumento) return false;
  if (!has_orgao_filters(q)) return true;
  const Orgao& o = u.population().orgaos()[s.orgao];
  const Unidade& unit = o.unidades[s.unidade];
  const MunicipioInfo& m = municipios()[unit.municipio];
  if (!q.cnpj.empty() && u.cnpj_of(s) != q.cnpj) return false;
  if (!q.uf.empty() && q.uf != ufs()[m.uf].sigla) return false;
  if (!q.ibge.empty() && q.ibge != m.ibge) return false;
  if (!q.unidade.empty() && q.unidade != unit.codigo) return false;
  if (q.usuario && usuarios()[o.usuario].code != *q.usuario) return false;
  return true;
}

bool matches(const Universe& u, Family f, int day, int index, const ViewQuery& q) {
  Skeleton light = u.skeleton(f, day, index, false);
  if (light.removed) return false;
  if (!date_matches(light, q, u.today())) return false;
  if (!has_orgao_filters(q) && !q.modo_disputa && !q.tipo_instrumento) return true;
  return filters_match(u, u.skeleton(f, day, index), q);
}

long long sort_key(const Skeleton& s, EndpointId e) {
  if (is_update_view(e)) return s.update_day * 86400LL + s.update_seconds;
  if (e == EndpointId::contratacoes_proposta) return s.deadline_day * 86400LL + s.seconds;
  return s.day * 86400LL + s.seconds;
}

void add_extras(const Universe& u, Family f, std::pair<int, int> days, const ViewQuery& q,
                std::vector<Ref>& out) {
  int found = 0, scanned = 0;
  for (int day = days.second; day >= days.first && found < q.extra; --day) {
    int n = u.count(f, day);
    for (int i = n; i < n + 64 && found < q.extra && scanned < 50000; ++i, ++scanned) {
      if (!matches(u, f, day, i, q)) continue;
      out.push_back({f, day, i});
      ++found;
    }
  }
}

}  // namespace

std::vector<Ref> select_refs(const Universe& u, const ViewQuery& q) {
  const Family f = family_of(q.endpoint);
  const auto days = window(q, u.today());
  std::vector<Ref> refs;
  for (int day = days.first; day <= days.second; ++day) {
    int n = u.count(f, day);
    for (int i = 0; i < n; ++i)
      if (matches(u, f, day, i, q)) refs.push_back({f, day, i});
  }
  if (q.extra > 0) add_extras(u, f, days, q, refs);
  std::vector<std::pair<long long, Ref>> keyed;
  keyed.reserve(refs.size());
  for (const Ref& r : refs)
    keyed.push_back({sort_key(u.skeleton(f, r.day, r.index, false), q.endpoint), r});
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.day != b.second.day) return a.second.day < b.second.day;
    return a.second.index < b.second.index;
  });
  for (size_t i = 0; i < keyed.size(); ++i) refs[i] = keyed[i].second;
  if (q.extra < 0) refs.resize(refs.size() - std::min(refs.size(), static_cast<size_t>(-q.extra)));
  return refs;
}

std::string view_key(const ViewQuery& q) {
  auto opt = [](const auto& o) { return o ? std::to_string(*o) : std::string("-"); };
  return std::to_string(static_cast<int>(q.endpoint)) + "|" + std::to_string(q.from) + "|" +
         std::to_string(q.to) + "|" + opt(q.modalidade) + "|" + opt(q.modo_disputa) + "|" +
         opt(q.tipo_instrumento) + "|" + opt(q.ano_pca) + "|" + opt(q.usuario) + "|" + q.cnpj +
         "|" + q.uf + "|" + q.ibge + "|" + q.unidade;
}

}  // namespace pncp_sim::detail
