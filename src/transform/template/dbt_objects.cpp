#include "transform/template/dbt_objects.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>

#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// Splits "a"."b".c into its unquoted parts.
std::vector<std::string> split_relation(const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

std::string render_parts(const RelationParts& p, bool database, bool schema) {
  std::string out;
  if (database && !p.database.empty()) out += quote_ident(p.database) + ".";
  if (schema && !p.schema.empty()) out += quote_ident(p.schema) + ".";
  return out + quote_ident(p.identifier);
}

bool flag(const CallArgs& a, const char* name, bool dflt) {
  const Value* v = a.kwarg(name);
  return v == nullptr ? dflt : v->truthy();
}

// --- agate-like tables ---------------------------------------------------------------

struct TableData {
  QueryResult result;
};

class RowObject : public Object {
 public:
  RowObject(std::shared_ptr<const TableData> t, std::size_t row) : t_(std::move(t)), row_(row) {}
  std::string type_name() const override { return "Row"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "values" || name == "keys" || name == "items" || name == "get") {
      auto t = t_;
      std::size_t row = row_;
      std::string method(name);
      return make_function("Row." + method, [t, row, method](Evaluator&, CallArgs& a, std::size_t) {
        const auto& names = t->result.column_names;
        const auto& values = t->result.rows[row];
        List out;
        if (method == "get") {
          std::string key = a.positional.empty() ? "" : a.positional[0].str();
          for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] == key) return Value::from_json(values[i]);
          }
          return a.positional.size() > 1 ? a.positional[1] : Value();
        }
        for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
          if (method == "values") out.push_back(Value::from_json(values[i]));
          if (method == "keys") out.emplace_back(names[i]);
          if (method == "items")
            out.push_back(Value::list({Value(names[i]), Value::from_json(values[i])}));
        }
        return Value::list(std::move(out));
      });
    }
    return item_by_name(name);
  }
  std::optional<Value> item(Evaluator&, const Value& key) override {
    const auto& values = t_->result.rows[row_];
    if (key.is_int()) {
      auto n = static_cast<std::int64_t>(values.size());
      std::int64_t i = key.as_int() < 0 ? key.as_int() + n : key.as_int();
      if (i < 0 || i >= n) return std::nullopt;
      return Value::from_json(values[static_cast<std::size_t>(i)]);
    }
    return item_by_name(key.str());
  }
  std::optional<List> iterate() const override {
    List out;
    for (const auto& v : t_->result.rows[row_]) out.push_back(Value::from_json(v));
    return out;
  }
  std::string str() const override { return Value::list(*iterate()).repr(); }
  nlohmann::json to_json() const override { return nlohmann::json(t_->result.rows[row_]); }

 private:
  std::optional<Value> item_by_name(std::string_view name) const {
    const auto& names = t_->result.column_names;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name && i < t_->result.rows[row_].size()) {
        return Value::from_json(t_->result.rows[row_][i]);
      }
    }
    return std::nullopt;
  }
  std::shared_ptr<const TableData> t_;
  std::size_t row_;
};

class TableColumnObject : public Object {
 public:
  TableColumnObject(std::shared_ptr<const TableData> t, std::size_t col)
      : t_(std::move(t)), col_(col) {}
  std::string type_name() const override { return "Column"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "name") return Value(t_->result.column_names[col_]);
    if (name == "data_type") {
      return Value(col_ < t_->result.column_types.size() ? t_->result.column_types[col_] : "");
    }
    if (name == "values" || name == "values_distinct" || name == "values_without_nulls") {
      List vals = *iterate();
      std::string method(name);
      if (method == "values_without_nulls") {
        std::erase_if(vals, [](const Value& v) { return v.is_none(); });
      } else if (method == "values_distinct") {
        List uniq;
        for (const Value& v : vals) {
          if (std::none_of(uniq.begin(), uniq.end(), [&](const Value& u) { return u == v; }))
            uniq.push_back(v);
        }
        vals = std::move(uniq);
      }
      return make_function("Column." + method, [vals](Evaluator&, CallArgs&, std::size_t) {
        return Value::list(vals);
      });
    }
    return std::nullopt;
  }
  std::optional<Value> item(Evaluator&, const Value& key) override {
    if (!key.is_int()) return std::nullopt;
    List vals = *iterate();
    auto n = static_cast<std::int64_t>(vals.size());
    std::int64_t i = key.as_int() < 0 ? key.as_int() + n : key.as_int();
    if (i < 0 || i >= n) return std::nullopt;
    return vals[static_cast<std::size_t>(i)];
  }
  std::optional<List> iterate() const override {
    List out;
    for (const auto& row : t_->result.rows) {
      out.push_back(col_ < row.size() ? Value::from_json(row[col_]) : Value());
    }
    return out;
  }

 private:
  std::shared_ptr<const TableData> t_;
  std::size_t col_;
};

