#include "universe.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "calendar.h"
#include "reference_data.h"

namespace pncp_sim::detail {

static const int kUpdateLookback = 30;  // records are updated at most 30 days after publication

Universe::Universe(const Options& options)
    : options_(options),
      population_(options.seed),
      today_(parse_yyyymmdd(effective_today(options)).value_or(today_in_brasilia())) {}

static double base_volume(const VolumeConfig& v, Family f) {
  switch (f) {
    case Family::contratacao:
      return v.contratacoes_per_day;
    case Family::contrato:
      return v.contratos_per_day;
    case Family::ata:
      return v.atas_per_day;
    case Family::pca:
      return v.pca_per_day;
    case Family::instrumento:
      return v.instrumentos_per_day;
  }
  return 0;
}

int Universe::count(Family family, int day) const {
  if (day > today_) return 0;  // nothing is published in the future
  Rng rng(hash_of(options_.seed, 0xC0, static_cast<int>(family), day));
  if (rng.chance(options_.volume.empty_day_rate)) return 0;
  const int wd = weekday(day);
  const double weekday_factor = wd == 0 ? 0.15 : wd == 6 ? 0.25 : 1.0;
  const double noise = 0.7 + 0.6 * rng.uniform();
  const double n =
      base_volume(options_.volume, family) * options_.volume.scale * weekday_factor * noise;
  return static_cast<int>(std::floor(n + rng.uniform()));  // unbiased rounding
}

static void pick_reference(const Universe& u, Rng& rng, Family target, int lookback, Skeleton& s) {
  for (int attempt = 0; attempt < 6; ++attempt) {
    int day = s.day - rng.range(0, lookback);
    int n = u.count(target, day);
    if (n == 0) continue;
    s.ref_day = day;
    s.ref_index = static_cast<int>(rng.next() % static_cast<uint64_t>(n));
    return;
  }
}

// Options::revision: each revision r >= 1 changes revised_rate (5%) of the recent purchases
// (their update time becomes the end of `today`, so the update feed of today lists them, and
// they gain an item: itens.h) and revision 1 removes removed_rate (1%) of them. Own draw streams,
// so nothing else moves.
void Universe::apply_revision(Skeleton& s) const {
  if (options_.revision <= 0 || s.day < today_ - kRevisionDays || s.day > today_) return;
  if (Rng(hash_of(s.h, 0x4E40)).chance(options_.removed_rate)) {
    s.removed = true;
    return;
  }
  for (int r = 1; r <= options_.revision; ++r)
    if (Rng(hash_of(s.h, 0xC4A, r)).chance(options_.revised_rate)) s.revised = r;
  if (s.revised == 0) return;
  const int seconds = std::min(86399, 86000 + s.revised);
  s.update_seconds = s.update_day == today_ ? std::max(s.update_seconds, seconds) : seconds;
  s.update_day = today_;
}

// Every draw happens in a fixed order whatever the family, so a skeleton never depends on
// anything but (seed, family, day, index).
Skeleton Universe::skeleton(Family family, int day, int index, bool resolve_references) const {
  static const std::vector<double> modalidade_cumulative = cumulative_of(modalidade_weights());
  Skeleton s;
  s.family = family;
  s.day = day;
  s.index = index;
  s.h = hash_of(options_.seed, static_cast<int>(family), day, index);
  Rng rng(s.h);
  s.seconds = rng.range(0, 86399);
  s.orgao = static_cast<int>(population_.pick_orgao(rng));
  s.unidade = rng.range(0, static_cast<int>(population_.orgaos()[s.orgao].unidades.size()) - 1);
  s.modalidade = static_cast<int>(rng.pick(modalidade_cumulative)) + 1;
  s.modo_disputa = s.modalidade == 8 || s.modalidade == 9 || s.modalidade == 14
                       ? (rng.chance(0.2) ? 4 : 5)
                       : rng.range(1, 3);
  int update_after = rng.chance(0.55) ? 0 : rng.range(1, kUpdateLookback);
  s.update_day = day + update_after > today_ ? day : day + update_after;
  s.update_seconds =
      s.update_day == day ? s.seconds + rng.range(0, 86399 - s.seconds) : rng.range(0, 86399);
  bool has_deadline =
      s.modalidade != 9 && s.modalidade != 14 && (s.modalidade != 8 || s.modo_disputa == 4);
  int deadline_after = rng.range(3, 45);
  if (family == Family::contratacao && has_deadline) s.deadline_day = day + deadline_after;
  s.vig_start = day - rng.range(0, 10);
  s.vig_end = s.vig_start + (rng.chance(0.8) ? 364 : rng.range(89, 729));
  Civil c = civil_from_days(day);
  s.ano_pca = c.y + (c.m >= 7 ? 1 : 0);
  s.tipo_instrumento = rng.range(1, 5);
  s.bad_cnpj = rng.chance(options_.quality.invalid_cnpj_rate);
  s.bad_value = rng.chance(options_.quality.bad_value_rate);
  s.sequencial = index * 366 + day_of_year(day);
  if (family == Family::contratacao) apply_revision(s);
  if (!resolve_references) return s;
  if (family == Family::contrato || family == Family::ata)
    pick_reference(*this, rng, Family::contratacao, 60, s);
  if (family == Family::instrumento) pick_reference(*this, rng, Family::contrato, 90, s);
  if (s.ref_day >= 0) {  // a contrato or ata belongs to the body that ran the purchase
    Family target = family == Family::instrumento ? Family::contrato : Family::contratacao;
    Skeleton ref = skeleton(target, s.ref_day, s.ref_index);
    s.orgao = ref.orgao;
    s.unidade = ref.unidade;
  }
  return s;
}

std::string Universe::cnpj_of(const Skeleton& s) const {
  const std::string& cnpj = population_.orgaos()[s.orgao].cnpj;
  return s.bad_cnpj ? corrupt_cnpj(cnpj) : cnpj;
}

std::string Universe::control_number(const Skeleton& s) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "-%d-%06d/%04d", s.family == Family::contrato ? 2 : 1,
                s.sequencial, year_of(s.day));
  return cnpj_of(s) + buf;
}

bool Universe::locate_compra(int ano, int sequencial, int* day, int* index) const {
  if (sequencial < 1) return false;
  int doy = (sequencial - 1) % 366 + 1;
  int idx = (sequencial - 1) / 366;
  int d = days_from_civil(ano, 1, 1) + doy - 1;
  if (year_of(d) != ano || idx >= count(Family::contratacao, d)) return false;
  *day = d;
  *index = idx;
  return true;
}

}  // namespace pncp_sim::detail
