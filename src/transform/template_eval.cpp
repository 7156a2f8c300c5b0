#include "transform/template_eval.h"

#include <cstdlib>

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
    }
  }
}

nlohmann::json Evaluator::eval(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal;
    case Expr::Kind::kName:
      if (e.name == "this") {
        if (context_ == nullptr) site_.fail(e.offset, "'this' cannot be used inside config()");
        return context_->this_relation;
      }
      site_.fail(e.offset, "undefined name '" + e.name + "'",
                 did_you_mean(e.name, template_builtins()));
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
  site_.fail(e.offset, "unknown function '" + name + "'", did_you_mean(name, template_builtins()));
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
