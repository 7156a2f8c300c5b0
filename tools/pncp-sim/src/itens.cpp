#include "itens.h"

#include <algorithm>
#include <cmath>

#include "calendar.h"
#include "hash.h"

namespace pncp_sim::detail {

using nlohmann::json;

namespace {

struct CatalogItem {
  const char* descricao;
  const char* codigo;  // catalogoCodigoItem (CATMAT / CATSER)
  const char* unidade;
  double preco;     // reference unit price (R$)
  bool material;    // M or S
  const char* ncm;  // ncmNbsCodigo
};

// Goods and services municipalities buy every month, with plausible reference prices.
const std::vector<CatalogItem>& catalog() {
  static const std::vector<CatalogItem> v = {
      {"PAPEL A4, 75 G/M2, BRANCO, RESMA COM 500 FOLHAS", "461238", "RESMA", 27.5, true,
       "48025610"},
      {"CANETA ESFEROGRÁFICA, TINTA AZUL, PONTA MÉDIA", "279314", "UNIDADE", 1.2, true, "96081000"},
      {"ÁLCOOL ETÍLICO 70%, FRASCO 1 LITRO", "269941", "FRASCO", 8.9, true, "22071090"},
      {"DIPIRONA SÓDICA 500 MG, COMPRIMIDO", "267665", "COMPRIMIDO", 0.12, true, "30049099"},
      {"LUVA DE PROCEDIMENTO, LÁTEX, TAMANHO M, CAIXA COM 100", "269844", "CAIXA", 32.0, true,
       "40151900"},
      {"SERINGA DESCARTÁVEL 5 ML, SEM AGULHA", "439626", "UNIDADE", 0.35, true, "90183119"},
      {"ARROZ BRANCO TIPO 1, PACOTE 5 KG", "454231", "PACOTE", 27.0, true, "10063021"},
      {"FEIJÃO CARIOCA TIPO 1, PACOTE 1 KG", "454232", "PACOTE", 8.4, true, "07133319"},
      {"ÓLEO DE SOJA REFINADO, GARRAFA 900 ML", "454240", "GARRAFA", 7.6, true, "15079011"},
      {"LEITE UHT INTEGRAL, CAIXA 1 LITRO", "454245", "LITRO", 5.2, true, "04012010"},
      {"CAFÉ TORRADO E MOÍDO, PACOTE 500 G", "454237", "PACOTE", 17.9, true, "09012100"},
      {"ÁGUA SANITÁRIA 2,5%, FRASCO 1 LITRO", "270118", "FRASCO", 3.1, true, "28289011"},
      {"DETERGENTE LÍQUIDO NEUTRO, FRASCO 500 ML", "270119", "FRASCO", 2.4, true, "34022000"},
      {"PAPEL HIGIÊNICO FOLHA DUPLA, PACOTE COM 12 ROLOS", "270121", "PACOTE", 19.8, true,
       "48181000"},
      {"GASOLINA COMUM", "415441", "LITRO", 5.9, true, "27101259"},
      {"ÓLEO DIESEL S10", "415442", "LITRO", 6.1, true, "27101921"},
      {"PNEU 175/70 R14", "441022", "UNIDADE", 390.0, true, "40111000"},
      {"COMPUTADOR DESKTOP, PROCESSADOR 8 NÚCLEOS, 16 GB RAM, SSD 512 GB", "468398", "UNIDADE",
       4200.0, true, "84714900"},
      {"MONITOR LED 23,8 POLEGADAS", "468404", "UNIDADE", 890.0, true, "85285200"},
      {"CADEIRA GIRATÓRIA COM BRAÇOS", "150860", "UNIDADE", 650.0, true, "94013090"},
      {"TONER PARA IMPRESSORA LASER, PRETO", "445583", "UNIDADE", 180.0, true, "84433990"},
      {"SERVIÇO DE MANUTENÇÃO PREVENTIVA E CORRETIVA DE VEÍCULOS", "2771", "SERVIÇO", 950.0, false,
       "1.2001.10.00"},
      {"SERVIÇO DE LIMPEZA E CONSERVAÇÃO PREDIAL", "5380", "M2", 7.5, false, "1.0599.10.00"},
      {"LOCAÇÃO DE VEÍCULO COM MOTORISTA", "3352", "DIÁRIA", 480.0, false, "1.0601.21.00"},
      {"SERVIÇO DE FORNECIMENTO DE REFEIÇÕES PRONTAS", "3646", "REFEIÇÃO", 18.0, false,
       "1.0301.10.00"},
  };
  return v;
}

const int kMaxPlainItems = 60;

int base_item_count(const Skeleton& compra) {
  Rng rng(hash_of(compra.h, 0x17E));
  if (rng.chance(0.08)) return 0;
  if (rng.chance(0.003)) return rng.range(100, 700);
  const double u = std::max(rng.uniform(), 1e-12);
  return 1 + std::min(kMaxPlainItems - 1, static_cast<int>(std::floor(-std::log(u) * 3.5)));
}

bool homologated(const Skeleton& compra) {
  return Rng(hash_of(compra.h, 0x40D)).chance(0.65);
}

double lognormal(Rng& rng, double median, double sigma) {
  const double u1 = std::max(rng.uniform(), 1e-12), u2 = rng.uniform();
  const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  return median * std::exp(sigma * z);
}

double cents(double v) {
  return std::round(v * 100) / 100;
}

double to4(double v) {
  return std::round(v * 10000) / 10000;
}

// The drawn attributes of one item that results need too.
struct ItemDraw {
  const CatalogItem* catalogo;
  double quantidade;
  double unitario;  // valorUnitarioEstimado
  int criterio;
};

ItemDraw draw_item(const Skeleton& compra, int numero) {
  Rng rng(hash_of(compra.h, 0x17F, numero));
  ItemDraw d;
  d.catalogo = &catalog()[rng.next() % catalog().size()];
  d.quantidade = d.catalogo->material ? rng.range(1, 2000) : rng.range(1, 24);
  d.unitario = d.catalogo->preco < 1 ? to4(lognormal(rng, d.catalogo->preco, 0.25))
                                     : cents(lognormal(rng, d.catalogo->preco, 0.25));
  d.criterio = rng.chance(0.85) ? 1 : 2;  // menor preço, maior desconto
  return d;
}

std::string updated_at(const Skeleton& compra) {
  return timestamp(compra.update_day, compra.update_seconds);
}

}  // namespace

int item_count(const Universe&, const Skeleton& compra) {
  if (compra.removed) return 0;
  return base_item_count(compra) + (compra.revised > 0 ? 1 : 0);
}

bool item_has_results(const Universe& universe, const Skeleton& compra, int numero) {
  if (numero < 1 || numero > item_count(universe, compra)) return false;
  if (numero > base_item_count(compra)) return false;  // added by a revision: not judged yet
  return homologated(compra) && Rng(hash_of(compra.h, 0x4E5, numero)).chance(0.9);
}

json build_item(const Universe& universe, const Skeleton& compra, int numero) {
  const ItemDraw d = draw_item(compra, numero);
  const bool resultado = item_has_results(universe, compra, numero);
  Rng rng(hash_of(compra.h, 0x180, numero));
  json j;
  j["numeroItem"] = numero;
  j["descricao"] = d.catalogo->descricao;
  j["materialOuServico"] = d.catalogo->material ? "M" : "S";
  j["materialOuServicoNome"] = d.catalogo->material ? "Material" : "Serviço";
  j["valorUnitarioEstimado"] = d.unitario;
  j["valorTotal"] = cents(d.unitario * d.quantidade);
  j["quantidade"] = d.quantidade;
  j["unidadeMedida"] = d.catalogo->unidade;
  j["orcamentoSigiloso"] = false;
  j["itemCategoriaId"] = 3;
  j["itemCategoriaNome"] = "Não se aplica";
  j["patrimonio"] = nullptr;
  j["codigoRegistroImobiliario"] = nullptr;
  j["criterioJulgamentoId"] = d.criterio;
  j["criterioJulgamentoNome"] = d.criterio == 1 ? "Menor preço" : "Maior desconto";
  const int situacao = resultado ? 2 : rng.chance(0.9) ? 1 : rng.range(3, 4);
  j["situacaoCompraItem"] = situacao;  // an integer in live bodies, a string enum in the spec
  j["situacaoCompraItemNome"] = situacao == 1   ? "Em Andamento"
                                : situacao == 2 ? "Homologado"
                                : situacao == 3 ? "Anulado/Revogado/Cancelado"
                                                : "Deserto";
  const int beneficio = rng.chance(0.7) ? 5 : rng.range(1, 3);
  j["tipoBeneficio"] = beneficio;
  j["tipoBeneficioNome"] = beneficio == 1   ? "Participação exclusiva para ME/EPP"
                           : beneficio == 2 ? "Subcontratação para ME/EPP"
                           : beneficio == 3 ? "Cota reservada para ME/EPP"
                                            : "Sem benefício";
  j["incentivoProdutivoBasico"] = false;
  j["dataInclusao"] = timestamp(compra.day, compra.seconds);
  j["dataAtualizacao"] =
      compra.revised > 0 ? updated_at(compra) : timestamp(compra.day, compra.seconds);
  j["temResultado"] = resultado;
  j["imagem"] = 0;
  j["aplicabilidadeMargemPreferenciaNormal"] = false;
  j["aplicabilidadeMargemPreferenciaAdicional"] = false;
  j["percentualMargemPreferenciaNormal"] = nullptr;
  j["percentualMargemPreferenciaAdicional"] = nullptr;
  j["ncmNbsCodigo"] = d.catalogo->ncm;
  j["ncmNbsDescricao"] = nullptr;
  j["catalogo"] = {{"id", d.catalogo->material ? 1 : 2},
                   {"nome", d.catalogo->material ? "CATMAT" : "CATSER"}};
  j["categoriaItemCatalogo"] = {{"id", d.catalogo->material ? 1 : 2},
                                {"nome", d.catalogo->material ? "Material" : "Serviço"}};
  j["catalogoCodigoItem"] = d.catalogo->codigo;
  j["informacaoComplementar"] =
      rng.chance(0.5) ? json(nullptr) : json("Conforme termo de referência");
  j["tipoMargemPreferencia"] = nullptr;
  j["exigenciaConteudoNacional"] = false;
  return j;
}

std::vector<json> build_resultados(const Universe& universe, const Skeleton& compra, int numero) {
  std::vector<json> out;
  if (!item_has_results(universe, compra, numero)) return out;
  const ItemDraw d = draw_item(compra, numero);
  Rng rng(hash_of(compra.h, 0x4E6, numero));
  const int count = rng.chance(0.1) ? 2 : 1;
  const int result_day = std::min(universe.today(), compra.day + rng.range(5, 40));
  for (int seq = 1; seq <= count; ++seq) {
    const Fornecedor& f =
        universe.population().fornecedores()[universe.population().pick_fornecedor(rng)];
    const double desconto = 0.55 + 0.47 * rng.uniform();
    const double unitario =
        d.unitario < 1 ? to4(d.unitario * desconto) : cents(d.unitario * desconto);
    const bool cancelado = seq < count;
    json j;
    j["numeroControlePNCPCompra"] = universe.control_number(compra);
    j["numeroItem"] = numero;
    j["sequencialResultado"] = seq;
    j["niFornecedor"] = f.ni;
    j["tipoPessoa"] = f.tipo_pessoa;
    j["nomeRazaoSocialFornecedor"] = f.nome;
    const int porte = f.tipo_pessoa == "PJ" ? rng.range(1, 3) : 4;
    j["porteFornecedorId"] = porte;
    j["porteFornecedorNome"] = porte == 1   ? "ME"
                               : porte == 2 ? "EPP"
                               : porte == 3 ? "Demais"
                                            : "Não se aplica";
    j["naturezaJuridicaId"] = f.tipo_pessoa == "PJ" ? json("2062") : json(nullptr);
    j["naturezaJuridicaNome"] =
        f.tipo_pessoa == "PJ" ? json("Sociedade Empresária Limitada") : json(nullptr);
    j["codigoPais"] = f.tipo_pessoa == "PE" ? "USA" : "BRA";
    j["quantidadeHomologada"] = d.quantidade;
    j["valorUnitarioHomologado"] = unitario;
    j["valorTotalHomologado"] = cents(unitario * d.quantidade);
    j["percentualDesconto"] = cents((1 - desconto) * 100);
    j["situacaoCompraItemResultadoId"] = cancelado ? 2 : 1;
    j["situacaoCompraItemResultadoNome"] = cancelado ? "Cancelado" : "Informado";
    j["dataResultado"] = iso_date(result_day);
    j["dataInclusao"] = timestamp(result_day, rng.range(28800, 64800));
    j["dataAtualizacao"] = j["dataInclusao"];
    j["dataCancelamento"] = cancelado ? json(timestamp(result_day, 72000)) : json(nullptr);
    j["motivoCancelamento"] = cancelado ? json("Fornecedor desistiu da proposta") : json(nullptr);
    j["ordemClassificacaoSrp"] = seq;
    j["indicadorSubcontratacao"] = false;
    j["aplicacaoMargemPreferencia"] = false;
    j["aplicacaoBeneficioMeEpp"] = porte <= 2;
    j["aplicacaoCriterioDesempate"] = false;
    j["amparoLegalMargemPreferencia"] = nullptr;
    j["amparoLegalCriterioDesempate"] = nullptr;
    j["paisOrigemProdutoServico"] = nullptr;
    j["moedaEstrangeira"] = nullptr;
    j["valorNominalMoedaEstrangeira"] = nullptr;
    j["dataCotacaoMoedaEstrangeira"] = nullptr;
    j["timezoneCotacaoMoedaEstrangeira"] = nullptr;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace pncp_sim::detail
