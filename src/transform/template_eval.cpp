#include "transform/template_eval.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform {

const std::vector<std::string>& template_builtins() {
  static const std::vector<std::string> kBuiltins = {
      "config", "env_var", "is_incremental", "ref", "source", "this", "var"};
  return kBuiltins;
}

bool truthy(const nlohmann::json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<long long>() != 0;
  if (v.is_number()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

void append_value(std::string& out, const nlohmann::json& v) {
  if (v.is_string()) {
    out += v.get_ref<const std::string&>();
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "True" : "False";  // as Jinja prints Python bools
  } else if (v.is_null()) {
    out += "None";
  } else {
    out += v.dump();
  }
}

void Evaluator::render(const Body& body, std::string& out) {
  for (const Stmt& s : body) {
    switch (s.kind) {
      case Stmt::Kind::kText:
        out.append(source_.substr(s.offset, s.length));
        break;
      case Stmt::Kind::kOutput:
        append_value(out, eval(*s.expr));
        break;
      case Stmt::Kind::kIf:
        for (const IfBranch& branch : s.branches) {
          if (branch.condition == nullptr || truthy(eval(*branch.condition))) {
            render(branch.body, out);
            break;
          }
        }
        break;
      case Stmt::Kind::kSet:
        locals_.insert_or_assign(s.name, eval(*s.expr));
        break;
      case Stmt::Kind::kMacro:
        break;  // definitions render to nothing (and only macro files may hold them)
    }
  }
}

nlohmann::json Evaluator::eval(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal;
    case Expr::Kind::kName: {
      if (auto it = locals_.find(e.name); it != locals_.end()) return it->second;
      if (e.name == "this") {
        if (context_ == nullptr) site_.fail(e.offset, "'this' cannot be used inside config()");
        return context_->this_relation;
      }
      std::vector<std::string> names = template_builtins();
      for (const auto& [name, value] : locals_) names.push_back(name);
      site_.fail(e.offset, "undefined name '" + e.name + "'", did_you_mean(e.name, names));
    }
    case Expr::Kind::kAttribute:
      site_.fail(e.offset, "attribute access '." + e.name + "' is not supported",
                 "; Baliza templates support ref, source, config, var, env_var, this and "
                 "is_incremental");
    case Expr::Kind::kCall:
      return call(e);
    case Expr::Kind::kList: {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& item : e.operands) list.push_back(eval(*item));
      return list;
    }
    case Expr::Kind::kDict: {
      nlohmann::json dict = nlohmann::json::object();
      for (std::size_t i = 0; i + 1 < e.operands.size(); i += 2) {
        nlohmann::json key = eval(*e.operands[i]);
        std::string k;
        append_value(k, key);
        dict[k] = eval(*e.operands[i + 1]);
      }
      return dict;
    }
    case Expr::Kind::kNot:
      return !truthy(eval(*e.operands[0]));
    case Expr::Kind::kBinary:
      return binary(e);
  }
  return nullptr;
}

nlohmann::json Evaluator::binary(const Expr& e) {
  if (e.name == "and") {
    nlohmann::json left = eval(*e.operands[0]);
    return truthy(left) ? eval(*e.operands[1]) : left;
  }
  if (e.name == "or") {
    nlohmann::json left = eval(*e.operands[0]);
    return truthy(left) ? left : eval(*e.operands[1]);
  }
  nlohmann::json left = eval(*e.operands[0]);
  nlohmann::json right = eval(*e.operands[1]);
  if (e.name == "==") return left == right;
  if (e.name == "!=") return left != right;
  if (e.name == "<") return left < right;
  if (e.name == ">") return left > right;
  if (e.name == "<=") return left <= right;
  if (e.name == ">=") return left >= right;
  if (e.name == "+" && left.is_number() && right.is_number()) {
    if (left.is_number_integer() && right.is_number_integer()) {
      return left.get<long long>() + right.get<long long>();
    }
    return left.get<double>() + right.get<double>();
  }
  std::string joined;  // '~' (and '+' on strings) concatenates
  append_value(joined, left);
  append_value(joined, right);
  return joined;
}

