// Builds the JSON of one record from its skeleton, field by field as the OpenAPI DTOs and the
// recorded samples show them (nulls, integer situacaoCompraId, "N" poder/esfera, 4-decimal
// money, zone-less timestamps, plain dates in atas), then applies the configured schema changes.
#pragma once

#include <nlohmann/json.hpp>

#include "universe.h"

namespace pncp_sim::detail {

// RecuperarCompraPublicacaoDTO, RecuperarContratoDTO, AtaRegistroPrecoPeriodoDTO,
// PlanoContratacaoComItensDoUsuarioDTO or ConsultarInstrumentoCobrancaDTO by family.
nlohmann::json build_record(const Universe& universe, const Skeleton& skeleton);

// RecuperarCompraDTO: the single-purchase view of /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}.
nlohmann::json build_compra_detail(const Universe& universe, const Skeleton& skeleton);

}  // namespace pncp_sim::detail
