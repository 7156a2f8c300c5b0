#include "transform/template/dbt_context.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "core/md5.h"
#include "transform/template/dbt_objects.h"
#include "transform/template/evaluator.h"
#include "transform/template/filters.h"
#include "transform/template/re_module.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform::tmpl {
namespace {

// The render's context (an empty one outside a dbt render).
const RenderContext& ctx_of(Evaluator& ev) {
  static const RenderContext kNone;
  const RenderContext* c = ev.env().context;
  return c != nullptr ? *c : kNone;
}

std::string string_arg(Evaluator& ev, const CallArgs& a, std::size_t i, const char* name,
                       std::size_t offset, const char* function) {
  const Value* v = a.arg(i, name);
  if (v == nullptr) {
    ev.fail(offset, std::string(function) + "() is missing argument '" + name + "'");
  }
  if (!v->is_string()) {
    ev.fail(offset, std::string(function) + "() expects string arguments, got " + v->repr());
  }
  return v->as_string();
}

// A macro found by dispatch, callable.
class MacroValue : public Callable {
 public:
  explicit MacroValue(const Macro& m) : m_(m) {}
  std::string name() const override { return m_.name; }
  Value call(Evaluator& ev, CallArgs& args, std::size_t offset) override {
    return ev.call_macro(m_, args, offset);
  }

 private:
  const Macro& m_;
};

Value macro_value(const Macro& m) {
  return Value(CallablePtr(std::make_shared<MacroValue>(m)));
}

// A package's macros as attributes: dbt_utils.star, dbt.date_trunc.
class PackageNamespace : public Object {
 public:
  PackageNamespace(const MacroLibrary& lib, std::string package)
      : lib_(lib), package_(std::move(package)) {}
  std::string type_name() const override { return "package '" + package_ + "'"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    const Macro* m = lib_.find_in(package_, name);
    if (m == nullptr && package_ == "dbt") m = lib_.find(name);  // dbt.x may be overridden
    if (m == nullptr) return std::nullopt;
    return macro_value(*m);
  }
  std::vector<std::string> attr_names() const override {
    std::vector<std::string> names;
    if (auto* macros = lib_.package_macros(package_)) {
      for (const auto& [n, m] : *macros) names.push_back(n);
    }
    return names;
  }

 private:
  const MacroLibrary& lib_;
  std::string package_;
};

// config(...) renders nothing; config.get('key', default), config.require('key').
class ConfigObject : public Object {
 public:
  std::string type_name() const override { return "Config"; }
  bool callable() const override { return true; }
  std::string str() const override { return ""; }
  Value call(Evaluator& ev, CallArgs& args, std::size_t) override {
    const RenderContext& ctx = ctx_of(ev);
    if (ctx.on_config) {
      nlohmann::json kwargs = nlohmann::json::object();
      for (const auto& [k, v] : args.keyword) kwargs[k] = v.to_json();
      ctx.on_config(kwargs);
    }
    return Value(std::string());
  }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    if (name == "get" || name == "require" || name == "meta_get" || name == "meta_require") {
      bool require = name == "require" || name == "meta_require";
      bool meta = name.rfind("meta_", 0) == 0;
      return make_function(
          "config." + std::string(name),
          [require, meta](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
            const RenderContext& ctx = ctx_of(ev);
            std::string key = string_arg(ev, a, 0, "name", o, "config.get");
            const nlohmann::json* source = ctx.node_info ? ctx.node_info("config") : nullptr;
            if (meta && source != nullptr && source->is_object()) {
              auto m = source->find("meta");
              source = m != source->end() ? &*m : nullptr;
            }
            if (source != nullptr && source->is_object()) {
              auto it = source->find(key);
              if (it != source->end()) return Value::from_json(*it);
            }
            if (require) {
              ev.fail(o, "config '" + key + "' is required",
                      "; set it with {{ config(" + key + "=...) }} or in the project's config");
            }
            const Value* dflt = a.arg(1, "default");
            return dflt != nullptr ? *dflt : Value();
          });
    }
    if (name == "set") {
      return make_function("config.set",
                           [](Evaluator&, CallArgs&, std::size_t) { return Value(std::string()); });
    }
    return std::nullopt;
  }
  std::vector<std::string> attr_names() const override { return {"get", "require"}; }
};

