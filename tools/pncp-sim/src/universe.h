// The synthetic universe: for each record family and publication day, how many records exist,
// and for each record (family, day, index) a skeleton of the cheap attributes that decide which
// endpoint views it belongs to (dates, modalidade, orgao). Full JSON is built from a skeleton
// only when needed (record_builder.h), so selecting records for a query stays cheap.
#pragma once

#include <cstdint>
#include <string>

#include "pncp_sim/options.h"
#include "population.h"

namespace pncp_sim::detail {

enum class Family { contratacao = 1, contrato = 2, ata = 3, pca = 4, instrumento = 5 };

struct Skeleton {
  Family family;
  int day = 0;      // publication day (dataPublicacaoPncp / dataInclusao)
  int index = 0;    // position among the family's records of that day
  uint64_t h = 0;   // seed of every further draw for this record
  int seconds = 0;  // publication time of day
  int orgao = 0;
  int unidade = 0;
  int modalidade = 0;    // contratacao
  int modo_disputa = 0;  // contratacao
  int update_day = 0, update_seconds = 0;
  int deadline_day = -1;           // contratacao: end of the proposal period, -1 when there is none
  int vig_start = 0, vig_end = 0;  // ata validity
  int ano_pca = 0;
  int tipo_instrumento = 0;
  int ref_day = -1, ref_index = -1;  // the contratacao (contrato, ata) or contrato (instrumento)
  bool bad_cnpj = false;
  bool bad_value = false;
  int sequencial = 0;  // the 6-digit number in numeroControlePNCP, unique per family and year
  // Options::revision (contratacoes published in the kRevisionDays before today only):
  bool removed = false;  // deleted upstream: in no listing, its items and detail answer 404
  int revised = 0;       // the last revision that changed it (0: never); see universe.cpp
};

// Revisions change only purchases published this many days before today (or later), so that
// the update feed's lookback (views.cpp) still finds them.
constexpr int kRevisionDays = 30;

class Universe {
 public:
  explicit Universe(const Options& options);
  const Options& options() const { return options_; }
  const Population& population() const { return population_; }
  int today() const { return today_; }

  int count(Family family, int day) const;
  // With resolve_references = false the orgao of contratos, atas and instrumentos is not yet
  // taken from the record they refer to (cheaper; enough for date predicates).
  Skeleton skeleton(Family family, int day, int index, bool resolve_references = true) const;

  std::string cnpj_of(const Skeleton& s) const;  // the orgao CNPJ as the record shows it
  // numeroControlePNCP of a contratacao / contrato, "<cnpj>-<1|2>-<seq>/<year>".
  std::string control_number(const Skeleton& s) const;
  // Decodes a contratacao sequencial back to its (day, index), or false.
  bool locate_compra(int ano, int sequencial, int* day, int* index) const;

 private:
  void apply_revision(Skeleton& s) const;
  Options options_;
  Population population_;
  int today_;
};

}  // namespace pncp_sim::detail