nlohmann::json Evaluator::call(const Expr& e) {
  if (e.callee->kind != Expr::Kind::kName) {
    site_.fail(e.offset, "only the built-in functions can be called",
               " (" + join(template_builtins(), ", ") + ")");
  }
  const std::string& name = e.callee->name;
  if (name == "ref") return call_ref(e);
  if (name == "source") return call_source(e);
  if (name == "var") return call_var(e);
  if (name == "env_var") return call_env_var(e);
  if (name == "config") return "";  // applied at load time; renders to nothing
  if (name == "is_incremental") return context_ != nullptr && context_->is_incremental;
  if (macros_ != nullptr) {
    if (const Macro* macro = macros_->find(name)) return call_macro(e, *macro);
    site_.fail(e.offset, "unknown macro or function '" + name + "'",
               did_you_mean(name, macros_->callable_names()));
  }
  site_.fail(e.offset, "unknown function '" + name + "'", did_you_mean(name, template_builtins()));
}

namespace {

// "a -> b -> a -> ..." up to the first repetition (or the whole chain when none repeats).
std::string describe_chain(const std::vector<std::string>& chain, const std::string& next) {
  std::vector<std::string> all = chain;
  all.push_back(next);
  std::vector<std::string> shown;
  for (const std::string& name : all) {
    bool repeat = std::find(shown.begin(), shown.end(), name) != shown.end();
    shown.push_back(name);
    if (repeat) {
      shown.emplace_back("...");
      break;
    }
  }
  return join(shown, " -> ");
}

}  // namespace

nlohmann::json Evaluator::call_macro(const Expr& e, const Macro& macro) {
  if (context_ == nullptr) {
    site_.fail(e.offset, "macro '" + macro.name + "' cannot be called inside config()",
               "; pass literal values to config()");
  }
  if (chain_.size() >= kMaxMacroDepth) {
    site_.fail(e.offset,
               "macro calls nested deeper than " + std::to_string(kMaxMacroDepth) + ": " +
                   describe_chain(chain_, macro.name),
               "; make the recursion stop (an {% if %} around the recursive call)");
  }
  std::vector<std::string> chain = chain_;
  chain.push_back(macro.name);
  Evaluator inner(macro.source, *macro.site, context_, vars_, macros_, std::move(chain));
  bind_arguments(e, macro, inner);
  std::string out;
  if (!chain_.empty()) {
    inner.render(macro.definition->body, out);
    return out;
  }
  try {
    inner.render(macro.definition->body, out);
  } catch (const Error& err) {
    // Errors point into the macro file; say which call of this template led there.
    throw Error(err.code(), std::string(err.what()) + " (in macro '" + macro.name + "' called at " +
                                site_.where(e.offset) + ")");
  }
  return out;
}

// Arguments are evaluated here (the caller's scope); defaults in the macro's own scope.
void Evaluator::bind_arguments(const Expr& e, const Macro& macro, Evaluator& inner) {
  const auto& params = macro.definition->params;
  std::string hint =
      "; its signature is " + macro.signature + " (" + format_pos(macro.file, macro.pos) + ")";
  if (e.operands.size() > params.size()) {
    site_.fail(e.offset,
               "macro '" + macro.name + "' takes " + std::to_string(params.size()) +
                   " argument(s), got " + std::to_string(e.operands.size()),
               hint);
  }
  std::vector<bool> bound(params.size(), false);
  for (std::size_t i = 0; i < e.operands.size(); ++i) {
    inner.locals_.insert_or_assign(params[i].name, eval(*e.operands[i]));
    bound[i] = true;
  }
  for (const auto& [key, value] : e.kwargs) {
    auto it = std::find_if(params.begin(), params.end(),
                           [&](const MacroParam& p) { return p.name == key; });
    if (it == params.end()) {
      site_.fail(value->offset, "macro '" + macro.name + "' has no argument '" + key + "'",
                 did_you_mean(key, macro.params) + hint);
    }
    std::size_t index = static_cast<std::size_t>(it - params.begin());
    if (bound[index]) {
      site_.fail(value->offset,
                 "argument '" + key + "' of macro '" + macro.name +
                     "' is given twice (by position and by name)",
                 hint);
    }
    inner.locals_.insert_or_assign(key, eval(*value));
    bound[index] = true;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (bound[i]) continue;
    if (!params[i].default_value) {
      site_.fail(e.offset,
                 "macro '" + macro.name + "' is missing argument '" + params[i].name + "'", hint);
    }
    inner.locals_.insert_or_assign(params[i].name, inner.eval(*params[i].default_value));
  }
}