// Stateless: what it does depends on the render's context, read when called.
class AdapterObject : public Object {
 public:
  std::string type_name() const override { return "adapter"; }
  std::optional<Value> attr(Evaluator& attr_ev, std::string_view name) override {
    if (name == "dispatch") {
      return make_function("adapter.dispatch", [](Evaluator& ev, CallArgs& a, std::size_t o) {
        const RenderContext& ctx = ctx_of(ev);
        const MacroLibrary* lib = ev.env().library;
        std::string macro = string_arg(ev, a, 0, "macro_name", o, "adapter.dispatch");
        const Value* ns = a.arg(1, "macro_namespace");
        std::string namespace_ = ns != nullptr && !ns->is_none() ? ns->str() : "";
        return dispatch(ev, ctx, lib, macro, namespace_, o);
      });
    }
    if (name == "quote") {
      return make_function("adapter.quote", [](Evaluator&, CallArgs& a, std::size_t) {
        std::string s = a.positional.empty() ? "" : a.positional[0].str();
        std::string out = "\"";
        for (char c : s) {
          out += c;
          if (c == '"') out += '"';
        }
        return Value(out + "\"");
      });
    }
    if (name == "type") {
      std::string type = ctx_of(attr_ev).adapter_type;
      return make_function("adapter.type",
                           [type](Evaluator&, CallArgs&, std::size_t) { return Value(type); });
    }
    if (name == "get_relation" || name == "load_relation") {
      bool load = name == "load_relation";
      return make_function(
          "adapter.get_relation", [load](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
            const RenderContext& ctx = ctx_of(ev);
            RelationParts parts;
            if (load) {
              auto p = a.positional.empty() ? std::nullopt : relation_parts(a.positional[0]);
              if (!p) ev.fail(o, "adapter.load_relation() needs a relation");
              parts = *p;
            } else {
              const Value* db = a.arg(0, "database");
              parts.database = db != nullptr && !db->is_none() ? db->str() : "";
              parts.schema = string_arg(ev, a, 1, "schema", o, "adapter.get_relation");
              parts.identifier = string_arg(ev, a, 2, "identifier", o, "adapter.get_relation");
            }
            if (!ctx.get_relation || !ctx.execute) return Value();
            auto found = ctx.get_relation(parts);
            if (!found) return Value();
            return make_relation(*found);
          });
    }
    if (name == "get_columns_in_relation") {
      return make_function("adapter.get_columns_in_relation",
                           [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                             const RenderContext& ctx = ctx_of(ev);
                             auto parts = a.positional.empty() ? std::nullopt
                                                               : relation_parts(a.positional[0]);
                             if (!parts)
                               ev.fail(o, "adapter.get_columns_in_relation() needs a relation");
                             if (!ctx.get_columns || !ctx.execute) return Value::list();
                             auto columns = ctx.get_columns(*parts);
                             List out;
                             if (columns) {
                               for (const ColumnInfo& c : *columns) out.push_back(make_column(c));
                             }
                             return Value::list(std::move(out));
                           });
    }
    if (name == "get_missing_columns") {
      return make_function(
          "adapter.get_missing_columns", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
            const RenderContext& ctx = ctx_of(ev);
            if (a.positional.size() < 2) ev.fail(o, "adapter.get_missing_columns(from, to)");
            auto from = relation_parts(a.positional[0]);
            auto to = relation_parts(a.positional[1]);
            if (!from || !to || !ctx.get_columns || !ctx.execute) return Value::list();
            auto fc = ctx.get_columns(*from);
            auto tc = ctx.get_columns(*to);
            List out;
            if (!fc) return Value::list();
            for (const ColumnInfo& c : *fc) {
              bool present = tc && std::any_of(tc->begin(), tc->end(), [&](const ColumnInfo& t) {
                               return lower(t.name) == lower(c.name);
                             });
              if (!present) out.push_back(make_column(c));
            }
            return Value::list(std::move(out));
          });
    }
    if (name == "check_schema_exists" || name == "already_exists") {
      return make_function("adapter.exists", [](Evaluator& ev, CallArgs& a, std::size_t) -> Value {
        const RenderContext& ctx = ctx_of(ev);
        if (!ctx.run_query || !ctx.execute || a.positional.empty()) return Value(false);
        std::string schema =
            a.positional.size() > 1 ? a.positional[1].str() : a.positional[0].str();
        std::string sql = "select count(*) from information_schema.schemata where schema_name = '" +
                          escape_sql(schema) + "'";
        QueryResult r = ctx.run_query(sql);
        return Value(!r.rows.empty() && !r.rows[0].empty() && r.rows[0][0] != 0);
      });
    }
    if (name == "drop_relation") {
      // adapter.drop_relation(relation): drop it if it exists (its type from the relation).
      return make_function(
          "adapter.drop_relation", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
            const RenderContext& ctx = ctx_of(ev);
            auto parts = a.positional.empty() ? std::nullopt : relation_parts(a.positional[0]);
            if (!parts) ev.fail(o, "adapter.drop_relation() needs a relation");
            if (!ctx.run_query || !ctx.execute) return Value();
            auto found = ctx.get_relation ? ctx.get_relation(*parts) : std::nullopt;
            if (!found) return Value();
            std::string kind = found->type == "view" ? "VIEW" : "TABLE";
            std::string rel = a.positional[0].str();
            try {
              ctx.run_query("DROP " + kind + " IF EXISTS " + rel + " CASCADE");
            } catch (const Error& e) {
              ev.fail(o, std::string("adapter.drop_relation failed: ") + e.what());
            }
            return Value();
          });
    }
    if (name == "expand_target_column_types" || name == "commit" || name == "truncate_relation" ||
        name == "rename_relation") {
      return make_function("adapter.noop",
                           [](Evaluator&, CallArgs&, std::size_t) { return Value(); });
    }
    return std::nullopt;
  }
  std::vector<std::string> attr_names() const override {
    return {"dispatch",
            "quote",
            "type",
            "get_relation",
            "load_relation",
            "get_columns_in_relation",
            "get_missing_columns",
            "check_schema_exists"};
  }

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string escape_sql(const std::string& s) {
    std::string out;
    for (char c : s) {
      out += c;
      if (c == '\'') out += '\'';
    }
    return out;
  }

  static Value dispatch(Evaluator& ev, const RenderContext& ctx, const MacroLibrary* lib,
                        const std::string& macro, const std::string& namespace_, std::size_t o) {
    if (lib == nullptr) ev.fail(o, "adapter.dispatch('" + macro + "'): no macros are loaded");
    std::vector<std::string> search;  // "" = the global namespace (root, then dbt)
    bool configured = false;
    if (!namespace_.empty() && ctx.dispatch != nullptr && ctx.dispatch->is_array()) {
      for (const auto& entry : *ctx.dispatch) {
        if (entry.is_object() && entry.value("macro_namespace", "") == namespace_) {
          auto order = entry.find("search_order");
          if (order != entry.end() && order->is_array()) {
            for (const auto& p : *order) {
              if (p.is_string()) search.push_back(p.get<std::string>());
            }
            configured = true;
          }
        }
      }
    }
    if (!configured) {
      if (namespace_.empty()) {
        search.emplace_back();
      } else if (namespace_ != "dbt") {
        search.emplace_back();  // the root project may override a package's implementation
        search.push_back(namespace_);
      } else {
        search.emplace_back();
        search.emplace_back("dbt");
      }
    }
    const std::string prefixes[] = {ctx.adapter_type, "default"};
    std::vector<std::string> tried;
    for (const std::string& package : search) {
      for (const std::string& prefix : prefixes) {
        std::string name = prefix + "__" + macro;
        const Macro* m = nullptr;
        if (package.empty()) {
          m = lib->find(name);
          if (m == nullptr && namespace_.empty()) m = lib->find_in("dbt", name);
        } else {
          m = lib->find_in(package == ctx.project_name ? std::string() : package, name);
        }
        tried.push_back((package.empty() ? "" : package + ".") + name);
        if (m != nullptr) return macro_value(*m);
      }
    }
    // dbt also accepts the plain name in the namespace (macros without adapter variants).
    if (!namespace_.empty()) {
      if (const Macro* m = lib->find_in(namespace_, macro)) return macro_value(*m);
    }
    ev.fail(o,
            "adapter.dispatch('" + macro + "'" +
                (namespace_.empty() ? "" : ", '" + namespace_ + "'") + ") found no implementation",
            "; looked for " + join(tried, ", "));
  }
};

}  // namespace

