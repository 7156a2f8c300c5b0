// The objects dbt's context hands to templates: relations (this, ref(), source(),
// api.Relation.create), result tables of run_query (agate's Table: .columns, .rows,
// .column_names), columns of adapter.get_columns_in_relation, and the datetime values of
// modules.datetime. Internal to the template engine; values are owned by one render.
#pragma once

#include <string>
#include <vector>

#include "transform/template.h"
#include "transform/template/value.h"

namespace baliza::transform::tmpl {

// A relation. str() is exactly the text it was made from (ref/source/this render as the
// project's resolvers say), or the parts double-quoted and joined by dots.
class RelationObject : public Object {
 public:
  // From rendered text such as "db"."schema"."name" or a CTE name.
  explicit RelationObject(std::string rendered);
  explicit RelationObject(RelationParts parts, bool include_database = true,
                          bool include_schema = true);
  std::string type_name() const override { return "Relation"; }
  std::optional<Value> attr(Evaluator& ev, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  std::string str() const override { return rendered_; }
  // A Relation is a mapping in dbt: relation['path'], relation.get('metadata') ({type:
  // 'DuckDBRelation'}, what dbt_utils checks before using a value as a relation).
  bool is_mapping() const override { return true; }
  std::optional<Value> item(Evaluator& ev, const Value& key) override;
  const RelationParts& parts() const { return parts_; }

 private:
  std::string rendered_;
  RelationParts parts_;
};

Value make_relation(std::string rendered);
Value make_relation(RelationParts parts);
// The parts of a relation value (object or string); nullopt for anything else.
std::optional<RelationParts> relation_parts(const Value& v);

// A result table (agate.Table in dbt).
Value make_table(const QueryResult& result);
// A column of a relation (dbt's Column: .name, .data_type, .quoted, .is_string(), ...).
Value make_column(const ColumnInfo& column);

// modules.datetime: datetime/date/timedelta with now(), utcnow(), today(), strftime(),
// isoformat(), strptime(), arithmetic with timedelta.
Value make_datetime_module();
// A datetime value from seconds since the epoch (UTC).
Value make_datetime(double epoch_seconds, bool date_only = false);
// A timedelta (seconds), for `datetime - datetime` and timedelta(days=...).
Value make_timedelta(double seconds);
// datetime +/- timedelta and datetime - datetime; nullopt when the operands are not dates.
std::optional<Value> datetime_arithmetic(const Value& a, const std::string& op, const Value& b);

}  // namespace baliza::transform::tmpl
