// The cast of the synthetic data, derived from the seed: several hundred public bodies
// (orgaos) with their units, a few thousand suppliers picked with a Zipf-like skew, and the
// platforms (usuarios) that publish on PNCP.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hash.h"

namespace pncp_sim::detail {

struct Unidade {
  std::string codigo;
  std::string nome;
  int municipio;  // index into municipios()
};

struct Orgao {
  std::string cnpj;
  std::string razao_social;
  std::string poder_id;   // L, E, J or the undocumented N
  std::string esfera_id;  // F, E, M, D or N
  std::vector<Unidade> unidades;
  int usuario;  // index into usuarios()
};

struct Fornecedor {
  std::string ni;  // CNPJ, CPF or a foreign id
  std::string nome;
  std::string tipo_pessoa;  // PJ, PF, PE
};

class Population {
 public:
  explicit Population(uint64_t seed);
  const std::vector<Orgao>& orgaos() const { return orgaos_; }
  const std::vector<Fornecedor>& fornecedores() const { return fornecedores_; }
  size_t pick_orgao(Rng& rng) const { return rng.pick(orgao_weights_); }
  size_t pick_fornecedor(Rng& rng) const { return rng.pick(fornecedor_weights_); }

 private:
  std::vector<Orgao> orgaos_;
  std::vector<Fornecedor> fornecedores_;
  std::vector<double> orgao_weights_;       // cumulative
  std::vector<double> fornecedor_weights_;  // cumulative, Zipf s = 1.1
};

// CNPJ / CPF check digits (módulo 11).
std::string cnpj_from_base(const std::string& twelve_digits);
std::string cpf_from_base(const std::string& nine_digits);
bool cnpj_check_digits_ok(const std::string& cnpj);
// The same CNPJ with a wrong last check digit.
std::string corrupt_cnpj(const std::string& cnpj);

}  // namespace pncp_sim::detail