const std::vector<std::string>& dbt_context_names() {
  static const std::vector<std::string> kNames = {"adapter",
                                                  "api",
                                                  "builtins",
                                                  "config",
                                                  "context",
                                                  "database",
                                                  "dbt_version",
                                                  "doc",
                                                  "env_var",
                                                  "exceptions",
                                                  "execute",
                                                  "flags",
                                                  "fromjson",
                                                  "fromyaml",
                                                  "graph",
                                                  "invocation_id",
                                                  "is_incremental",
                                                  "load_result",
                                                  "load_relation",
                                                  "local_md5",
                                                  "log",
                                                  "model",
                                                  "modules",
                                                  "print",
                                                  "project_name",
                                                  "ref",
                                                  "return",
                                                  "run_query",
                                                  "run_started_at",
                                                  "schema",
                                                  "schemas",
                                                  "selected_resources",
                                                  "set",
                                                  "set_strict",
                                                  "source",
                                                  "statement",
                                                  "store_result",
                                                  "target",
                                                  "this",
                                                  "tojson",
                                                  "toyaml",
                                                  "var",
                                                  "zip",
                                                  "zip_strict",
                                                  "write",
                                                  "try_or_compiler_error",
                                                  "diff_of_two_dicts",
                                                  "model_name",
                                                  "sql",
                                                  "pre_hooks",
                                                  "post_hooks",
                                                  "sql_now",
                                                  "debug"};
  return kNames;
}