// table.columns / table.rows: indexable by position (and columns by name), iterable.
class TableSequence : public Object {
 public:
  TableSequence(std::shared_ptr<const TableData> t, bool columns)
      : t_(std::move(t)), columns_(columns) {}
  std::string type_name() const override { return columns_ ? "MappedSequence" : "RowSequence"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "keys" && columns_) {
      auto t = t_;
      return make_function("keys", [t](Evaluator&, CallArgs&, std::size_t) {
        List out;
        for (const auto& n : t->result.column_names) out.emplace_back(n);
        return Value::list(std::move(out));
      });
    }
    // agate's MappedSequence: items() -> (name, column) pairs, values() -> the columns.
    if ((name == "items" || name == "values") && columns_) {
      auto t = t_;
      bool items = name == "items";
      return make_function(std::string(name), [t, items](Evaluator&, CallArgs&, std::size_t) {
        List out;
        for (std::size_t i = 0; i < t->result.column_names.size(); ++i) {
          Value column(ObjectPtr(std::make_shared<TableColumnObject>(t, i)));
          if (items) {
            out.push_back(Value::tuple(List{Value(t->result.column_names[i]), column}));
          } else {
            out.push_back(column);
          }
        }
        return Value::list(std::move(out));
      });
    }
    return std::nullopt;
  }
  std::optional<Value> item(Evaluator&, const Value& key) override {
    std::size_t n = columns_ ? t_->result.column_names.size() : t_->result.rows.size();
    if (key.is_int()) {
      std::int64_t i =
          key.as_int() < 0 ? key.as_int() + static_cast<std::int64_t>(n) : key.as_int();
      if (i < 0 || i >= static_cast<std::int64_t>(n)) return std::nullopt;
      return at(static_cast<std::size_t>(i));
    }
    if (columns_ && key.is_string()) {
      const auto& names = t_->result.column_names;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == key.as_string()) return at(i);
      }
    }
    return std::nullopt;
  }
  std::optional<List> iterate() const override {
    std::size_t n = columns_ ? t_->result.column_names.size() : t_->result.rows.size();
    List out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(at(i));
    return out;
  }

 private:
  Value at(std::size_t i) const {
    if (columns_) return Value(ObjectPtr(std::make_shared<TableColumnObject>(t_, i)));
    return Value(ObjectPtr(std::make_shared<RowObject>(t_, i)));
  }
  std::shared_ptr<const TableData> t_;
  bool columns_;
};

class TableObject : public Object {
 public:
  explicit TableObject(std::shared_ptr<const TableData> t) : t_(std::move(t)) {}
  std::string type_name() const override { return "Table"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "columns") return Value(ObjectPtr(std::make_shared<TableSequence>(t_, true)));
    if (name == "rows") return Value(ObjectPtr(std::make_shared<TableSequence>(t_, false)));
    if (name == "column_names") {
      List out;
      for (const auto& n : t_->result.column_names) out.emplace_back(n);
      return Value::list(std::move(out));
    }
    if (name == "column_types") {
      List out;
      for (const auto& n : t_->result.column_types) out.emplace_back(n);
      return Value::list(std::move(out));
    }
    if (name == "print_table" || name == "print_csv") {
      return make_function("print_table",
                           [](Evaluator&, CallArgs&, std::size_t) { return Value(); });
    }
    return std::nullopt;
  }
  std::vector<std::string> attr_names() const override {
    return {"columns", "rows", "column_names", "column_types", "print_table"};
  }
  std::optional<Value> item(Evaluator& ev, const Value& key) override {
    return TableSequence(t_, false).item(ev, key);
  }
  std::optional<List> iterate() const override { return TableSequence(t_, false).iterate(); }
  nlohmann::json to_json() const override {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : t_->result.rows) rows.push_back(r);
    return rows;
  }

 private:
  std::shared_ptr<const TableData> t_;
};