std::string Evaluator::string_arg(const Expr& call, std::size_t index, std::string_view function) {
  nlohmann::json v = eval(*call.operands[index]);
  if (!v.is_string()) {
    site_.fail(call.operands[index]->offset,
               std::string(function) + "() expects string arguments, got " + v.dump());
  }
  return v.get<std::string>();
}

nlohmann::json Evaluator::call_ref(const Expr& e) {
  if (context_ == nullptr) site_.fail(e.offset, "ref() cannot be used inside config()");
  TemplateRef ref;
  ref.pos = site_.pos(e.offset);
  std::size_t n = e.operands.size();
  if (n == 0 || n > 2)
    site_.fail(e.offset, "ref() takes 1 or 2 arguments ('model' or 'package', 'model')");
  ref.name = string_arg(e, n - 1, "ref");
  if (n == 2) ref.package = string_arg(e, 0, "ref");
  std::optional<std::string> relation;
  if (context_->resolve_ref) relation = context_->resolve_ref(ref);
  if (!relation) site_.fail(e.offset, "ref('" + ref.name + "') does not name a model or seed");
  return *relation;
}

nlohmann::json Evaluator::call_source(const Expr& e) {
  if (context_ == nullptr) site_.fail(e.offset, "source() cannot be used inside config()");
  if (e.operands.size() != 2)
    site_.fail(e.offset, "source() takes 2 arguments ('source', 'table')");
  TemplateSource src{string_arg(e, 0, "source"), string_arg(e, 1, "source"), site_.pos(e.offset)};
  std::optional<std::string> relation;
  if (context_->resolve_source) relation = context_->resolve_source(src);
  if (!relation) {
    site_.fail(e.offset,
               "source('" + src.source_name + "', '" + src.table_name + "') is not defined");
  }
  return *relation;
}

nlohmann::json Evaluator::call_var(const Expr& e) {
  if (e.operands.empty() || e.operands.size() > 2) {
    site_.fail(e.offset, "var() takes 1 or 2 arguments ('name' or 'name', default)");
  }
  std::string name = string_arg(e, 0, "var");
  if (vars_ != nullptr && vars_->is_object()) {
    auto it = vars_->find(name);
    if (it != vars_->end()) return *it;
  }
  if (e.operands.size() == 2) return eval(*e.operands[1]);
  site_.fail(e.offset, "missing var '" + name + "'",
             "; define it under 'vars:' in baliza.yml, pass --vars '{" + name +
                 ": ...}', or give a default: var('" + name + "', ...)");
}

nlohmann::json Evaluator::call_env_var(const Expr& e) {
  if (e.operands.empty() || e.operands.size() > 2) {
    site_.fail(e.offset, "env_var() takes 1 or 2 arguments ('NAME' or 'NAME', default)");
  }
  std::string name = string_arg(e, 0, "env_var");
  if (const char* value = std::getenv(name.c_str())) return std::string(value);
  if (e.operands.size() == 2) return eval(*e.operands[1]);
  site_.fail(e.offset, "environment variable '" + name + "' is not set",
             "; set it or give a default: env_var('" + name + "', ...)");
}

}  // namespace baliza::transform
