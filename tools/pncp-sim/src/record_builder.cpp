#include "record_builder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "calendar.h"
#include "reference_data.h"
#include "schema_change.h"

namespace pncp_sim::detail {

using nlohmann::json;

namespace {

// Shared draws and formatting for one record.
class Draw {
 public:
  Draw(const Universe& u, const Skeleton& s) : u_(u), s_(s), rng_(hash_of(s.h, 0xB1D)) {}

  Rng& rng() { return rng_; }
  bool chance(double p) { return rng_.chance(p); }
  int range(int lo, int hi) { return rng_.range(lo, hi); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[rng_.next() % v.size()];
  }

  // Lognormal amount; most with 2 decimals, some with the 4 decimals PNCP allows.
  double money(double median, double sigma) {
    double u1 = std::max(rng_.uniform(), 1e-12), u2 = rng_.uniform();
    double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    double v = median * std::exp(sigma * z);
    double scale = chance(0.1) ? 10000.0 : 100.0;
    return std::round(v * scale) / scale;
  }

  const Orgao& orgao() const { return u_.population().orgaos()[s_.orgao]; }
  const Unidade& unidade() const { return orgao().unidades[s_.unidade]; }

  json orgao_entidade() const {
    return {{"cnpj", u_.cnpj_of(s_)},
            {"razaoSocial", orgao().razao_social},
            {"poderId", orgao().poder_id},
            {"esferaId", orgao().esfera_id}};
  }

  json unidade_orgao() const {
    const MunicipioInfo& m = municipios()[unidade().municipio];
    const UfInfo& uf = ufs()[m.uf];
    return {
        {"ufNome", uf.nome},   {"codigoUnidade", unidade().codigo}, {"nomeUnidade", unidade().nome},
        {"ufSigla", uf.sigla}, {"municipioNome", m.nome},           {"codigoIbge", m.ibge}};
  }

  std::string usuario_nome() const { return usuarios()[orgao().usuario].name; }

  std::string published() const { return timestamp(s_.day, s_.seconds); }
  std::string updated() const { return timestamp(s_.update_day, s_.update_seconds); }
  std::string updated_global() {
    return timestamp(s_.update_day, std::min(86399, s_.update_seconds + range(0, 9)));
  }

  // A date with the right shape that no calendar has, for the bad-value quarantine cases.
  std::string impossible_date() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-02-30", year_of(s_.day));
    return buf;
  }

  std::string text_or_null(double p_null, double p_empty, const std::string& text) {
    double x = rng_.uniform();
    if (x < p_null) return "\x01";  // marker turned into null by set_text
    if (x < p_null + p_empty) return "";
    return text;
  }

  const Universe& u_;
  const Skeleton& s_;

