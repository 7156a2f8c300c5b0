// Ground truth of the maintenance API's items and results (data.h: compras_between).
#include "calendar.h"
#include "itens.h"
#include "pncp_sim/data.h"

namespace pncp_sim {

std::vector<CompraTruth> compras_between(const Options& options, const std::string& from,
                                         const std::string& to, bool items) {
  const auto first = detail::parse_date_loose(from);
  const auto last = detail::parse_date_loose(to);
  if (!first || !last) throw std::invalid_argument("'" + from + "'..'" + to + "' are not dates");
  detail::Universe u(options);
  std::vector<CompraTruth> out;
  for (int day = *first; day <= *last; ++day) {
    const int n = u.count(detail::Family::contratacao, day);
    for (int i = 0; i < n; ++i) {
      const detail::Skeleton s = u.skeleton(detail::Family::contratacao, day, i);
      CompraTruth c;
      c.numero_controle_pncp = u.control_number(s);
      c.cnpj = u.cnpj_of(s);
      c.ano = detail::year_of(day);
      c.sequencial = s.sequencial;
      c.publicacao = detail::yyyymmdd(day);
      c.removed = s.removed;
      c.revised = s.revised;
      c.bad_data = s.bad_cnpj || s.bad_value;
      if (items) {
        const int count = detail::item_count(u, s);
        for (int k = 1; k <= count; ++k) {
          c.itens.push_back(detail::build_item(u, s, k));
          auto results = detail::build_resultados(u, s, k);
          if (!results.empty()) c.resultados[k] = std::move(results);
        }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace pncp_sim

namespace pncp_sim {

nlohmann::json itens_summary(const Options& options, const std::string& from, const std::string& to,
                             int page_size) {
  if (page_size < 1) throw std::invalid_argument("page size must be at least 1");
  const auto first = detail::parse_date_loose(from);
  const auto last = detail::parse_date_loose(to);
  if (!first || !last) throw std::invalid_argument("'" + from + "'..'" + to + "' are not dates");
  detail::Universe u(options);
  long long compras = 0, sem_itens = 0, removidas = 0, itens = 0, com_resultado = 0, resultados = 0,
            req_itens = 0, req_quantidade = 0, max_itens = 0;
  for (int day = *first; day <= *last; ++day) {
    const int n = u.count(detail::Family::contratacao, day);
    for (int i = 0; i < n; ++i) {
      const detail::Skeleton s = u.skeleton(detail::Family::contratacao, day, i);
      ++compras;
      if (s.removed) {
        ++removidas;
        continue;
      }
      const int count = detail::item_count(u, s);
      if (count == 0) ++sem_itens;
      itens += count;
      max_itens = std::max<long long>(max_itens, count);
      // A full last page is followed by one more request that answers 204.
      req_itens += count / page_size + 1;
      // The count (.../itens/quantidade) that proves a purchase with items.
      if (count > 0) ++req_quantidade;
      for (int k = 1; k <= count; ++k) {
        if (!detail::item_has_results(u, s, k)) continue;
        ++com_resultado;
        resultados += static_cast<long long>(detail::build_resultados(u, s, k).size());
      }
    }
  }
  return {{"compras", compras},
          {"compras_sem_itens", sem_itens},
          {"compras_removidas", removidas},
          {"itens", itens},
          {"itens_com_resultado", com_resultado},
          {"resultados", resultados},
          {"max_itens", max_itens},
          {"page_size", page_size},
          {"requests_itens", req_itens},
          {"requests_quantidade", req_quantidade},
          {"requests_resultados", com_resultado}};
}

}  // namespace pncp_sim