// --- columns of a relation -----------------------------------------------------------

class ColumnObject : public Object {
 public:
  explicit ColumnObject(ColumnInfo c) : c_(std::move(c)) {}
  std::string type_name() const override { return "Column"; }
  std::string str() const override { return "<Column " + c_.name + " (" + c_.data_type + ")>"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "name" || name == "column") return Value(c_.name);
    if (name == "quoted") return Value(quote_ident(c_.name));
    if (name == "data_type" || name == "dtype") return Value(c_.data_type);
    std::string upper = c_.data_type;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    bool is_string = upper.find("VARCHAR") != std::string::npos || upper == "TEXT" ||
                     upper.find("CHAR") != std::string::npos || upper == "STRING";
    bool is_integer = upper == "INTEGER" || upper == "BIGINT" || upper == "SMALLINT" ||
                      upper == "TINYINT" || upper == "HUGEINT" || upper == "UBIGINT" ||
                      upper == "UINTEGER" || upper == "INT";
    bool is_float = upper == "DOUBLE" || upper == "FLOAT" || upper == "REAL";
    bool is_numeric = upper.rfind("DECIMAL", 0) == 0 || upper.rfind("NUMERIC", 0) == 0;
    auto answer = [](bool b) {
      return make_function("Column.is",
                           [b](Evaluator&, CallArgs&, std::size_t) { return Value(b); });
    };
    if (name == "is_string") return answer(is_string);
    if (name == "is_integer") return answer(is_integer);
    if (name == "is_float") return answer(is_float);
    if (name == "is_numeric") return answer(is_numeric);
    if (name == "is_number") return answer(is_integer || is_float || is_numeric);
    if (name == "string_size") {
      return make_function("string_size", [](Evaluator&, CallArgs&, std::size_t) {
        return Value(std::int64_t{256});
      });
    }
    return std::nullopt;
  }
  std::vector<std::string> attr_names() const override {
    return {"name", "column", "quoted", "data_type", "dtype", "is_string", "is_number"};
  }
  nlohmann::json to_json() const override {
    return {{"name", c_.name}, {"data_type", c_.data_type}};
  }

 private:
  ColumnInfo c_;
};

// --- datetime ------------------------------------------------------------------------

class TimedeltaObject : public Object {
 public:
  explicit TimedeltaObject(double seconds) : seconds_(seconds) {}
  std::string type_name() const override { return "timedelta"; }
  double seconds() const { return seconds_; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "days") return Value(static_cast<std::int64_t>(std::floor(seconds_ / 86400)));
    if (name == "seconds") return Value(static_cast<std::int64_t>(std::fmod(seconds_, 86400)));
    if (name == "total_seconds") {
      double s = seconds_;
      return make_function("total_seconds",
                           [s](Evaluator&, CallArgs&, std::size_t) { return Value(s); });
    }
    return std::nullopt;
  }
  std::string str() const override {
    auto total = static_cast<std::int64_t>(seconds_);
    std::int64_t days = total / 86400;
    std::int64_t rest = total % 86400;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", static_cast<int>(rest / 3600),
                  static_cast<int>(rest % 3600 / 60), static_cast<int>(rest % 60));
    return days != 0 ? std::to_string(days) + " day" + (days == 1 ? "" : "s") + ", " + buf : buf;
  }

 private:
  double seconds_;
};

std::string format_time(double epoch, const std::string& fmt) {
  auto t = static_cast<std::time_t>(std::floor(epoch));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[256];
  std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
  return std::string(buf, n);
}