 private:
  Rng rng_;
};

void set_text(json& j, const char* key, const std::string& v) {
  j[key] = v == "\x01" ? json(nullptr) : json(v);
}

// A contract updated after its publication day is, in about a third of cases, amended (termo
// aditivo): valorGlobal moves away from valorInicial and numeroRetificacao counts the change.
// The update day is capped at `today` (universe.cpp), so a simulator whose today comes before it
// still serves the original value: advancing today shows the value changing over time, as daily
// incremental loads see it. Draws come from their own stream so no other field depends on them.
void amend_if_updated(const Skeleton& s, double initial, json& j) {
  Rng rng(hash_of(s.h, 0xAD));
  const bool amended = rng.chance(0.35);
  const double change = rng.range(1, 25) / 100.0;
  const double factor = rng.chance(0.8) ? 1.0 + change : 1.0 - change;
  if (s.update_day <= s.day || !amended) return;
  j["valorGlobal"] = std::round(initial * factor * 100) / 100;
  j["numeroRetificacao"] = std::max(1, j["numeroRetificacao"].get<int>());
}

std::string objeto(Draw& d) {
  return std::string(d.pick(purchase_verbs())) + " " + d.pick(purchase_items()) + " PARA " +
         "ATENDER ÀS NECESSIDADES DA " + d.unidade().nome;
}

std::string processo(Draw& d) {
  char buf[32];
  if (d.chance(0.5))
    std::snprintf(buf, sizeof buf, "%d/%d", d.range(1, 9999), year_of(d.s_.day));
  else
    std::snprintf(buf, sizeof buf, "%05d%012d", d.range(1, 99999), d.range(1, 999999999));
  return buf;
}

int amparo_for(Draw& d, int modalidade) {
  switch (modalidade) {
    case 6:
    case 7:
      return 1;
    case 4:
    case 5:
      return 2;
    case 3:
      return 3;
    case 1:
    case 13:
      return 4;
    case 2:
      return 5;
    case 8:
      return d.pick(std::vector<int>{18, 19, 19, 24});
    case 9:
      return d.pick(std::vector<int>{6, 8, 50});
    case 12:
      return 79;
    default:
      return 1;
  }
}

json amparo_legal(int codigo) {
  for (const AmparoInfo& a : amparos_legais())
    if (a.codigo == codigo)
      return {{"codigo", a.codigo}, {"nome", a.nome}, {"descricao", a.descricao}};
  return nullptr;
}

std::string name_of(const std::vector<CodeName>& table, int code) {
  for (const CodeName& c : table)
    if (c.code == code) return c.name;
  return "";
}

json build_contratacao(Draw& d) {
  const Skeleton& s = d.s_;
  json j;
  j["orgaoEntidade"] = d.orgao_entidade();
  j["unidadeOrgao"] = d.unidade_orgao();
  j["orgaoSubRogado"] = nullptr;
  j["unidadeSubRogada"] = nullptr;
  if (d.chance(0.02)) {
    j["orgaoSubRogado"] = d.orgao_entidade();
    j["unidadeSubRogada"] = d.unidade_orgao();
  }
  j["anoCompra"] = year_of(s.day);
  j["sequencialCompra"] = s.sequencial;
  j["numeroControlePNCP"] = d.u_.control_number(s);
  char numero[32];
  if (d.chance(0.4))
    std::snprintf(numero, sizeof numero, "%d", d.range(1, 400));
  else
    std::snprintf(numero, sizeof numero, "PE SRP %03d/%d", d.range(1, 400), year_of(s.day));
  j["numeroCompra"] = numero;
  j["processo"] = processo(d);
  j["objetoCompra"] = objeto(d);
  j["modalidadeId"] = s.modalidade;
  j["modalidadeNome"] = name_of(modalidades(), s.modalidade);
  j["modoDisputaId"] = s.modo_disputa;
  j["modoDisputaNome"] = name_of(modos_disputa(), s.modo_disputa);
  int instrumento = s.modalidade == 8 || s.modalidade == 9 || s.modalidade == 14
                        ? (s.modo_disputa == 4 ? 2 : 3)
                        : 1;
  j["tipoInstrumentoConvocatorioCodigo"] = instrumento;
  j["tipoInstrumentoConvocatorioNome"] = instrumento == 1 ? "Edital"
                                         : instrumento == 2
                                             ? "Aviso de Contratação Direta"
                                             : "Ato que autoriza a Contratação Direta";
  j["amparoLegal"] = amparo_legal(amparo_for(d, s.modalidade));
  j["srp"] = d.chance(s.modalidade == 6 ? 0.4 : 0.1);
  int situacao = d.chance(0.9) ? 1 : d.range(2, 4);
  j["situacaoCompraId"] = situacao;  // an integer in real bodies, a string enum in the spec
  j["situacaoCompraNome"] = name_of(situacoes_compra(), situacao);
  j["dataInclusao"] = d.published();
  j["dataPublicacaoPncp"] = d.published();
  j["dataAtualizacao"] = d.updated();
  j["dataAtualizacaoGlobal"] = d.updated_global();
  j["dataAberturaProposta"] = nullptr;
  j["dataEncerramentoProposta"] = nullptr;
  if (s.deadline_day >= 0) {
    j["dataAberturaProposta"] = timestamp(s.day + d.range(0, 2), 8 * 3600);
    j["dataEncerramentoProposta"] = timestamp(s.deadline_day, d.range(8, 17) * 3600);
  }
  double estimado = d.money(40000, 1.6);
  j["valorTotalEstimado"] = estimado;
  j["valorTotalHomologado"] =
      d.chance(0.6) ? json(nullptr)
                    : json(std::round(estimado * (0.7 + 0.3 * d.rng().uniform()) * 100) / 100);
  set_text(j, "informacaoComplementar",
           d.text_or_null(0.4, 0.3, "Processo administrativo " + processo(d)));
  set_text(j, "linkSistemaOrigem",
           d.text_or_null(
               0.2, 0.3,
               "https://www.portaldecompras.example/processo/" + std::to_string(s.sequencial)));
  bool presencial = s.modalidade == 5 || s.modalidade == 7 || s.modalidade == 13;
  set_text(j, "justificativaPresencial",
           presencial ? "Justificativa da forma presencial conforme art. 17, § 2º"
                      : d.text_or_null(0.8, 0.2, ""));
  j["linkProcessoEletronico"] = nullptr;
  j["fontesOrcamentarias"] = json::array();
  if (d.chance(0.1))
    j["fontesOrcamentarias"].push_back({{"codigo", 1},
                                        {"nome", "Recursos Ordinários"},
                                        {"descricao", "Recursos próprios do tesouro"},
                                        {"dataInclusao", d.published()}});
  j["usuarioNome"] = d.usuario_nome();
  if (s.bad_value) {
    if (d.chance(0.5))
      j["valorTotalEstimado"] = -std::abs(estimado);
    else
      j["dataInclusao"] = d.impossible_date() + "T10:00:00";
  }
  return j;
}

json build_contrato(Draw& d) {
  const Skeleton& s = d.s_;
  json j;
  j["orgaoEntidade"] = d.orgao_entidade();
  j["unidadeOrgao"] = d.unidade_orgao();
  j["orgaoSubRogado"] = nullptr;
  j["unidadeSubRogada"] = nullptr;
  j["numeroControlePncpCompra"] = nullptr;
  if (s.ref_day >= 0) {
    Skeleton compra = d.u_.skeleton(Family::contratacao, s.ref_day, s.ref_index);
    j["numeroControlePncpCompra"] = d.u_.control_number(compra);
  }
  j["numeroControlePNCP"] = d.u_.control_number(s);
  j["anoContrato"] = year_of(s.day);
  j["sequencialContrato"] = s.sequencial;
  const CodeName& tipo = d.chance(0.6) ? tipos_contrato()[0] : d.pick(tipos_contrato());
  j["tipoContrato"] = {{"id", tipo.code}, {"nome", tipo.name}};
  const CodeName& categoria = d.pick(categorias_processo());
  j["categoriaProcesso"] = {{"id", categoria.code}, {"nome", categoria.name}};
  char numero[32];
  std::snprintf(numero, sizeof numero, "%dNE%06d", year_of(s.day), d.range(1, 999999));
  j["numeroContratoEmpenho"] = numero;
  j["processo"] = processo(d);
  j["objetoContrato"] = objeto(d);
  int signed_day = s.day - d.range(0, 5);
  j["dataAssinatura"] = iso_date(signed_day);
  j["dataVigenciaInicio"] = iso_date(signed_day);
  j["dataVigenciaFim"] = iso_date(signed_day + d.range(30, 730));
  const Fornecedor& f =
      d.u_.population().fornecedores()[d.u_.population().pick_fornecedor(d.rng())];
  j["niFornecedor"] = s.bad_cnpj && f.tipo_pessoa == "PJ" ? corrupt_cnpj(f.ni) : f.ni;
  j["tipoPessoa"] = f.tipo_pessoa;
  j["nomeRazaoSocialFornecedor"] = f.nome;
  j["codigoPaisFornecedor"] = f.tipo_pessoa == "PE" ? json("USA")
                              : d.chance(0.5)       ? json("BRA")
                                                    : json(nullptr);
  j["niFornecedorSubContratado"] = nullptr;
  j["nomeFornecedorSubContratado"] = nullptr;
  j["tipoPessoaSubContratada"] = nullptr;
  j["receita"] = categoria.code == 11;
  int parcelas = d.chance(0.7) ? 1 : d.range(2, 12);
  double global = d.money(25000, 1.5);
  j["numeroParcelas"] = parcelas;
  j["valorInicial"] = global;
  j["valorGlobal"] = global;
  j["valorParcela"] = std::round(global / parcelas * 100) / 100;
  j["valorAcumulado"] = d.chance(0.8) ? json(nullptr) : json(global);
  j["numeroRetificacao"] = d.chance(0.85) ? 0 : d.range(1, 3);
  j["informacaoComplementar"] = d.chance(0.6) ? json(nullptr) : json("UASG " + d.unidade().codigo);
  j["dataPublicacaoPncp"] = d.published();
  j["dataAtualizacao"] = d.updated();
  j["dataAtualizacaoGlobal"] = d.updated_global();
  j["identificadorCipi"] = nullptr;
  j["urlCipi"] = nullptr;
  j["usuarioNome"] = d.usuario_nome();
  amend_if_updated(s, global, j);
  if (s.bad_value) {
    if (d.chance(0.5))
      j["valorGlobal"] = -std::abs(global);
    else
      j["dataAssinatura"] = d.impossible_date();
  }
  return j;
}

json build_ata(Draw& d) {
  const Skeleton& s = d.s_;
  // Atas often come with plain yyyy-MM-dd dates although the spec says date-time.
  const bool plain = d.chance(0.6);
  auto date_at = [&](int day, int seconds) {
    return plain ? iso_date(day) : timestamp(day, seconds);
  };
  std::string compra;
  if (s.ref_day >= 0) {
    compra = d.u_.control_number(d.u_.skeleton(Family::contratacao, s.ref_day, s.ref_index));
  } else {
    Skeleton own = s;
    own.family = Family::contratacao;
    compra = d.u_.control_number(own);
  }
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%06d", s.sequencial);
  json j;
  j["numeroControlePNCPAta"] = compra + suffix;
  j["numeroControlePNCPCompra"] = compra;
  j["numeroAtaRegistroPreco"] = std::to_string(d.range(1, 500));
  j["anoAta"] = year_of(s.day);
  bool cancelado = d.chance(0.05);
  j["cancelado"] = cancelado;
  j["dataCancelamento"] = cancelado ? json(date_at(s.update_day, s.update_seconds)) : json(nullptr);
  j["dataAssinatura"] = date_at(s.vig_start - d.range(0, 3), 0);
  j["vigenciaInicio"] = date_at(s.vig_start, 0);
  j["vigenciaFim"] = date_at(s.vig_end, 0);
  j["dataPublicacaoPncp"] = date_at(s.day, s.seconds);
  j["dataInclusao"] = date_at(s.day, s.seconds);
  j["dataAtualizacao"] = date_at(s.update_day, s.update_seconds);
  j["dataAtualizacaoGlobal"] = date_at(s.update_day, s.update_seconds);
  j["usuario"] = d.usuario_nome();
  j["objetoContratacao"] = objeto(d);
  j["cnpjOrgao"] = d.u_.cnpj_of(s);
  j["nomeOrgao"] = d.orgao().razao_social;
  j["codigoUnidadeOrgao"] = d.unidade().codigo;
  j["nomeUnidadeOrgao"] = d.unidade().nome;
  j["cnpjOrgaoSubrogado"] = nullptr;
  j["nomeOrgaoSubrogado"] = nullptr;
  j["codigoUnidadeOrgaoSubrogado"] = nullptr;
  j["nomeUnidadeOrgaoSubrogado"] = nullptr;
  if (s.bad_value) j["vigenciaFim"] = d.impossible_date();
  return j;
}

struct Classe {
  const char* codigo;
  const char* nome;
  int catalogo;  // 1 material, 2 servico
};

const std::vector<Classe>& classes_pca() {
  static const std::vector<Classe> v = {
      {"1", "UNIDADE", 1},         {"979", "SERVIÇOS DE TI", 2},
      {"6505", "MEDICAMENTOS", 1}, {"7510", "MATERIAL DE EXPEDIENTE", 1},
      {"8910", "ALIMENTOS", 1},    {"19", "SERVIÇOS DE LIMPEZA", 2},
      {"5410", "OBRAS CIVIS", 2},  {"6515", "MATERIAL HOSPITALAR", 1}};
  return v;
}

json build_pca_item(Draw& d, int numero) {
  const Classe& classe = d.pick(classes_pca());
  const CodeName& categoria = categorias_item_pca()[classe.catalogo == 1 ? 0 : 1];
  double unitario = d.money(300, 1.2);
  int quantidade = d.range(1, 500);
  json item;
  item["numeroItem"] = numero;
  item["categoriaItemPcaNome"] = categoria.name;
  item["classificacaoCatalogoId"] = classe.catalogo;
  item["nomeClassificacaoCatalogo"] = classe.catalogo == 1 ? "Material" : "Serviço";
  item["classificacaoSuperiorCodigo"] = classe.codigo;
  item["classificacaoSuperiorNome"] = classe.nome;
  item["pdmCodigo"] = classe.catalogo == 1 && d.chance(0.5)
                          ? json(std::to_string(d.range(1000, 99999)))
                          : json(nullptr);
  item["pdmDescricao"] = item["pdmCodigo"].is_null() ? json(nullptr) : json(classe.nome);
  item["codigoItem"] = std::to_string(d.range(10000, 999999));
  item["descricaoItem"] = d.pick(purchase_items());
  item["unidadeFornecimento"] = d.pick(supply_units());
  item["quantidadeEstimada"] = quantidade;
  item["valorUnitario"] = unitario;
  item["valorTotal"] = std::round(unitario * quantidade * 100) / 100;
  item["valorOrcamentoExercicio"] = item["valorTotal"];
  item["unidadeRequisitante"] = d.orgao().razao_social;
  item["grupoContratacaoCodigo"] = nullptr;
  item["grupoContratacaoNome"] = nullptr;
  item["dataDesejada"] = iso_date(days_from_civil(d.s_.ano_pca, d.range(1, 12), d.range(1, 28)));
  item["dataInclusao"] = d.published();
  item["dataAtualizacao"] = d.updated();
  return item;
}

json build_pca(Draw& d) {
  const Skeleton& s = d.s_;
  json j;
  char id[64];
  std::snprintf(id, sizeof id, "-0-%06d/%04d", s.sequencial, s.ano_pca);
  j["idPcaPncp"] = d.u_.cnpj_of(s) + id;
  j["anoPca"] = s.ano_pca;
  j["orgaoEntidadeCnpj"] = d.u_.cnpj_of(s);
  j["orgaoEntidadeRazaoSocial"] = d.orgao().razao_social;
  j["codigoUnidade"] = d.unidade().codigo;
  j["nomeUnidade"] = d.unidade().nome;
  j["dataPublicacaoPNCP"] = d.published();
  j["dataAtualizacaoGlobalPCA"] = d.updated();
  j["itens"] = json::array();
  int n = d.range(1, 6);
  for (int i = 0; i < n; ++i) j["itens"].push_back(build_pca_item(d, i + 1));
  if (s.bad_value)
    j["itens"][0]["valorTotal"] = -std::abs(j["itens"][0]["valorTotal"].get<double>());
  return j;
}

json nota_fiscal(Draw& d, const json& contrato) {
  std::string chave;
  for (int i = 0; i < 44; ++i) chave += static_cast<char>('0' + d.range(0, 9));
  double valor = d.money(5000, 1.2);
  char valor_text[32];
  std::snprintf(valor_text, sizeof valor_text, "%.2f", valor);
  json nf;
  nf["instrumentoCobrancaId"] = static_cast<long long>(d.s_.h % 10000000);
  nf["chave"] = chave;
  nf["nfTransparenciaID"] = static_cast<long long>(d.s_.h % 100000000);
  nf["numero"] = d.range(1, 999999);
  nf["serie"] = d.range(1, 9);
  nf["dataEmissao"] = timestamp(d.s_.day - d.range(0, 5), d.range(0, 86399));
  nf["niEmitente"] = contrato.is_null() ? json(nullptr) : contrato["niFornecedor"];
  nf["nomeEmitente"] = contrato.is_null() ? json(nullptr) : contrato["nomeRazaoSocialFornecedor"];
  nf["nomeMunicipioEmitente"] = municipios()[d.unidade().municipio].nome;
  nf["codigoOrgaoDestinatario"] = d.unidade().codigo;
  nf["nomeOrgaoDestinatario"] = d.unidade().nome;
  nf["codigoOrgaoSuperiorDestinatario"] = d.u_.cnpj_of(d.s_);
  nf["nomeOrgaoSuperiorDestinatario"] = d.orgao().razao_social;
  nf["valorNotaFiscal"] = valor_text;  // strings in this DTO, as the spec declares
  nf["tipoEventoMaisRecente"] = "Autorização de Uso";
  nf["dataTipoEventoMaisRecente"] = timestamp(d.s_.day, d.s_.seconds);
  nf["dataInclusao"] = d.published();
  nf["dataAtualizacao"] = d.updated();
  nf["itens"] = json::array({{{"numeroItem", "1"},
                              {"descricaoProdutoServico", d.pick(purchase_items())},
                              {"codigoNCM", "84713012"},
                              {"descricaoNCM", "Máquinas automáticas"},
                              {"cfop", "5102"},
                              {"quantidade", "1.0000"},
                              {"unidade", "UN"},
                              {"valorUnitario", valor_text},
                              {"valorTotal", valor_text}}});
  nf["eventos"] = json::array();
  return nf;
}

json build_instrumento(Draw& d) {
  const Skeleton& s = d.s_;
  json contrato = nullptr;
  if (s.ref_day >= 0)
    contrato = build_record(d.u_, d.u_.skeleton(Family::contrato, s.ref_day, s.ref_index));
  json j;
  j["cnpj"] = d.u_.cnpj_of(s);
  j["ano"] = contrato.is_null() ? year_of(s.day) : contrato["anoContrato"].get<int>();
  j["sequencialContrato"] = contrato.is_null() ? json(nullptr) : contrato["sequencialContrato"];
  j["sequencialInstrumentoCobranca"] = s.sequencial;
  const CodeName& tipo = tipos_instrumento_cobranca()[s.tipo_instrumento - 1];
  j["tipoInstrumentoCobranca"] = {{"id", tipo.code},
                                  {"nome", tipo.name},
                                  {"descricao", tipo.name},
                                  {"dataInclusao", "2023-01-01T00:00:00"},
                                  {"dataAtualizacao", "2023-01-01T00:00:00"},
                                  {"statusAtivo", true}};
  j["numeroInstrumentoCobranca"] = std::to_string(d.range(1, 999999));
  j["dataEmissaoDocumento"] = iso_date(s.day - d.range(0, 5));
  j["observacao"] = d.chance(0.7) ? json(nullptr) : json("Referente à parcela do contrato");
  const bool nfe = s.tipo_instrumento == 1;
  j["notaFiscalEletronica"] = nfe ? nota_fiscal(d, contrato) : json(nullptr);
  j["chaveNFe"] = nfe ? j["notaFiscalEletronica"]["chave"] : json(nullptr);
  j["fonteNFe"] = nfe ? json(1) : json(nullptr);
  j["dataConsultaNFe"] = nfe ? json(d.published()) : json(nullptr);
  j["statusResponseNFe"] = nfe ? json("200") : json(nullptr);
  j["jsonResponseNFe"] = nullptr;
  j["dataInclusao"] = d.published();
  j["dataAtualizacao"] = d.updated();
  j["recuperarContratoDTO"] = contrato;
  if (s.bad_value) j["dataEmissaoDocumento"] = d.impossible_date();
  return j;
}

}  // namespace

json build_record(const Universe& universe, const Skeleton& skeleton) {
  Draw d(universe, skeleton);
  json j;
  switch (skeleton.family) {
    case Family::contratacao:
      j = build_contratacao(d);
      break;
    case Family::contrato:
      j = build_contrato(d);
      break;
    case Family::ata:
      j = build_ata(d);
      break;
    case Family::pca:
      j = build_pca(d);
      break;
    case Family::instrumento:
      j = build_instrumento(d);
      break;
  }
  apply_schema_changes(universe.options(), skeleton.family, skeleton.day, j);
  return j;
}

json build_compra_detail(const Universe& universe, const Skeleton& skeleton) {
  json j = build_record(universe, skeleton);
  Rng rng(hash_of(skeleton.h, 0xDE7));
  j["orcamentoSigilosoCodigo"] = 1;
  j["orcamentoSigilosoDescricao"] = "Compra sem sigilo";
  bool homologado = j.contains("valorTotalHomologado") && !j["valorTotalHomologado"].is_null();
  j["existeResultado"] = homologado || rng.chance(0.3);
  return j;
}

}  // namespace pncp_sim::detail
