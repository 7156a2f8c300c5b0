// The items of a purchase and the results of each item, as the PNCP maintenance API serves
// them (api-pncp-manutencao.json: RecuperarCompraItemSigiloDTO, RecuperarCompraItemResultadoDTO),
// derived from the purchase's skeleton: the same seed gives the same items, the same revision
// the same changes. Nothing here is cached; an item costs a few hundred nanoseconds to draw.
//
// Shape of the data (assumptions, not measurements of the live API): 8% of purchases have no
// items; the rest have 1 + an exponential number of items (mean about 4.5, capped at 60) and
// 0.3% of them a long list (100..700 items, so that paging is exercised); in 65% of purchases
// (homologated) 90% of the items have results: one result, or (10%) a cancelled one and the
// one that replaced it. Unit prices follow a small catalogue (catalogoCodigoItem) with a
// lognormal spread around each entry's reference price.
//
// Revisions (Options::revision, universe.cpp): a purchase revised at revision r gains one
// item (numeroItem n + 1, without results) and every item's dataAtualizacao becomes the
// purchase's new update time.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "universe.h"

namespace pncp_sim::detail {

// Items the purchase has now (revision included); 0 for a removed purchase.
int item_count(const Universe& universe, const Skeleton& compra);

// Item `numero` (1..item_count) of the purchase.
nlohmann::json build_item(const Universe& universe, const Skeleton& compra, int numero);

// Whether item `numero` has results (its temResultado).
bool item_has_results(const Universe& universe, const Skeleton& compra, int numero);

// The results of item `numero`, by sequencialResultado; empty when it has none.
std::vector<nlohmann::json> build_resultados(const Universe& universe, const Skeleton& compra,
                                             int numero);

}  // namespace pncp_sim::detail