namespace {

// The functions of dbt's context, which read the render's context when called: built once.
void install_shared(Environment& env) {
  install_jinja_globals(env);
  env.set_global("ref", make_function("ref", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   std::size_t n = a.positional.size();
                   if (n == 0 || n > 2)
                     ev.fail(o, "ref() takes 1 or 2 arguments ('model' or 'package', 'model')");
                   TemplateRef ref;
                   ref.pos = ev.site().pos(o);
                   ref.name = string_arg(ev, a, n - 1, "name", o, "ref");
                   if (n == 2) ref.package = string_arg(ev, a, 0, "package", o, "ref");
                   const Value* version = a.kwarg("version");
                   if (version == nullptr) version = a.kwarg("v");
                   if (version != nullptr) ref.version = version->str();
                   std::optional<std::string> relation;
                   if (ctx_of(ev).resolve_ref) relation = ctx_of(ev).resolve_ref(ref);
                   if (!relation)
                     ev.fail(o, "ref('" + ref.name + "') does not name a model or seed");
                   return make_relation(*relation);
                 }));
  env.set_global(
      "source", make_function("source", [](Evaluator& ev, CallArgs& a, std::size_t o) {
        if (a.positional.size() != 2) ev.fail(o, "source() takes 2 arguments ('source', 'table')");
        TemplateSource src{string_arg(ev, a, 0, "source_name", o, "source"),
                           string_arg(ev, a, 1, "table_name", o, "source"), ev.site().pos(o)};
        std::optional<std::string> relation;
        if (ctx_of(ev).resolve_source) relation = ctx_of(ev).resolve_source(src);
        if (!relation) {
          ev.fail(o, "source('" + src.source_name + "', '" + src.table_name + "') is not defined");
        }
        return make_relation(*relation);
      }));
  env.set_global("var", make_function("var", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   if (a.positional.empty() || a.positional.size() > 2) {
                     ev.fail(o, "var() takes 1 or 2 arguments ('name' or 'name', default)");
                   }
                   std::string name = string_arg(ev, a, 0, "name", o, "var");
                   if (ctx_of(ev).vars != nullptr && ctx_of(ev).vars->is_object()) {
                     auto it = ctx_of(ev).vars->find(name);
                     if (it != ctx_of(ev).vars->end()) return Value::from_json(*it);
                   }
                   if (a.positional.size() == 2) return a.positional[1];
                   ev.fail(o, "missing var '" + name + "'",
                           "; define it under 'vars:' in the project file, pass --vars '{" + name +
                               ": ...}', or give a default: var('" + name + "', ...)");
                 }));
  env.set_global("env_var", make_function("env_var", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   if (a.positional.empty() || a.positional.size() > 2) {
                     ev.fail(o, "env_var() takes 1 or 2 arguments ('NAME' or 'NAME', default)");
                   }
                   std::string name = string_arg(ev, a, 0, "name", o, "env_var");
                   if (const char* value = std::getenv(name.c_str()))
                     return Value(std::string(value));
                   if (a.positional.size() == 2) return a.positional[1];
                   ev.fail(o, "environment variable '" + name + "' is not set",
                           "; set it or give a default: env_var('" + name + "', ...)");
                 }));
  env.set_global("config", Value(ObjectPtr(std::make_shared<ConfigObject>())));
  env.set_global("is_incremental",
                 make_function("is_incremental", [](Evaluator& ev, CallArgs&, std::size_t) {
                   return Value(ctx_of(ev).is_incremental);
                 }));
  auto adapter = std::make_shared<AdapterObject>();
  env.set_global("adapter", Value(ObjectPtr(adapter)));
  {
    // dbt's load_relation(relation): adapter.get_relation for that relation's parts.
    ErrorSite site("", "");
    Evaluator probe("", site, env);
    if (auto f = adapter->attr(probe, "load_relation")) env.set_global("load_relation", *f);
  }
  env.set_global("run_query",
                 make_function("run_query", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                   if (a.positional.empty()) ev.fail(o, "run_query() needs the SQL to run");
                   if (!ctx_of(ev).execute || !ctx_of(ev).run_query) return Value();
                   try {
                     return make_table(ctx_of(ev).run_query(a.positional[0].str()));
                   } catch (const Error& e) {
                     ev.fail(o, std::string("run_query failed: ") + e.what());
                   }
                 }));
  env.set_global("statement",
                 make_function("statement", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                   const Value* name = a.arg(0, "name");
                   bool fetch = a.kwarg("fetch_result") != nullptr
                                    ? a.kwarg("fetch_result")->truthy()
                                    : (a.positional.size() > 1 && a.positional[1].truthy());
                   if (a.caller.is_none())
                     ev.fail(o,
                             "statement() is used as {% call statement('name') %}...{% endcall %}");
                   CallArgs none;
                   std::string sql = ev.call_value(a.caller, none, o, "caller").str();
                   if (!ctx_of(ev).execute || !ctx_of(ev).run_query) return Value(std::string());
                   QueryResult result;
                   try {
                     result = ctx_of(ev).run_query(sql);
                   } catch (const Error& e) {
                     ev.fail(o, std::string("statement failed: ") + e.what());
                   }
                   if (name != nullptr && !name->is_none()) {
                     Value stored = Value::dict();
                     Value table = fetch ? make_table(result) : Value();
                     List data;
                     if (fetch) {
                       for (const auto& row : result.rows) {
                         List r;
                         for (const auto& v : row) r.push_back(Value::from_json(v));
                         data.push_back(Value::list(std::move(r)));
                       }
                     }
                     Value response = Value::dict();
                     response.as_dict()->set("code", Value("OK"));
                     response.as_dict()->set("rows_affected",
                                             Value(static_cast<std::int64_t>(result.rows.size())));
                     stored.as_dict()->set("response", response);
                     stored.as_dict()->set("data", Value::list(std::move(data)));
                     stored.as_dict()->set("table", table);
                     ev.env().statement_results[name->str()] = stored;
                   }
                   return Value(std::string());
                 }));
  env.set_global("load_result",
                 make_function("load_result", [](Evaluator& ev, CallArgs& a, std::size_t) -> Value {
                   if (a.positional.empty()) return Value();
                   auto it = ev.env().statement_results.find(a.positional[0].str());
                   return it == ev.env().statement_results.end() ? Value() : it->second;
                 }));
  env.set_global(
      "store_result",
      make_function("store_result", [](Evaluator& ev, CallArgs& a, std::size_t) -> Value {
        if (a.positional.empty()) return Value();
        Value stored = Value::dict();
        if (const Value* r = a.arg(1, "response")) stored.as_dict()->set("response", *r);
        if (const Value* t = a.arg(2, "agate_table")) stored.as_dict()->set("table", *t);
        ev.env().statement_results[a.positional[0].str()] = stored;
        return Value(std::string());
      }));
  auto log_fn = [](bool is_print) {
    return [is_print](Evaluator& ev, CallArgs& a, std::size_t) -> Value {
      std::string msg = a.positional.empty() ? "" : a.positional[0].str();
      bool info = is_print || (a.arg(1, "info") != nullptr && a.arg(1, "info")->truthy());
      if (ctx_of(ev).log) ctx_of(ev).log(info ? "info" : "debug", msg);
      return Value(std::string());
    };
  };
  env.set_global("log", make_function("log", log_fn(false)));
  env.set_global("print", make_function("print", log_fn(true)));
  {
    auto exceptions = std::make_shared<Namespace>("exceptions");
    exceptions->set(
        "raise_compiler_error",
        make_function(
            "raise_compiler_error", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
              ev.fail(o, "compilation error: " + (a.positional.empty() ? std::string("(no message)")
                                                                       : a.positional[0].str()));
            }));
    exceptions->set(
        "raise_not_implemented",
        make_function(
            "raise_not_implemented", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
              ev.fail(o, "not implemented: " +
                             (a.positional.empty() ? std::string() : a.positional[0].str()));
            }));
    exceptions->set(
        "raise_fail_fast_error",
        make_function(
            "raise_fail_fast_error", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
              ev.fail(o, "fail-fast: " +
                             (a.positional.empty() ? std::string() : a.positional[0].str()));
            }));
    exceptions->set("warn",
                    make_function("warn", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                      std::string msg = a.positional.empty() ? "" : a.positional[0].str();
                      if (ctx_of(ev).warn)
                        ctx_of(ev).warn(msg + " (at " + ev.site().where(o) + ")");
                      return Value(std::string());
                    }));
    env.set_global("exceptions", Value(ObjectPtr(exceptions)));
  }
  env.set_global("return",
                 make_function("return", [](Evaluator&, CallArgs& a, std::size_t) -> Value {
                   throw ReturnSignal{a.positional.empty() ? Value() : a.positional[0]};
                 }));
  env.set_global("doc",
                 make_function("doc", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                   std::size_t n = a.positional.size();
                   if (n == 0 || n > 2)
                     ev.fail(o, "doc() takes 1 or 2 arguments ('name' or 'package', 'name')");
                   std::string name = string_arg(ev, a, n - 1, "name", o, "doc");
                   std::string package = n == 2 ? string_arg(ev, a, 0, "package", o, "doc") : "";
                   std::optional<std::string> text;
                   if (ctx_of(ev).resolve_doc) text = ctx_of(ev).resolve_doc(package, name);
                   if (!text)
                     ev.fail(o, "doc('" + name + "') names no {% docs " + name + " %} block");
                   return Value(*text);
                 }));
  {
    auto modules = std::make_shared<Namespace>("modules");
    modules->set("datetime", make_datetime_module());
    modules->set("re", make_re_module());
    env.set_global("modules", Value(ObjectPtr(modules)));
  }
  env.set_global("zip", make_function("zip", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   std::vector<List> lists;
                   for (const Value& v : a.positional) {
                     auto items = v.iterate();
                     if (!items) ev.fail(o, "zip() needs lists, got a " + v.type_name());
                     lists.push_back(std::move(*items));
                   }
                   List out;
                   if (lists.empty()) return Value::list();
                   std::size_t n = lists[0].size();
                   for (const auto& l : lists) n = std::min(n, l.size());
                   for (std::size_t i = 0; i < n; ++i) {
                     List tuple;
                     for (const auto& l : lists) tuple.push_back(l[i]);
                     out.push_back(Value::tuple(std::move(tuple)));
                   }
                   return Value::list(std::move(out));
                 }));
  env.set_global("zip_strict", *env.global("zip"));
  auto set_fn = [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
    if (a.positional.empty()) return Value::list();
    auto items = a.positional[0].iterate();
    if (!items) ev.fail(o, "set() needs a list, got a " + a.positional[0].type_name());
    List out;
    for (const Value& v : *items) {
      if (std::none_of(out.begin(), out.end(), [&](const Value& x) { return x == v; }))
        out.push_back(v);
    }
    return Value::list(std::move(out));
  };
  env.set_global("set", make_function("set", set_fn));
  env.set_global("set_strict", make_function("set_strict", set_fn));
  env.set_global("fromjson",
                 make_function("fromjson", [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                   if (a.positional.empty()) ev.fail(o, "fromjson() needs a string");
                   try {
                     return Value::from_json(nlohmann::json::parse(a.positional[0].str()));
                   } catch (const nlohmann::json::exception&) {
                     if (a.positional.size() > 1) return a.positional[1];
                     ev.fail(o, "fromjson(): not valid JSON: " + a.positional[0].repr());
                   }
                 }));
  env.set_global(
      "tojson", make_function("tojson", [](Evaluator&, CallArgs& a, std::size_t) -> Value {
        if (a.positional.empty()) return Value("null");
        return Value(to_json_text(
            a.positional[0], a.kwarg("sort_keys") != nullptr && a.kwarg("sort_keys")->truthy(), 0));
      }));
  env.set_global("local_md5",
                 make_function("local_md5", [](Evaluator&, CallArgs& a, std::size_t) -> Value {
                   return Value(md5_hex(a.positional.empty() ? "" : a.positional[0].str()));
                 }));
  env.set_global("try_or_compiler_error",
                 make_function("try_or_compiler_error",
                               [](Evaluator& ev, CallArgs& a, std::size_t o) -> Value {
                                 if (a.positional.size() < 2)
                                   ev.fail(o, "try_or_compiler_error(message, func, args...)");
                                 CallArgs rest;
                                 rest.positional.assign(a.positional.begin() + 2,
                                                        a.positional.end());
                                 rest.keyword = a.keyword;
                                 try {
                                   return ev.call_value(a.positional[1], rest, o, "func");
                                 } catch (const Error&) {
                                   ev.fail(o, "compilation error: " + a.positional[0].str());
                                 }
                               }));
  {
    auto api = std::make_shared<Namespace>("api");
    auto relation = std::make_shared<Namespace>("Relation");
    relation->set("create",
                  make_function("Relation.create", [](Evaluator&, CallArgs& a, std::size_t) {
                    RelationParts p;
                    if (const Value* v = a.kwarg("database"); v != nullptr && !v->is_none())
                      p.database = v->str();
                    if (const Value* v = a.kwarg("schema"); v != nullptr && !v->is_none())
                      p.schema = v->str();
                    if (const Value* v = a.kwarg("identifier"); v != nullptr && !v->is_none())
                      p.identifier = v->str();
                    if (const Value* v = a.kwarg("type"); v != nullptr && !v->is_none())
                      p.type = v->str();
                    return make_relation(p);
                  }));
    api->set("Relation", Value(ObjectPtr(relation)));
    env.set_global("api", Value(ObjectPtr(api)));
  }
  env.set_global("dbt_version", Value("1.8.0"));
  {
    auto builtins = std::make_shared<Namespace>("builtins");
    builtins->set("ref", *env.global("ref"));
    builtins->set("source", *env.global("source"));
    builtins->set("config", *env.global("config"));
    env.set_global("builtins", Value(ObjectPtr(builtins)));
  }
}