class DateTimeObject : public Object {
 public:
  DateTimeObject(double epoch, bool date_only) : epoch_(epoch), date_only_(date_only) {}
  std::string type_name() const override { return date_only_ ? "date" : "datetime"; }
  double epoch() const { return epoch_; }
  std::string str() const override {
    return format_time(epoch_, date_only_ ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S");
  }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    auto t = static_cast<std::time_t>(std::floor(epoch_));
    std::tm tm{};
    gmtime_r(&t, &tm);
    if (name == "year") return Value(static_cast<std::int64_t>(tm.tm_year + 1900));
    if (name == "month") return Value(static_cast<std::int64_t>(tm.tm_mon + 1));
    if (name == "day") return Value(static_cast<std::int64_t>(tm.tm_mday));
    if (name == "hour") return Value(static_cast<std::int64_t>(tm.tm_hour));
    if (name == "minute") return Value(static_cast<std::int64_t>(tm.tm_min));
    if (name == "second") return Value(static_cast<std::int64_t>(tm.tm_sec));
    double epoch = epoch_;
    bool date_only = date_only_;
    if (name == "strftime") {
      return make_function("strftime", [epoch](Evaluator& ev, CallArgs& a, std::size_t o) {
        if (a.positional.empty()) ev.fail(o, "strftime() needs a format");
        return Value(format_time(epoch, a.positional[0].str()));
      });
    }
    if (name == "isoformat") {
      return make_function("isoformat", [epoch, date_only](Evaluator&, CallArgs&, std::size_t) {
        return Value(format_time(epoch, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S"));
      });
    }
    if (name == "date") {
      return make_function("date", [epoch](Evaluator&, CallArgs&, std::size_t) {
        return make_datetime(std::floor(epoch / 86400) * 86400, true);
      });
    }
    if (name == "weekday") {
      int wd = (tm.tm_wday + 6) % 7;
      return make_function("weekday", [wd](Evaluator&, CallArgs&, std::size_t) {
        return Value(static_cast<std::int64_t>(wd));
      });
    }
    if (name == "replace") {
      return make_function("replace", [epoch, date_only](Evaluator&, CallArgs& a, std::size_t) {
        auto t2 = static_cast<std::time_t>(std::floor(epoch));
        std::tm x{};
        gmtime_r(&t2, &x);
        auto set = [&](const char* k, int& field, int offset) {
          if (const Value* v = a.kwarg(k); v != nullptr && v->is_int())
            field = static_cast<int>(v->as_int()) - offset;
        };
        set("year", x.tm_year, 1900);
        set("month", x.tm_mon, 1);
        set("day", x.tm_mday, 0);
        set("hour", x.tm_hour, 0);
        set("minute", x.tm_min, 0);
        set("second", x.tm_sec, 0);
        return make_datetime(static_cast<double>(timegm(&x)), date_only);
      });
    }
    return std::nullopt;
  }
  std::optional<Value> binary(const std::string& op, const Value& other, bool reversed) override {
    auto* delta =
        other.is_object() ? dynamic_cast<TimedeltaObject*>(other.as_object().get()) : nullptr;
    auto* date =
        other.is_object() ? dynamic_cast<DateTimeObject*>(other.as_object().get()) : nullptr;
    if (delta != nullptr && op == "+") return make_datetime(epoch_ + delta->seconds(), date_only_);
    if (delta != nullptr && op == "-" && !reversed)
      return make_datetime(epoch_ - delta->seconds(), date_only_);
    if (date != nullptr) {
      double a = reversed ? date->epoch() : epoch_;
      double b = reversed ? epoch_ : date->epoch();
      if (op == "-") return make_timedelta(a - b);
      if (op == "<") return Value(a < b);
      if (op == ">") return Value(a > b);
      if (op == "<=") return Value(a <= b);
      if (op == ">=") return Value(a >= b);
    }
    return std::nullopt;
  }

 private:
  double epoch_;
  bool date_only_;
};

double now_epoch() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

// Parses a date/time with the common strptime fields (%Y %m %d %H %M %S, literals).
std::optional<double> parse_time(const std::string& text, const std::string& fmt) {
  std::tm tm{};
  tm.tm_mday = 1;
  const char* end = strptime(text.c_str(), fmt.c_str(), &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

}  // namespace

RelationObject::RelationObject(std::string rendered) : rendered_(std::move(rendered)) {
  std::vector<std::string> parts = split_relation(rendered_);
  if (parts.size() >= 3) {
    parts_.database = parts[parts.size() - 3];
    parts_.schema = parts[parts.size() - 2];
  } else if (parts.size() == 2) {
    parts_.schema = parts[0];
  }
  parts_.identifier = parts.back();
}

RelationObject::RelationObject(RelationParts parts, bool include_database, bool include_schema)
    : rendered_(render_parts(parts, include_database, include_schema)), parts_(std::move(parts)) {}

namespace {

// The relation as dbt serializes it (the keys relation['...'] and .get('...') read).
Value relation_dict(const RelationParts& p) {
  Value d = Value::dict();
  Value path = Value::dict();
  path.as_dict()->set("database", p.database.empty() ? Value() : Value(p.database));
  path.as_dict()->set("schema", Value(p.schema));
  path.as_dict()->set("identifier", Value(p.identifier));
  d.as_dict()->set("path", path);
  d.as_dict()->set("type", Value(p.type));
  Value metadata = Value::dict();
  metadata.as_dict()->set("type", Value(std::string("DuckDBRelation")));
  d.as_dict()->set("metadata", metadata);
  return d;
}

}  // namespace

std::optional<Value> RelationObject::item(Evaluator&, const Value& key) {
  Value d = relation_dict(parts_);
  if (const Value* v = d.as_dict()->find(key.str())) return *v;
  return std::nullopt;
}

std::optional<Value> RelationObject::attr(Evaluator&, std::string_view name) {
  if (name == "database") return parts_.database.empty() ? Value() : Value(parts_.database);
  if (name == "schema") return Value(parts_.schema);
  if (name == "identifier" || name == "name" || name == "table") return Value(parts_.identifier);
  if (name == "type") return Value(parts_.type);
  if (name == "is_table") return Value(parts_.type == "table");
  if (name == "is_view") return Value(parts_.type == "view");
  if (name == "is_cte") return Value(parts_.type == "cte");
  RelationParts parts = parts_;
  std::string rendered = rendered_;
  if (name == "render") {
    return make_function(
        "render", [rendered](Evaluator&, CallArgs&, std::size_t) { return Value(rendered); });
  }
  if (name == "get") {
    return make_function("get", [parts](Evaluator&, CallArgs& a, std::size_t) {
      Value d = relation_dict(parts);
      const Value* key = a.arg(0, "key");
      const Value* found = key != nullptr ? d.as_dict()->find(key->str()) : nullptr;
      if (found != nullptr) return *found;
      const Value* fallback = a.arg(1, "default");
      return fallback != nullptr ? *fallback : Value();
    });
  }
  if (name == "include") {
    return make_function("include", [parts](Evaluator&, CallArgs& a, std::size_t) {
      return Value(ObjectPtr(std::make_shared<RelationObject>(parts, flag(a, "database", true),
                                                              flag(a, "schema", true))));
    });
  }
  if (name == "incorporate" || name == "quote" || name == "without_identifier") {
    std::string method(name);
    return make_function(method, [parts, rendered, method](Evaluator&, CallArgs& a, std::size_t) {
      RelationParts p = parts;
      if (method == "incorporate") {
        if (const Value* path = a.kwarg("path"); path != nullptr && path->is_dict()) {
          if (const Value* v = path->as_dict()->find("identifier")) p.identifier = v->str();
          if (const Value* v = path->as_dict()->find("schema")) p.schema = v->str();
          if (const Value* v = path->as_dict()->find("database")) p.database = v->str();
          return Value(ObjectPtr(std::make_shared<RelationObject>(p)));
        }
        if (const Value* t = a.kwarg("type")) {
          p.type = t->str();
          auto r = std::make_shared<RelationObject>(rendered);
          r->parts_.type = p.type;  // same text, the type it was given
          return Value(ObjectPtr(r));
        }
      }
      if (method == "without_identifier") {
        std::string out;
        if (!p.database.empty()) out += quote_ident(p.database) + ".";
        return Value(out + quote_ident(p.schema));
      }
      auto r = std::make_shared<RelationObject>(rendered);
      return Value(ObjectPtr(r));
    });
  }
  return std::nullopt;
}

std::vector<std::string> RelationObject::attr_names() const {
  return {"database", "schema",  "identifier", "name",    "table",      "type",
          "is_table", "is_view", "render",     "include", "incorporate"};
}

Value make_relation(std::string rendered) {
  return Value(ObjectPtr(std::make_shared<RelationObject>(std::move(rendered))));
}

Value make_relation(RelationParts parts) {
  return Value(ObjectPtr(std::make_shared<RelationObject>(std::move(parts))));
}

std::optional<RelationParts> relation_parts(const Value& v) {
  if (v.is_object()) {
    if (auto* r = dynamic_cast<RelationObject*>(v.as_object().get())) return r->parts();
  }
  if (v.is_string()) return RelationObject(v.as_string()).parts();
  return std::nullopt;
}

Value make_table(const QueryResult& result) {
  auto data = std::make_shared<TableData>();
  data->result = result;
  return Value(ObjectPtr(std::make_shared<TableObject>(std::move(data))));
}

Value make_column(const ColumnInfo& column) {
  return Value(ObjectPtr(std::make_shared<ColumnObject>(column)));
}

Value make_datetime(double epoch_seconds, bool date_only) {
  return Value(ObjectPtr(std::make_shared<DateTimeObject>(epoch_seconds, date_only)));
}

Value make_timedelta(double seconds) {
  return Value(ObjectPtr(std::make_shared<TimedeltaObject>(seconds)));
}

Value make_datetime_module() {
  auto datetime = std::make_shared<Namespace>("datetime");
  auto datetime_class = std::make_shared<Namespace>("type");
  datetime_class->set("now", make_function("now", [](Evaluator&, CallArgs&, std::size_t) {
                        return make_datetime(now_epoch());
                      }));
  datetime_class->set("utcnow", make_function("utcnow", [](Evaluator&, CallArgs&, std::size_t) {
                        return make_datetime(now_epoch());
                      }));
  datetime_class->set("strptime",
                      make_function("strptime", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                        if (a.positional.size() < 2)
                          ev.fail(o, "strptime() needs a text and a format");
                        auto t = parse_time(a.positional[0].str(), a.positional[1].str());
                        if (!t)
                          ev.fail(o, "strptime(): '" + a.positional[0].str() +
                                         "' does not match '" + a.positional[1].str() + "'");
                        return make_datetime(*t);
                      }));
  auto make_from_parts = [](bool date_only) {
    return [date_only](Evaluator& ev, CallArgs& a, std::size_t o) {
      std::tm tm{};
      const char* names[] = {"year", "month", "day", "hour", "minute", "second"};
      int values[6] = {1970, 1, 1, 0, 0, 0};
      for (std::size_t i = 0; i < 6; ++i) {
        if (const Value* v = a.arg(i, names[i])) {
          if (!v->is_int()) ev.fail(o, std::string(names[i]) + " must be an integer");
          values[i] = static_cast<int>(v->as_int());
        }
      }
      tm.tm_year = values[0] - 1900;
      tm.tm_mon = values[1] - 1;
      tm.tm_mday = values[2];
      tm.tm_hour = values[3];
      tm.tm_min = values[4];
      tm.tm_sec = values[5];
      return make_datetime(static_cast<double>(timegm(&tm)), date_only);
    };
  };
  auto date_class = std::make_shared<Namespace>("type");
  date_class->set("today", make_function("today", [](Evaluator&, CallArgs&, std::size_t) {
                    return make_datetime(std::floor(now_epoch() / 86400) * 86400, true);
                  }));
  struct Constructor : public Namespace {
    Constructor(std::function<Value(Evaluator&, CallArgs&, std::size_t)> fn)
        : Namespace("type"), fn_(std::move(fn)) {}
    bool callable() const override { return true; }
    Value call(Evaluator& ev, CallArgs& a, std::size_t o) override { return fn_(ev, a, o); }
    std::function<Value(Evaluator&, CallArgs&, std::size_t)> fn_;
  };
  auto dt = std::make_shared<Constructor>(make_from_parts(false));
  for (const auto& [k, v] : datetime_class->members().items) dt->set(k, v);
  auto d = std::make_shared<Constructor>(make_from_parts(true));
  for (const auto& [k, v] : date_class->members().items) d->set(k, v);
  datetime->set("datetime", Value(ObjectPtr(dt)));
  datetime->set("date", Value(ObjectPtr(d)));
  datetime->set(
      "timedelta", make_function("timedelta", [](Evaluator&, CallArgs& a, std::size_t) {
        double seconds = 0;
        const std::pair<const char*, double> units[] = {
            {"weeks", 604800}, {"days", 86400}, {"hours", 3600}, {"minutes", 60}, {"seconds", 1}};
        if (!a.positional.empty() && a.positional[0].is_number())
          seconds += a.positional[0].as_double() * 86400;
        for (const auto& [unit, factor] : units) {
          if (const Value* v = a.kwarg(unit); v != nullptr && v->is_number())
            seconds += v->as_double() * factor;
        }
        return make_timedelta(seconds);
      }));
  return Value(ObjectPtr(datetime));
}

std::optional<Value> datetime_arithmetic(const Value& a, const std::string& op, const Value& b) {
  if (a.is_object()) return a.as_object()->binary(op, b, false);
  return std::nullopt;
}

}  // namespace baliza::transform::tmpl
