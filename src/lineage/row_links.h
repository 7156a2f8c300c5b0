// Row links: how a model's table rows are tied to the rows of its inputs, derived from its shape
// (model_shape.h), so that trace (backward), impact (forward) and reconcile are SQL queries.
//
// A model's rows are identified by `keys`: pairs of (a column of the model's table, the same
// value computed over its counted flow's FROM rows). Aggregations use their group keys, a
// row_number()/DISTINCT ON dedup its partition keys, anything else every scalar column copied
// unchanged from the FROM. Inputs are reached two ways:
// - `direct`: a base relation bound in the counted flow's FROM (a table, a join side): its
//   contributing rows are the `binding.rowid` of the FROM rows whose keys match.
// - `direct` through a union: when the FROM is a UNION [ALL] (a CTE, a subquery) of selects over
//   base relations, or the model itself is such a union, the union is rewritten to carry each
//   row's input rowid (rowid_carrier.h) and each relation it reads is a direct input whose
//   rowid is a carried column. A model that is a union is identified by its scalar columns.
// - `direct` through rowid lists: when a FROM item is a CTE or subquery that groups rows (an
//   aggregate joined to a table, a union whose operands read CTEs over aggregate joins, DISTINCT)
//   or that nothing else can follow, it is rewritten to carry, per relation it reads, the list
//   of rowids behind each of its rows (rowid_lists.h): a FROM row's input rows are every row of
//   its group (DirectInput::list). Base relations beside it keep their own rowid.
// - `semi`: a WHERE conjunct `x IN (SELECT y FROM relation ...)` over a base relation: the
//   relation's rows with y = x let the row through (a NOT IN is not followed: removing its rows
//   makes rows appear, which no link to an existing row can say).
// - `origins`: when the FROM is a CTE or subquery chain (e.g. an unnest over decompressed raw
//   pages), the model columns copied unchanged from a base relation (passthrough_origin)
//   identify that relation's rows (e.g. request_id -> raw.api_requests).
// An unnest of a JSON array parsed in the source (`unnest(from_json(body, s).field)`, with the
// element's position from `unnest(range(len(..)))`) records the array's JSON path and the
// position column, so trace can show the raw JSON record.
//
// Every query built here joins on `IS NOT DISTINCT FROM` (NULL keys match NULL keys, as GROUP
// BY and PARTITION BY group them). Relations must be tables (DuckDB has no rowid on views).
// Errors: `reason` says why a model is not traceable; builders throw baliza::Error only when
// DuckDB cannot print a piece of SQL back. Threads: one FlowSql per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lineage/flow_sql.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

struct RowKey {
  std::string column;  // column of the model's table
  std::string expr;    // SQL over the counted flow's FROM giving the same value
};

struct DirectInput {
  std::string binding;  // how the FROM names it (alias or table)
  RelationName relation;
  std::string rowid;     // SQL of its rowid over the FROM: "binding".rowid, or a carried column
  bool carried = false;  // read through a union (rowid_carrier.h): one input among several
  // `rowid` is a BIGINT[]: the rowids of every row behind the FROM row (rowid_lists.h: a group
  // of an aggregate, a distinct value), read through a FROM item a single rowid cannot follow.
  bool list = false;
};

// A relation read by a WHERE conjunct `x IN (SELECT y FROM relation [WHERE ..])` of the counted
// flow (a semi-join): a model row is there because of the relation's rows whose y equals its x.
struct SemiInput {
  RelationName relation;
  std::string outer;  // x, SQL over the counted flow's FROM
  std::string rows;   // SELECT <y> AS __y, <binding>.rowid AS rowid FROM relation [WHERE ..]
};

struct OriginInput {
  RelationName relation;
  std::vector<std::pair<std::string, std::string>> columns;  // model column -> relation column
};

struct ModelLinks {
  const Flow* counted = nullptr;
  std::string reason;  // empty when traceable
  // The counted flow's rows as SQL pieces: "WITH ... " (or ""), its FROM (the model's own, or a
  // union rewritten to carry rowids, rowid_carrier.h) and its WHERE ("TRUE" when none).
  std::string with_sql, from_sql, where_sql;
  std::vector<RowKey> keys;
  std::vector<DirectInput> direct;
  std::vector<OriginInput> origins;
  std::vector<SemiInput> semi;
  // Dedup by row_number(): partition and order (SQL over the FROM), to rank the versions.
  std::string dedup_partition, dedup_order;
  // Unnest of a JSON array: the model column with the element's position and the array's path.
  std::string position_column, json_path;
  // A list nested in an outer unnested array (plans -> their items): the outer levels, each a
  // JSON path and the model column with the position in it; json_path is then relative
  // (`$."data"[<record_position>]` + `."itens"[<item_position>]`).
  std::vector<std::pair<std::string, std::string>> outer_json;

  bool traceable() const { return reason.empty(); }
};

// Column names and types of base relations (from the database catalog), cached.
class Catalog {
 public:
  explicit Catalog(Connection& conn) : conn_(conn) {}
  std::optional<std::vector<std::string>> columns(const RelationName& r);
  std::string type(const RelationName& r, const std::string& column);  // "" when unknown
  RelationColumns lookup() {
    return [this](const RelationName& r) { return columns(r); };
  }

 private:
  void load(const RelationName& r);
  Connection& conn_;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> cache_;
};

// Links of a model whose table is `table` (its name as the catalog knows it).
ModelLinks link_model(FlowSql& sql, Catalog& catalog, const ModelShape& shape,
                      const RelationName& table);

// SQL giving the rowids of `input` rows behind the model rows `selected` (a query over the
// model's table returning whole rows), with `__rank` (1 = kept version) when the model dedups.
std::string backward_direct_sql(FlowSql& sql, const ModelLinks& links, const DirectInput& input,
                                const std::string& selected);
// Every direct input at once: (__input = index in links.direct, rowid, __rank), the FROM rows read
// once; the same rows per input as backward_direct_sql.
std::string backward_direct_all_sql(const ModelLinks& links, const std::string& selected);
std::string backward_origin_sql(const OriginInput& input, const std::string& selected);
std::string backward_semi_sql(const ModelLinks& links, const SemiInput& input,
                              const std::string& selected);

// SQL giving the rowids of the model's table rows that come from the `input` rows whose rowids
// `input_rowids` returns (a query with one column, rowid).
std::string forward_direct_sql(FlowSql& sql, const ModelLinks& links, const DirectInput& input,
                               const RelationName& table, const std::string& input_rowids);
std::string forward_origin_sql(const OriginInput& input, const RelationName& table,
                               const std::string& input_rowids);
std::string forward_semi_sql(const ModelLinks& links, const SemiInput& input,
                             const RelationName& table, const std::string& input_rowids);

// The counted flow's own query restricted to the model rows `selected` (keys matching): what the
// model's SQL produces for them now. Only when the counted flow is the model's whole query.
std::optional<std::string> recompute_sql(FlowSql& sql, const ModelShape& shape,
                                         const ModelLinks& links, const std::string& selected);

}  // namespace baliza::lineage