// dbt's `target`: the profile's values, with dbt's defaults for what is missing.
Value target_value(const RenderContext& ctx) {
  Value target = ctx.target != nullptr && ctx.target->is_object() ? Value::from_json(*ctx.target)
                                                                  : Value::dict();
  Dict& t = *target.as_dict();
  if (t.find("name") == nullptr) t.set("name", Value("dev"));
  if (t.find("type") == nullptr) t.set("type", Value(ctx.adapter_type));
  if (t.find("schema") == nullptr) t.set("schema", Value("main"));
  if (t.find("database") == nullptr) t.set("database", Value(""));
  if (t.find("threads") == nullptr) t.set("threads", Value(std::int64_t{1}));
  if (t.find("profile_name") == nullptr) t.set("profile_name", Value(ctx.project_name));
  return target;
}

const std::vector<std::string>& lazy_names() {
  static const std::vector<std::string> kNames = {
      "this",          "execute", "target", "schema", "database", "project_name",
      "invocation_id", "model",   "flags",  "graph",  "schemas",  "selected_resources",
      "run_started_at"};
  return kNames;
}

// The values of dbt's context that depend on one render, made when first used (most
// templates use few of them); mutable ones (dicts, lists) are per render, never shared.
std::optional<Value> lazy_value(const Environment& env, std::string_view name) {
  static const RenderContext kNone;
  const RenderContext& ctx = env.context != nullptr ? *env.context : kNone;
  if (name == "this") {
    return ctx.this_relation.empty() ? Value() : make_relation(ctx.this_relation);
  }
  if (name == "execute") return Value(ctx.execute);
  if (name == "target") return target_value(ctx);
  if (name == "schema" || name == "database") {
    return *target_value(ctx).as_dict()->find(name);
  }
  if (name == "project_name") return Value(ctx.project_name);
  if (name == "invocation_id") return Value(ctx.invocation_id);
  if (name == "run_started_at") return Value(ctx.run_started_at);
  if (name == "model") {
    const nlohmann::json* model = ctx.node_info ? ctx.node_info("model") : nullptr;
    return model != nullptr && model->is_object() ? Value::from_json(*model) : Value::dict();
  }
  if (name == "flags") {
    Value flags = ctx.flags != nullptr && ctx.flags->is_object() ? Value::from_json(*ctx.flags)
                                                                 : Value::dict();
    Dict& f = *flags.as_dict();
    for (const char* k : {"FULL_REFRESH", "STORE_FAILURES", "WARN_ERROR", "FAIL_FAST", "DEBUG"}) {
      if (f.find(k) == nullptr) f.set(k, Value(false));
    }
    if (f.find("WHICH") == nullptr) f.set("WHICH", Value("run"));
    return flags;
  }
  if (name == "graph") {
    Value graph = Value::dict();
    for (const char* k : {"nodes", "sources", "macros", "exposures", "metrics", "groups"}) {
      graph.as_dict()->set(k, Value::dict());
    }
    return graph;
  }
  if (name == "selected_resources" || name == "schemas") return Value::list();
  return std::nullopt;
}

const Environment& shared_environment() {
  static const Environment* kShared = [] {
    ValueArena::Pause pause;        // its values outlive every render
    auto* env = new Environment();  // lives as long as the process: renders run until exit
    install_shared(*env);
    return env;
  }();
  return *kShared;
}

}  // namespace

void install_dbt_context(Environment& env, const RenderContext& ctx, const MacroLibrary* library) {
  env.set_base(&shared_environment());
  env.set_lazy(&lazy_value, &lazy_names());
  env.context = &ctx;
  env.library = library;
  if (library != nullptr) {
    env.set_macro_finder([library](std::string_view name, std::string_view from_package) {
      return library->resolve(name, from_package);
    });
    env.set_fallback([library](std::string_view name) -> std::optional<Value> {
      if (name == "dbt" || library->has_package(name)) {
        return Value(ObjectPtr(std::make_shared<PackageNamespace>(*library, std::string(name))));
      }
      return std::nullopt;
    });
    env.extra_names = [library] {
      std::vector<std::string> names;
      for (const auto& [n, m] : library->all()) names.push_back(n);
      for (const auto& p : library->package_names()) names.push_back(p);
      return names;
    };
  }
}

}  // namespace baliza::transform::tmpl
