// Fixed reference tables the synthetic records draw from: states and municipalities (real IBGE
// codes), PNCP code tables (domain_tables.json), and word lists for names and descriptions.
#pragma once

#include <string>
#include <vector>

namespace pncp_sim::detail {

struct UfInfo {
  const char* sigla;
  const char* nome;
  double weight;  // share of public bodies
};

struct MunicipioInfo {
  const char* nome;
  const char* ibge;
  int uf;  // index into ufs()
};

struct CodeName {
  int code;
  const char* name;
};

struct AmparoInfo {
  int codigo;
  const char* nome;
  const char* descricao;
};

const std::vector<UfInfo>& ufs();
const std::vector<MunicipioInfo>& municipios();
const std::vector<CodeName>& modalidades();       // 1..14, names from domain_tables.json
const std::vector<double>& modalidade_weights();  // same order as modalidades()
const std::vector<CodeName>& modos_disputa();
const std::vector<CodeName>& tipos_contrato();
const std::vector<CodeName>& categorias_processo();
const std::vector<CodeName>& categorias_item_pca();
const std::vector<CodeName>& situacoes_compra();
const std::vector<CodeName>& tipos_instrumento_cobranca();
const std::vector<AmparoInfo>& amparos_legais();
const std::vector<CodeName>& usuarios();  // platforms that publish on PNCP (id, name)

const std::vector<const char*>& company_words();
const std::vector<const char*>& company_suffixes();
const std::vector<const char*>& purchase_items();  // "MATERIAL DE EXPEDIENTE", ...
const std::vector<const char*>& purchase_verbs();  // "AQUISIÇÃO DE", ...
const std::vector<const char*>& secretarias();     // "SECRETARIA MUNICIPAL DE SAÚDE", ...
const std::vector<const char*>& federal_bodies();  // "MINISTERIO DA SAUDE", ...
const std::vector<const char*>& supply_units();    // "UNIDADE", "CAIXA", ...
const std::vector<const char*>& person_names();

}  // namespace pncp_sim::detail
