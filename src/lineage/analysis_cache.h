// Model analyses kept across trace and impact requests (explain.h) in a long-lived process: the
// UI and a holder's read socket answer many requests over the same project, and analysing a
// model (its SQL parsed by DuckDB into a shape, model_shape.h, then its row links, row_links.h)
// costs more than most of the queries a request runs.
//
// What an entry is valid for:
// - its shape: the compiled SQL it was made from (a changed model file compiles to another SQL:
//   the entry is redone, whatever project object asks);
// - its links: that SQL and the database catalog they were derived under (the columns and types
//   of every table: a model rebuilt with other columns changes the links), given as the
//   fingerprint catalog_fingerprint() returns in the request's own transaction.
// Entries are keyed by the caller (project root and model id); a key holds one entry, replaced
// when its SQL or catalog changes, so the cache is bounded by the number of models asked about.
//
// Lifetimes and threads: entries are immutable once published and shared (shared_ptr): a request
// keeps the ones it uses alive while another request replaces them. All members are
// thread-safe (one mutex; the analysis itself runs outside it, so two requests may analyse the
// same model at once, and the last one to finish is kept — both are equal).
// Errors: none of its own; an analysis error is stored in the entry, as explain.cpp reports it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "db/database.h"
#include "lineage/model_shape.h"
#include "lineage/row_links.h"

namespace baliza::lineage {

struct ModelAnalysis {
  std::string sql;                          // the compiled SQL analysed
  std::shared_ptr<const ModelShape> shape;  // null when it could not be compiled or analysed
  std::string error;                        // why not (compile or analysis error)
  // Row links, when `linked`: made under the catalog `catalog` (catalog_fingerprint()).
  bool linked = false;
  std::string catalog;
  ModelLinks links;  // points into *shape (kept alive by this entry)
  std::string link_error;
};

class AnalysisCache {
 public:
  // The entry for key when it was made from sql (and, with links, under catalog); else null.
  std::shared_ptr<const ModelAnalysis> find(const std::string& key, const std::string& sql,
                                            bool with_links, const std::string& catalog) const;
  void put(const std::string& key, std::shared_ptr<const ModelAnalysis> entry);
  std::size_t size() const;

  // Every column of every table and view the connection sees (database, schema, table, column,
  // type, in catalog order), as one text: equal texts mean equal links.
  static std::string catalog_fingerprint(Connection& conn);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const ModelAnalysis>> entries_;
};

}  // namespace baliza::lineage
