#include "reference_data.h"

namespace pncp_sim::detail {

const std::vector<UfInfo>& ufs() {
  static const std::vector<UfInfo> v = {{"AC", "Acre", 0.5},
                                        {"AL", "Alagoas", 1.5},
                                        {"AP", "Amapá", 0.4},
                                        {"AM", "Amazonas", 1.2},
                                        {"BA", "Bahia", 7},
                                        {"CE", "Ceará", 4},
                                        {"DF", "Distrito Federal", 3},
                                        {"ES", "Espírito Santo", 2},
                                        {"GO", "Goiás", 4},
                                        {"MA", "Maranhão", 4},
                                        {"MT", "Mato Grosso", 2.5},
                                        {"MS", "Mato Grosso do Sul", 1.8},
                                        {"MG", "Minas Gerais", 14},
                                        {"PA", "Pará", 3},
                                        {"PB", "Paraíba", 3},
                                        {"PR", "Paraná", 8},
                                        {"PE", "Pernambuco", 4},
                                        {"PI", "Piauí", 3},
                                        {"RJ", "Rio de Janeiro", 5},
                                        {"RN", "Rio Grande do Norte", 2.5},
                                        {"RS", "Rio Grande do Sul", 9},
                                        {"RO", "Rondônia", 1},
                                        {"RR", "Roraima", 0.4},
                                        {"SC", "Santa Catarina", 5},
                                        {"SP", "São Paulo", 14},
                                        {"SE", "Sergipe", 1},
                                        {"TO", "Tocantins", 1.5}};
  return v;
}

const std::vector<MunicipioInfo>& municipios() {
  static const std::vector<MunicipioInfo> v = {{"Rio Branco", "1200401", 0},
                                               {"Cruzeiro do Sul", "1200203", 0},
                                               {"Maceió", "2704302", 1},
                                               {"Arapiraca", "2700300", 1},
                                               {"Macapá", "1600303", 2},
                                               {"Manaus", "1302603", 3},
                                               {"Parintins", "1303403", 3},
                                               {"Salvador", "2927408", 4},
                                               {"Feira de Santana", "2910800", 4},
                                               {"Vitória da Conquista", "2933307", 4},
                                               {"Fortaleza", "2304400", 5},
                                               {"Sobral", "2312908", 5},
                                               {"Juazeiro do Norte", "2307304", 5},
                                               {"Brasília", "5300108", 6},
                                               {"Vitória", "3205309", 7},
                                               {"Vila Velha", "3205200", 7},
                                               {"Goiânia", "5208707", 8},
                                               {"Anápolis", "5201108", 8},
                                               {"Itumbiara", "5211503", 8},
                                               {"São Luís", "2111300", 9},
                                               {"Imperatriz", "2105302", 9},
                                               {"São Bernardo", "2110609", 9},
                                               {"Cuiabá", "5103403", 10},
                                               {"Rondonópolis", "5107602", 10},
                                               {"Campo Grande", "5002704", 11},
                                               {"Dourados", "5003702", 11},
                                               {"Belo Horizonte", "3106200", 12},
                                               {"Uberlândia", "3170206", 12},
                                               {"Juiz de Fora", "3136702", 12},
                                               {"Montes Claros", "3143302", 12},
                                               {"Belém", "1501402", 13},
                                               {"Santarém", "1506807", 13},
                                               {"Marabá", "1504208", 13},
                                               {"João Pessoa", "2507507", 14},
                                               {"Campina Grande", "2504009", 14},
                                               {"Curitiba", "4106902", 15},
                                               {"Londrina", "4113700", 15},
                                               {"Maringá", "4115200", 15},
                                               {"Cascavel", "4104808", 15},
                                               {"Recife", "2611606", 16},
                                               {"Caruaru", "2604106", 16},
                                               {"Petrolina", "2611101", 16},
                                               {"Teresina", "2211001", 17},
                                               {"Parnaíba", "2207702", 17},
                                               {"Rio de Janeiro", "3304557", 18},
                                               {"Niterói", "3303302", 18},
                                               {"Natal", "2408102", 19},
                                               {"Mossoró", "2408003", 19},
                                               {"Campo Grande", "2401305", 19},
                                               {"Porto Alegre", "4314902", 20},
                                               {"Caxias do Sul", "4305108", 20},
                                               {"Pelotas", "4314407", 20},
                                               {"Porto Velho", "1100205", 21},
                                               {"Boa Vista", "1400100", 22},
                                               {"Florianópolis", "4205407", 23},
                                               {"Joinville", "4209102", 23},
                                               {"Blumenau", "4202404", 23},
                                               {"São Paulo", "3550308", 24},
                                               {"Campinas", "3509502", 24},
                                               {"Santos", "3548500", 24},
                                               {"Ribeirão Preto", "3543402", 24},
                                               {"Sorocaba", "3552205", 24},
                                               {"Aracaju", "2800308", 25},
                                               {"Palmas", "1721000", 26},
                                               {"Araguaína", "1702109", 26}};
  return v;
}

const std::vector<CodeName>& modalidades() {
  static const std::vector<CodeName> v = {{1, "Leilão - Eletrônico"},
                                          {2, "Diálogo Competitivo"},
                                          {3, "Concurso"},
                                          {4, "Concorrência - Eletrônica"},
                                          {5, "Concorrência - Presencial"},
                                          {6, "Pregão - Eletrônico"},
                                          {7, "Pregão - Presencial"},
                                          {8, "Dispensa de Licitação"},
                                          {9, "Inexigibilidade"},
                                          {10, "Manifestação de Interesse"},
                                          {11, "Pré-qualificação"},
                                          {12, "Credenciamento"},
                                          {13, "Leilão - Presencial"},
                                          {14, "Inaplicabilidade da Licitação"}};
  return v;
}

const std::vector<double>& modalidade_weights() {
  // Rough shares seen in PNCP: dispensa and pregão dominate, some modalidades are rare.
  static const std::vector<double> v = {0.6, 0.1, 0.2, 3, 1, 30, 2, 44, 15, 0.2, 0.2, 2, 0.3, 0.5};
  return v;
}

const std::vector<CodeName>& modos_disputa() {
  static const std::vector<CodeName> v = {{1, "Aberto"},         {2, "Fechado"},
                                          {3, "Aberto-Fechado"}, {4, "Dispensa Com Disputa"},
                                          {5, "Não se aplica"},  {6, "Fechado-Aberto"}};
  return v;
}

const std::vector<CodeName>& tipos_contrato() {
  static const std::vector<CodeName> v = {{1, "Contrato (termo inicial)"},
                                          {2, "Comodato"},
                                          {3, "Arrendamento"},
                                          {4, "Concessão"},
                                          {5, "Termo de Adesão"},
                                          {6, "Convênio"},
                                          {7, "Empenho"},
                                          {8, "Outros"},
                                          {9, "Termo de Execução Descentralizada (TED)"},
                                          {10, "Acordo de Cooperação Técnica (ACT)"},
                                          {11, "Termo de Compromisso"},
                                          {12, "Carta Contrato"}};
  return v;
}

const std::vector<CodeName>& categorias_processo() {
  static const std::vector<CodeName> v = {{1, "Cessão"},
                                          {2, "Compras"},
                                          {3, "Informática (TIC)"},
                                          {4, "Internacional"},
                                          {5, "Locação Imóveis"},
                                          {6, "Mão de Obra"},
                                          {7, "Obras"},
                                          {8, "Serviços"},
                                          {9, "Serviços de Engenharia"},
                                          {10, "Serviços de Saúde"},
                                          {11, "Alienação de bens móveis/imóveis"}};
  return v;
}

const std::vector<CodeName>& categorias_item_pca() {
  static const std::vector<CodeName> v = {{1, "Material"},
                                          {2, "Serviço"},
                                          {3, "Obras"},
                                          {4, "Serviços de Engenharia"},
                                          {5, "Soluções de TIC"},
                                          {6, "Locação de Imóveis"},
                                          {7, "Alienação/Concessão/Permissão"},
                                          {8, "Obras e Serviços de Engenharia"}};
  return v;
}

const std::vector<CodeName>& situacoes_compra() {
  static const std::vector<CodeName> v = {
      {1, "Divulgada no PNCP"}, {2, "Revogada"}, {3, "Anulada"}, {4, "Suspensa"}};
  return v;
}

const std::vector<CodeName>& tipos_instrumento_cobranca() {
  static const std::vector<CodeName> v = {{1, "Nota Fiscal Eletrônica"},
                                          {2, "Nota Fiscal de Serviço"},
                                          {3, "Fatura"},
                                          {4, "Recibo"},
                                          {5, "Outros"}};
  return v;
}

const std::vector<AmparoInfo>& amparos_legais() {
  static const std::vector<AmparoInfo> v = {
      {1, "Lei 14.133/2021, Art. 28, I",
       "pregão: modalidade de licitação obrigatória para aquisição de bens e serviços comuns"},
      {2, "Lei 14.133/2021, Art. 28, II", "concorrência"},
      {3, "Lei 14.133/2021, Art. 28, III", "concurso"},
      {4, "Lei 14.133/2021, Art. 28, IV", "leilão"},
      {5, "Lei 14.133/2021, Art. 28, V", "diálogo competitivo"},
      {6, "Lei 14.133/2021, Art. 74, I",
       "Inexigibilidade: aquisição de materiais, de equipamentos ou de gêneros ou contratação "
       "de serviços que só possam ser fornecidos por produtor, empresa ou representante "
       "comercial exclusivos"},
      {8, "Lei 14.133/2021, Art. 74, III, a",
       "Inexigibilidade: estudos técnicos, planejamentos, projetos básicos ou projetos "
       "executivos"},
      {18, "Lei 14.133/2021, Art. 75, I",
       "Dispensa de Licitação: para contratação que envolva valores inferiores a R$ 100.000,00, "
       "no caso de obras e serviços de engenharia ou de serviços de manutenção de veículos "
       "automotores"},
      {19, "Lei 14.133/2021, Art. 75, II",
       "Dispensa de Licitação: para contratação que envolva valores inferiores a R$ 50.000,00, "
       "no caso de outros serviços e compras"},
      {24, "Lei 14.133/2021, Art. 75, IV, c",
       "Dispensa de Licitação: produtos para pesquisa e desenvolvimento, limitada a "
       "contratação, no caso de obras e serviços de engenharia, ao valor de R$ 300.000,00 "
       "(trezentos mil reais)"},
      {50, "Lei 14.133/2021, Art. 74, caput", "Inexigibilidade: inviabilidade de competição"},
      {79, "Lei 14.133/2021, Art. 79, II", "Credenciamento: com seleção a critério de terceiros"}};
  return v;
}

const std::vector<CodeName>& usuarios() {
  static const std::vector<CodeName> v = {{3, "Compras.gov.br"},
                                          {12, "BLL COMPRAS"},
                                          {13, "LICITANET"},
                                          {18, "PORTAL DE COMPRAS PÚBLICAS"},
                                          {21, "BNC - BOLSA NACIONAL DE COMPRAS"},
                                          {25, "LICITAR DIGITAL"},
                                          {30, "IPM SISTEMAS LTDA"},
                                          {36, "BETHA SISTEMAS LTDA"},
                                          {41, "COMPRASBR"},
                                          {55, "ELOTECH GESTAO PUBLICA LTDA"},
                                          {63, "TOP DOWN CONSULTORIA LTDA"},
                                          {71, "AZ INFORMATICA LTDA"}};
  return v;
}

const std::vector<const char*>& company_words() {
  static const std::vector<const char*> v = {
      "ALFA",      "BRASIL",   "NORDESTE",  "CENTRAL",  "PRIME",      "MEDICAL",
      "TECH",      "SUL",      "NORTE",     "UNIAO",    "SANTA CRUZ", "PLANALTO",
      "AMAZONIA",  "VITORIA",  "ATLANTICO", "CRISTAL",  "ESTRELA",    "FORTE",
      "MASTER",    "GLOBAL",   "PRATICA",   "NOVA ERA", "CAMPEAO",    "AGUIA",
      "HORIZONTE", "PIONEIRA", "REAL",      "SERRANA",  "LIDER",      "PONTUAL"};
  return v;
}

const std::vector<const char*>& company_suffixes() {
  static const std::vector<const char*> v = {"COMERCIO LTDA",          "DISTRIBUIDORA LTDA",
                                             "SERVICOS EIRELI",        "COMERCIO E SERVICOS LTDA",
                                             "CONSTRUCOES LTDA",       "INDUSTRIA E COMERCIO LTDA",
                                             "TRANSPORTES LTDA",       "ENGENHARIA LTDA",
                                             "MATERIAIS MEDICOS LTDA", "INFORMATICA LTDA",
                                             "ALIMENTOS LTDA",         "S.A."};
  return v;
}

const std::vector<const char*>& purchase_items() {
  static const std::vector<const char*> v = {
      "MATERIAL DE EXPEDIENTE", "GÊNEROS ALIMENTÍCIOS",
      "MEDICAMENTOS",           "MATERIAL MÉDICO-HOSPITALAR",
      "COMBUSTÍVEIS",           "PEÇAS PARA VEÍCULOS",
      "MATERIAL DE LIMPEZA",    "EQUIPAMENTOS DE INFORMÁTICA",
      "MOBILIÁRIO ESCOLAR",     "SERVIÇOS DE LIMPEZA E CONSERVAÇÃO",
      "SERVIÇOS DE VIGILÂNCIA", "LOCAÇÃO DE VEÍCULOS",
      "MATERIAL DIDÁTICO",      "PNEUS",
      "MATERIAL DE CONSTRUÇÃO", "SERVIÇOS DE ENGENHARIA PARA PAVIMENTAÇÃO",
      "UNIFORMES ESCOLARES",    "SERVIÇOS DE TRANSPORTE ESCOLAR",
      "LICENÇAS DE SOFTWARE",   "GÊNEROS LÁCTEOS"};
  return v;
}

const std::vector<const char*>& purchase_verbs() {
  static const std::vector<const char*> v = {
      "AQUISIÇÃO DE", "REGISTRO DE PREÇOS PARA FUTURA E EVENTUAL AQUISIÇÃO DE",
      "CONTRATAÇÃO DE EMPRESA PARA FORNECIMENTO DE", "CONTRATAÇÃO DE", "FORNECIMENTO DE"};
  return v;
}

const std::vector<const char*>& secretarias() {
  static const std::vector<const char*> v = {"SECRETARIA MUNICIPAL DE SAÚDE",
                                             "SECRETARIA MUNICIPAL DE EDUCAÇÃO",
                                             "SECRETARIA DE ADMINISTRAÇÃO E PLANEJAMENTO",
                                             "SECRETARIA DE OBRAS",
                                             "FUNDO MUNICIPAL DE SAÚDE",
                                             "SECRETARIA DE ASSISTÊNCIA SOCIAL",
                                             "GABINETE DO PREFEITO",
                                             "Prefeitura"};
  return v;
}

const std::vector<const char*>& federal_bodies() {
  static const std::vector<const char*> v = {
      "MINISTERIO DA SAUDE",
      "MINISTERIO DA EDUCACAO",
      "MINISTERIO DA ECONOMIA",
      "MINISTERIO DA DEFESA",
      "COMISSAO NACIONAL DE ENERGIA NUCLEAR",
      "INSTITUTO NACIONAL DO SEGURO SOCIAL",
      "DEPARTAMENTO DE POLICIA FEDERAL",
      "CONSELHO NACIONAL DE DESENVOLVIMENTO CIENTIFICO E TECNOLOGICO-CNPQ"};
  return v;
}

const std::vector<const char*>& supply_units() {
  static const std::vector<const char*> v = {"UNIDADE",    "CAIXA",   "PACOTE",  "LITRO",
                                             "QUILOGRAMA", "LATA   ", "SERVIÇO", "MÊS"};
  return v;
}

const std::vector<const char*>& person_names() {
  static const std::vector<const char*> v = {
      "MARIA DA SILVA",    "JOSE DOS SANTOS",   "ANA PAULA OLIVEIRA", "CARLOS EDUARDO SOUZA",
      "FRANCISCA PEREIRA", "ANTONIO RODRIGUES", "JOAO BATISTA LIMA",  "LUCIANA ALVES"};
  return v;
}

}  // namespace pncp_sim::detail
