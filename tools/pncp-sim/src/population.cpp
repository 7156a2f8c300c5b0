#include "population.h"

#include <cmath>
#include <cstdio>

#include "reference_data.h"

namespace pncp_sim::detail {

static int mod11_digit(const std::string& digits, const std::vector<int>& weights) {
  int sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) sum += (digits[i] - '0') * weights[i];
  int r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

std::string cnpj_from_base(const std::string& base) {
  std::string out = base;
  out += static_cast<char>('0' + mod11_digit(out, {5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}));
  out += static_cast<char>('0' + mod11_digit(out, {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}));
  return out;
}

std::string cpf_from_base(const std::string& base) {
  std::string out = base;
  out += static_cast<char>('0' + mod11_digit(out, {10, 9, 8, 7, 6, 5, 4, 3, 2}));
  out += static_cast<char>('0' + mod11_digit(out, {11, 10, 9, 8, 7, 6, 5, 4, 3, 2}));
  return out;
}

bool cnpj_check_digits_ok(const std::string& cnpj) {
  if (cnpj.size() != 14) return false;
  for (char c : cnpj)
    if (c < '0' || c > '9') return false;
  if (cnpj.find_first_not_of(cnpj[0]) == std::string::npos) return false;
  return cnpj_from_base(cnpj.substr(0, 12)) == cnpj;
}

std::string corrupt_cnpj(const std::string& cnpj) {
  std::string out = cnpj;
  out.back() = static_cast<char>('0' + (out.back() - '0' + 1) % 10);
  return out;
}

static std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.range(0, 9));
  return s;
}

template <class T>
static const T& pick_from(Rng& rng, const std::vector<T>& v) {
  return v[rng.next() % v.size()];
}

static std::string upper_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

static int pick_municipio(Rng& rng, const std::vector<double>& uf_cumulative) {
  int uf = static_cast<int>(rng.pick(uf_cumulative));
  std::vector<int> in_uf;
  for (size_t i = 0; i < municipios().size(); ++i)
    if (municipios()[i].uf == uf) in_uf.push_back(static_cast<int>(i));
  return in_uf[rng.next() % in_uf.size()];
}

// Municipal bodies dominate PNCP; the poder/esfera pairs follow what real records show.
static Orgao make_orgao(Rng& rng, int municipio) {
  const MunicipioInfo& m = municipios()[municipio];
  const UfInfo& uf = ufs()[m.uf];
  Orgao o;
  o.cnpj = cnpj_from_base(digits(rng, 8) + "0001");
  double kind = rng.uniform();
  if (kind < 0.55) {
    o.razao_social = "MUNICIPIO DE " + upper_ascii(m.nome);
    o.poder_id = rng.chance(0.5) ? "N" : "E";
    o.esfera_id = "M";
  } else if (kind < 0.68) {
    o.razao_social = "CAMARA MUNICIPAL DE " + upper_ascii(m.nome);
    o.poder_id = "L";
    o.esfera_id = "M";
  } else if (kind < 0.80) {
    o.razao_social = std::string("SECRETARIA DE ESTADO DA SAUDE - ") + uf.sigla;
    o.poder_id = "E";
    o.esfera_id = std::string(uf.sigla) == "DF" ? "D" : "E";
  } else if (kind < 0.86) {
    o.razao_social = "TRIBUNAL DE JUSTICA DO ESTADO DE " + upper_ascii(uf.nome);
    o.poder_id = "J";
    o.esfera_id = "E";
  } else if (kind < 0.97) {
    o.razao_social = pick_from(rng, federal_bodies());
    o.poder_id = "E";
    o.esfera_id = "F";
  } else {
    o.razao_social = "CONSORCIO INTERMUNICIPAL DE SAUDE DE " + upper_ascii(m.nome);
    o.poder_id = "N";
    o.esfera_id = "N";
  }
  int n_units = rng.range(1, 3);
  for (int u = 0; u < n_units; ++u) {
    Unidade unit;
    unit.codigo = u == 0 && rng.chance(0.3) ? o.cnpj : std::to_string(rng.range(1, 999999));
    unit.nome = o.esfera_id == "M" ? pick_from(rng, secretarias())
                                   : std::string("UNIDADE ") + std::to_string(u + 1) + " - " +
                                         o.razao_social.substr(0, 30);
    unit.municipio = municipio;
    o.unidades.push_back(unit);
  }
  o.usuario = static_cast<int>(rng.next() % usuarios().size());
  return o;
}

static Fornecedor make_fornecedor(Rng& rng) {
  Fornecedor f;
  double kind = rng.uniform();
  if (kind < 0.85) {
    f.tipo_pessoa = "PJ";
    f.ni = cnpj_from_base(digits(rng, 8) + (rng.chance(0.9) ? "0001" : "0002"));
    f.nome = std::string(pick_from(rng, company_words())) + " " + pick_from(rng, company_words()) +
             " " + pick_from(rng, company_suffixes());
  } else if (kind < 0.98) {
    f.tipo_pessoa = "PF";
    f.ni = cpf_from_base(digits(rng, 9));
    f.nome = pick_from(rng, person_names());
  } else {
    f.tipo_pessoa = "PE";
    f.ni = "EX" + digits(rng, 8);
    f.nome = std::string(pick_from(rng, company_words())) + " INTERNATIONAL INC";
  }
  return f;
}

Population::Population(uint64_t seed) {
  Rng rng(hash_of(seed, 0x0f9a));
  std::vector<double> uf_weights;
  for (const UfInfo& uf : ufs()) uf_weights.push_back(uf.weight);
  std::vector<double> uf_cumulative = cumulative_of(uf_weights);
  const int n_orgaos = 480;
  std::vector<double> weights;
  for (int i = 0; i < n_orgaos; ++i) {
    orgaos_.push_back(make_orgao(rng, pick_municipio(rng, uf_cumulative)));
    weights.push_back(1.0 / std::pow(i + 1, 0.6));  // some bodies publish much more than others
  }
  orgao_weights_ = cumulative_of(weights);
  const int n_fornecedores = 6000;
  weights.clear();
  for (int i = 0; i < n_fornecedores; ++i) {
    fornecedores_.push_back(make_fornecedor(rng));
    weights.push_back(1.0 / std::pow(i + 1, 1.1));
  }
  fornecedor_weights_ = cumulative_of(weights);
}

}  // namespace pncp_sim::detail
