#include "transform/template/evaluator.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.h"
#include "transform/template/filters.h"
#include "transform/template/methods.h"
#include "transform/template/tests.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform::tmpl {
namespace {

// The loop variable of a for: index, index0, first, last, length, revindex, previtem, ...
class LoopObject : public Object {
 public:
  LoopObject(const List* items, std::size_t depth) : items_(items), depth_(depth) {}
  std::string type_name() const override { return "LoopContext"; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override {
    auto n = static_cast<std::int64_t>(items_->size());
    auto i = static_cast<std::int64_t>(index_);
    if (name == "index") return Value(i + 1);
    if (name == "index0") return Value(i);
    if (name == "revindex") return Value(n - i);
    if (name == "revindex0") return Value(n - i - 1);
    if (name == "first") return Value(i == 0);
    if (name == "last") return Value(i == n - 1);
    if (name == "length") return Value(n);
    if (name == "depth") return Value(static_cast<std::int64_t>(depth_));
    if (name == "depth0") return Value(static_cast<std::int64_t>(depth_ - 1));
    if (name == "previtem") return i > 0 ? (*items_)[index_ - 1] : Value::undefined("previtem");
    if (name == "nextitem") {
      return i + 1 < n ? (*items_)[index_ + 1] : Value::undefined("nextitem");
    }
    if (name == "cycle") {
      std::size_t index = index_;
      return make_function("loop.cycle", [index](Evaluator&, CallArgs& args, std::size_t) {
        if (args.positional.empty()) return Value();
        return args.positional[index % args.positional.size()];
      });
    }
    if (name == "changed") {
      return make_function("loop.changed", [this](Evaluator&, CallArgs& args, std::size_t) {
        Value now = Value::list(args.positional);
        bool changed = !(now == last_changed_);
        last_changed_ = now;
        return Value(changed);
      });
    }
    return std::nullopt;
  }
  std::vector<std::string> attr_names() const override {
    return {"index",  "index0", "revindex", "revindex0", "first", "last",
            "length", "depth",  "previtem", "nextitem",  "cycle", "changed"};
  }
  void set_index(std::size_t i) { index_ = i; }

 private:
  const List* items_;
  std::size_t depth_;
  std::size_t index_ = 0;
  Value last_changed_ = Value::undefined("");
};

// The body of {% call %}, callable as caller(args) from the macro it calls.
class CallerCallable : public Callable {
 public:
  CallerCallable(Evaluator& ev, const Stmt& stmt) : ev_(ev), stmt_(stmt) {}
  std::string name() const override { return "caller"; }
  Value call(Evaluator&, CallArgs& args, std::size_t offset) override {
    std::vector<std::pair<std::string, Value>> bindings;
    for (std::size_t i = 0; i < stmt_.params.size(); ++i) {
      const MacroParam& p = stmt_.params[i];
      if (const Value* v = args.arg(i, p.name)) {
        bindings.emplace_back(p.name, *v);
      } else if (p.default_value) {
        bindings.emplace_back(p.name, ev_.eval(*p.default_value));
      } else {
        ev_.fail(offset, "caller() is missing argument '" + p.name + "'");
      }
    }
    return Value(ev_.render_in_scope(stmt_.body, bindings));
  }

 private:
  Evaluator& ev_;
  const Stmt& stmt_;
};

// A macro as a value: {{ my_macro }} passed around, dbt_utils.star, adapter.dispatch results.
class MacroCallable : public Callable {
 public:
  explicit MacroCallable(const Macro& m) : macro_(m) {}
  std::string name() const override { return macro_.name; }
  Value call(Evaluator& ev, CallArgs& args, std::size_t offset) override {
    return ev.call_macro(macro_, args, offset);
  }

 private:
  const Macro& macro_;
};

// A {% macro %} defined inside a model: callable after its definition, like in Jinja.
class LocalMacro : public Callable {
 public:
  LocalMacro(const Stmt& s, std::string_view source, const ErrorSite& site, std::string package) {
    macro_.name = s.name;
    macro_.package = std::move(package);
    macro_.file = std::string(site.file());
    macro_.pos = site.pos(s.name_offset);
    macro_.signature = std::string(source.substr(s.name_offset, s.signature_length));
    for (const MacroParam& p : s.params) macro_.params.push_back(p.name);
    macro_.uses_varargs = true;  // lenient: a local macro takes extra arguments as Jinja does
    macro_.uses_kwargs = true;
    macro_.definition = &s;
    macro_.source = source;
    macro_.site = &site;
  }
  std::string name() const override { return macro_.name; }
  Value call(Evaluator& ev, CallArgs& args, std::size_t offset) override {
    return ev.call_macro(macro_, args, offset);
  }

 private:
  Macro macro_;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  std::int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

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

// Python's % string formatting for %s, %d, %i, %f and %%.
std::string percent_format(Evaluator& ev, const std::string& fmt, const Value& args,
                           std::size_t offset) {
  List values;
  if (args.is_list()) {
    values = *args.as_list();
  } else {
    values.push_back(args);
  }
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (i + 1 >= fmt.size()) ev.fail(offset, "incomplete format in '" + fmt + "'");
    char spec = fmt[++i];
    if (spec == '%') {
      out += '%';
      continue;
    }
    if (next >= values.size()) ev.fail(offset, "not enough arguments for format string");
    const Value& v = values[next++];
    ev.check_size(out.size(), offset);
    if (spec == 's') {
      out += v.str();
    } else if (spec == 'r') {
      out += v.repr();
    } else if (spec == 'd' || spec == 'i') {
      out += std::to_string(v.is_float() ? static_cast<std::int64_t>(v.as_double())
                                         : (v.is_int() ? v.as_int() : 0));
    } else if (spec == 'f') {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%f", v.is_number() ? v.as_double() : 0.0);
      out += buf;
    } else {
      ev.fail(offset, std::string("unsupported format '%") + spec + "'");
    }
  }
  return out;
}

// Whether `name` is assigned by a {% set %} or a {% for %} somewhere in `source`. Such a name,
// read where its assignment did not run, is Jinja's Undefined (prints nothing, is false), which
// real packages rely on ({% if cols %}{% set select_cols = ... %}{% endif %} ...
// {{ select_cols }}). A name assigned nowhere is a typo and stays an error.
bool assigned_in_source(std::string_view src, std::string_view name) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::size_t pos = 0;
  while ((pos = src.find("{%", pos)) != std::string_view::npos) {
    pos += 2;
    if (pos < src.size() && (src[pos] == '-' || src[pos] == '+')) ++pos;
    while (pos < src.size() && std::isspace(static_cast<unsigned char>(src[pos]))) ++pos;
    std::size_t kw = 0;
    if (src.compare(pos, 3, "set") == 0 || src.compare(pos, 3, "for") == 0) kw = 3;
    if (kw == 0 || pos + kw >= src.size() || ident(src[pos + kw])) continue;
    pos += kw;
    // Targets: names separated by commas, spaces and parentheses, up to '=', '|', '%' or `in`.
    while (pos < src.size()) {
      char c = src[pos];
      if (c == '=' || c == '|' || c == '%' || c == '-') break;
      if (!ident(c)) {
        ++pos;
        continue;
      }
      std::size_t b = pos;
      while (pos < src.size() && (ident(src[pos]) || src[pos] == '.')) ++pos;
      std::string_view word = src.substr(b, pos - b);
      if (word == "in") break;
      if (word == name) return true;
    }
  }
  return false;
}

}  // namespace

const Value* Evaluator::lookup_local(std::string_view name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return &found->second;
  }
  return nullptr;
}

void Evaluator::check_output(const std::string& out, std::size_t offset) const {
  if (out.size() > kMaxOutputBytes) {
    fail(offset, "the template renders more than " + std::to_string(kMaxOutputBytes >> 20) + " MiB",
         "; check the loops for one that never ends");
  }
}

void Evaluator::check_size(std::size_t bytes, std::size_t offset) const {
  if (bytes > kMaxOutputBytes) {
    fail(offset, "a string longer than " + std::to_string(kMaxOutputBytes >> 20) + " MiB",
         "; check the loops and repetitions that build it");
  }
}

void Evaluator::count_iteration(std::size_t offset) {
  if (++env_.iterations > kMaxIterations) {
    fail(offset, "loops ran more than " + std::to_string(kMaxIterations) + " iterations",
         "; check the loop bounds");
  }
}

void Evaluator::render(const Body& body, std::string& out) {
  for (const Stmt& s : body) {
    switch (s.kind) {
      case Stmt::Kind::kText:
        out.append(source_.substr(s.offset, s.length));
        break;
      case Stmt::Kind::kOutput: {
        Value v = eval(*s.expr);
        if (v.is_undefined() && lenient_ == 0) {
          // Printing an undefined attribute prints nothing, as Jinja does.
        } else {
          out += v.str();
        }
        check_output(out, s.offset);
        break;
      }
      case Stmt::Kind::kIf:
        for (const IfBranch& branch : s.branches) {
          if (branch.condition == nullptr || eval(*branch.condition).truthy()) {
            render(branch.body, out);
            break;
          }
        }
        break;
      case Stmt::Kind::kFor:
        render_for(s, out);
        break;
      case Stmt::Kind::kSet:
        assign(s.target, eval(*s.expr));
        break;
      case Stmt::Kind::kSetBlock: {
        std::string captured;
        render(s.body, captured);
        Value value(std::move(captured));
        if (s.filter) {
          scopes_.emplace_back();
          set_local("_", value);
          value = eval(*s.filter);
          scopes_.pop_back();
        }
        assign(s.target, std::move(value));
        break;
      }
      case Stmt::Kind::kDo:
        eval(*s.expr);
        break;
      case Stmt::Kind::kFilter: {
        std::string captured;
        render(s.body, captured);
        scopes_.emplace_back();
        set_local("_", Value(std::move(captured)));
        Value filtered = eval(*s.filter);
        scopes_.pop_back();
        out += filtered.str();
        break;
      }
      case Stmt::Kind::kCall:
        render_call_block(s, out);
        break;
      case Stmt::Kind::kBlock:
        if (s.name != "docs") render(s.body, out);  // snapshot bodies render in place
        break;
      case Stmt::Kind::kMacro: {
        // A macro defined in the template being rendered: a local callable from here on.
        auto local = std::make_shared<LocalMacro>(s, source_, site_, package_);
        set_local(s.name, Value(CallablePtr(local)));
        break;
      }
    }
  }
}

void Evaluator::assign(const Target& target, Value value) {
  if (!target.attribute.empty()) {
    const Value* holder = lookup_local(target.names[0]);
    if (holder == nullptr || !holder->is_dict()) {
      fail(target.offset, "cannot set '" + target.names[0] + "." + target.attribute + "'",
           "; '" + target.names[0] + "' must be a namespace(): {% set " + target.names[0] +
               " = namespace(" + target.attribute + "=...) %}");
    }
    holder->as_dict()->set(target.attribute, std::move(value));
    return;
  }
  if (target.names.size() == 1) {
    set_local(target.names[0], std::move(value));
    return;
  }
  std::optional<List> items = value.iterate();
  if (!items || items->size() != target.names.size()) {
    fail(target.offset,
         "cannot unpack " + value.type_name() + " into " + std::to_string(target.names.size()) +
             " names",
         "; the value must have exactly " + std::to_string(target.names.size()) + " items");
  }
  for (std::size_t i = 0; i < target.names.size(); ++i) set_local(target.names[i], (*items)[i]);
}

void Evaluator::render_for(const Stmt& s, std::string& out) {
  Value iterable = eval(*s.expr);
  std::optional<List> all = iterable.iterate();
  if (!all) {
    if (iterable.is_none()) {
      fail(s.expr->offset, "cannot loop over None",
           "; check that the value is set (run_query results are None while execute is false)");
    }
    fail(s.expr->offset, "cannot loop over a " + iterable.type_name());
  }
  scopes_.emplace_back();
  List items;
  if (s.condition) {
    for (Value& v : *all) {
      assign(s.target, v);
      if (eval(*s.condition).truthy()) items.push_back(std::move(v));
    }
  } else {
    items = std::move(*all);
  }
  std::size_t depth = 1;
  if (const Value* outer = lookup_local("loop"); outer != nullptr && outer->is_object()) {
    if (auto d = dynamic_cast<LoopObject*>(outer->as_object().get())) {
      Evaluator& self = *this;
      if (auto v = d->attr(self, "depth")) depth = static_cast<std::size_t>(v->as_int()) + 1;
    }
  }
  auto loop = std::make_shared<LoopObject>(&items, depth);
  for (std::size_t i = 0; i < items.size(); ++i) {
    count_iteration(s.offset);
    loop->set_index(i);
    set_local("loop", Value(ObjectPtr(loop)));
    assign(s.target, items[i]);
    render(s.body, out);
  }
  scopes_.pop_back();
  if (items.empty()) render(s.else_body, out);
}

std::string Evaluator::render_in_scope(const Body& body,
                                       const std::vector<std::pair<std::string, Value>>& bindings) {
  scopes_.emplace_back();
  for (const auto& [name, value] : bindings) set_local(name, value);
  std::string out;
  try {
    render(body, out);
  } catch (...) {
    scopes_.pop_back();
    throw;
  }
  scopes_.pop_back();
  return out;
}

void Evaluator::render_call_block(const Stmt& s, std::string& out) {
  const Expr& call = *s.expr;
  Value callee = eval(*call.callee);
  CallArgs args = eval_arguments(call, 0);
  args.caller = Value(CallablePtr(std::make_shared<CallerCallable>(*this, s)));
  Value result = call_value(callee, args, call.offset,
                            call.callee->kind == Expr::Kind::kName ? call.callee->name : "call");
  out += result.str();
}

std::vector<std::string> Evaluator::known_names() const {
  std::vector<std::string> names = env_.global_names();
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) names.push_back(name);
  }
  if (env_.extra_names) {
    auto extra = env_.extra_names();
    names.insert(names.end(), extra.begin(), extra.end());
  }
  return names;
}

Value Evaluator::eval(const Expr& e) {
  Value v = eval_expr(e);
  std::size_t bytes = v.is_string() ? v.as_string().size() : 0;
  check_size(bytes, e.offset);
  env_.work += 1 + bytes;
  if (env_.work > kMaxWork) {
    fail(e.offset,
         "the template did more than " + std::to_string(kMaxWork >> 20) +
             " MiB of work (expressions and the text they made)",
         "; check the loops for one that rebuilds or re-reads long strings");
  }
  return v;
}

Value Evaluator::eval_expr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return Value::from_json(e.literal);
    case Expr::Kind::kName:
      return eval_name(e);
    case Expr::Kind::kAttribute:
      return eval_attribute(e);
    case Expr::Kind::kItem:
      return eval_item(e);
    case Expr::Kind::kSlice:
      return eval_slice(e);
    case Expr::Kind::kCall:
      return eval_call(e);
    case Expr::Kind::kList:
    case Expr::Kind::kTuple: {
      List items;
      items.reserve(e.operands.size());
      for (const auto& item : e.operands) items.push_back(eval(*item));
      items.tuple = e.kind == Expr::Kind::kTuple;
      return Value::list(std::move(items));
    }
    case Expr::Kind::kDict: {
      Value dict = Value::dict();
      for (std::size_t i = 0; i + 1 < e.operands.size(); i += 2) {
        Value key = eval(*e.operands[i]);
        dict.as_dict()->set(key.str(), eval(*e.operands[i + 1]));
      }
      return dict;
    }
    case Expr::Kind::kNot:
      return Value(!eval(*e.operands[0]).truthy());
    case Expr::Kind::kNegate: {
      Value v = eval(*e.operands[0]);
      if (v.is_int()) return Value(-v.as_int());
      if (v.is_float()) return Value(-v.as_double());
      if (v.is_bool()) return Value(static_cast<std::int64_t>(v.as_bool() ? -1 : 0));
      fail(e.offset, "cannot negate a " + v.type_name());
    }
    case Expr::Kind::kBinary:
      return eval_binary(e);
    case Expr::Kind::kFilter:
      return eval_filter(e);
    case Expr::Kind::kTest:
      return Value(eval_test(e).truthy());
    case Expr::Kind::kCondition:
      if (eval(*e.operands[1]).truthy()) return eval(*e.operands[0]);
      if (e.operands[2]) return eval(*e.operands[2]);
      return Value::undefined("");
  }
  return Value();
}

Value Evaluator::eval_name(const Expr& e) {
  if (const Value* v = lookup_local(e.name)) return *v;
  if (const Value* v = env_.global(e.name)) return *v;
  if (const Macro* m = env_.find_macro(e.name, package_)) {
    return Value(CallablePtr(std::make_shared<MacroCallable>(*m)));
  }
  if (auto v = env_.fallback(e.name)) return *v;
  if (lenient_ > 0 || assigned_in_source(source_, e.name)) return Value::undefined(e.name);
  fail(e.offset, "undefined name '" + e.name + "'", did_you_mean(e.name, known_names()));
}

Value Evaluator::eval_attribute(const Expr& e) {
  Value subject = eval(*e.operands[0]);
  if (subject.is_undefined()) {
    if (lenient_ > 0) return Value::undefined(e.name);
    fail(e.offset, "'" + subject.as_undefined().name + "' is undefined, so it has no attribute '" +
                       e.name + "'");
  }
  if (auto v = get_attribute(*this, subject, e.name)) return *v;
  if (subject.is_object()) {
    if (lenient_ > 0) return Value::undefined(e.name);
    fail(e.offset, subject.type_name() + " has no attribute '" + e.name + "'",
         did_you_mean(e.name, subject.as_object()->attr_names()));
  }
  if (subject.is_none() && lenient_ == 0) {
    fail(e.offset, "None has no attribute '" + e.name + "'",
         "; the value before '." + e.name +
             "' is None (not set, or not available while "
             "execute is false)");
  }
  return Value::undefined(e.name);  // a missing dict key is undefined, as in Jinja
}

Value Evaluator::eval_item(const Expr& e) {
  Value subject = eval(*e.operands[0]);
  Value key = eval(*e.operands[1]);
  if (auto v = get_item(*this, subject, key)) return *v;
  if (subject.is_list() || (subject.is_string() && key.is_int())) {
    if (lenient_ > 0) return Value::undefined(key.str());
    fail(e.offset, "index " + key.str() + " is out of range for a " + subject.type_name() +
                       " of length " + std::to_string(subject.length().value_or(0)));
  }
  if (subject.is_none() || subject.is_undefined()) {
    if (lenient_ > 0) return Value::undefined(key.str());
    fail(e.offset, "cannot index " + subject.type_name() + " with " + key.repr());
  }
  return Value::undefined(key.str());
}

Value Evaluator::eval_slice(const Expr& e) {
  Value subject = eval(*e.operands[0]);
  auto part = [&](std::size_t i) -> std::optional<std::int64_t> {
    if (!e.operands[i]) return std::nullopt;
    Value v = eval(*e.operands[i]);
    if (v.is_none()) return std::nullopt;
    if (!v.is_int()) fail(e.operands[i]->offset, "slice indices must be integers");
    return v.as_int();
  };
  std::optional<std::int64_t> start = part(1), stop = part(2), step_opt = part(3);
  std::int64_t step = step_opt.value_or(1);
  if (step == 0) fail(e.offset, "slice step cannot be zero");
  std::optional<std::int64_t> n = subject.length();
  if (!n || !(subject.is_list() || subject.is_string())) {
    fail(e.offset, "cannot slice a " + subject.type_name());
  }
  auto clamp = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
    if (!v) return dflt;
    std::int64_t x = *v < 0 ? *v + *n : *v;
    if (step > 0) return std::clamp<std::int64_t>(x, 0, *n);
    return std::clamp<std::int64_t>(x, -1, *n - 1);
  };
  std::int64_t lo = clamp(start, step > 0 ? 0 : *n - 1);
  std::int64_t hi = clamp(stop, step > 0 ? *n : -1);
  if (subject.is_string()) {
    const std::string& s = subject.as_string();
    std::string out;
    for (std::int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) {
      out += s[static_cast<std::size_t>(i)];
    }
    return Value(std::move(out));
  }
  const List& items = *subject.as_list();
  List out;
  for (std::int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) {
    out.push_back(items[static_cast<std::size_t>(i)]);
  }
  return Value::list(std::move(out));
}

CallArgs Evaluator::eval_arguments(const Expr& e, std::size_t first_operand) {
  CallArgs args;
  for (std::size_t i = first_operand; i < e.operands.size(); ++i) {
    args.positional.push_back(eval(*e.operands[i]));
  }
  if (e.star_args) {
    Value extra = eval(*e.star_args);
    std::optional<List> items = extra.iterate();
    if (!items) fail(e.star_args->offset, "*args must be a list, got a " + extra.type_name());
    for (Value& v : *items) args.positional.push_back(std::move(v));
  }
  for (const auto& [key, value] : e.kwargs) {
    args.keyword.emplace_back(key, eval(*value));
    args.keyword_offsets.push_back(value->offset);
  }
  if (e.star_kwargs) {
    Value extra = eval(*e.star_kwargs);
    if (!extra.is_dict()) {
      fail(e.star_kwargs->offset, "**kwargs must be a dict, got a " + extra.type_name());
    }
    for (const auto& [k, v] : extra.as_dict()->items) args.keyword.emplace_back(k, v);
  }
  return args;
}

Value Evaluator::eval_call(const Expr& e) {
  std::string shown;
  Value callee;
  if (e.callee->kind == Expr::Kind::kName) {
    shown = e.callee->name;
    const std::string& name = e.callee->name;
    if (const Value* v = lookup_local(name)) {
      callee = *v;
    } else if (const Value* g = env_.global(name)) {
      callee = *g;
    } else if (const Macro* m = env_.find_macro(name, package_)) {
      CallArgs args = eval_arguments(e, 0);
      return call_macro(*m, args, e.offset);
    } else if (auto f = env_.fallback(name)) {
      callee = *f;
    } else {
      fail(e.offset,
           (env_.has_macros() ? "unknown macro or function '" : "unknown function '") + name + "'",
           did_you_mean(name, known_names()));
    }
  } else {
    if (e.callee->kind == Expr::Kind::kAttribute) shown = e.callee->name;
    callee = eval(*e.callee);
  }
  CallArgs args = eval_arguments(e, 0);
  return call_value(callee, args, e.offset, shown);
}

Value Evaluator::call_value(const Value& callee, CallArgs& args, std::size_t offset,
                            const std::string& shown_name) {
  if (callee.is_object() && callee.as_object()->callable()) {
    return callee.as_object()->call(*this, args, offset);
  }
  if (!callee.is_callable()) {
    std::string what = shown_name.empty() ? "value" : "'" + shown_name + "'";
    if (callee.is_undefined()) {
      fail(offset, what + " is undefined and cannot be called");
    }
    fail(offset, what + " is a " + callee.type_name() + ", not a function");
  }
  return callee.as_callable()->call(*this, args, offset);
}

Value Evaluator::call_macro(const Macro& macro, CallArgs& args, std::size_t offset) {
  if (env_.chain.size() >= kMaxMacroDepth) {
    fail(offset,
         "macro calls nested deeper than " + std::to_string(kMaxMacroDepth) + ": " +
             describe_chain(env_.chain, macro.name),
         "; make the recursion stop (an {% if %} around the recursive call)");
  }
  const auto& params = macro.definition->params;
  std::string hint =
      "; its signature is " + macro.signature + " (" + format_pos(macro.file, macro.pos) + ")";
  Evaluator inner(macro.source, *macro.site, env_, macro.package);
  List varargs;
  if (args.positional.size() > params.size()) {
    if (!macro.uses_varargs) {
      fail(offset,
           "macro '" + macro.name + "' takes " + std::to_string(params.size()) +
               " argument(s), got " + std::to_string(args.positional.size()),
           hint);
    }
    varargs.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(params.size()),
                   args.positional.end());
  }
  std::vector<bool> bound(params.size(), false);
  for (std::size_t i = 0; i < args.positional.size() && i < params.size(); ++i) {
    inner.set_local(params[i].name, args.positional[i]);
    bound[i] = true;
  }
  Value kwargs = Value::dict();
  for (std::size_t k = 0; k < args.keyword.size(); ++k) {
    const std::string& key = args.keyword[k].first;
    const Value& value = args.keyword[k].second;
    std::size_t at = k < args.keyword_offsets.size() ? args.keyword_offsets[k] : offset;
    auto it = std::find_if(params.begin(), params.end(),
                           [&](const MacroParam& p) { return p.name == key; });
    if (it == params.end()) {
      if (macro.uses_kwargs) {
        kwargs.as_dict()->set(key, value);
        continue;
      }
      fail(at, "macro '" + macro.name + "' has no argument '" + key + "'",
           did_you_mean(key, macro.params) + hint);
    }
    std::size_t index = static_cast<std::size_t>(it - params.begin());
    if (bound[index]) {
      fail(at,
           "argument '" + key + "' of macro '" + macro.name +
               "' is given twice (by position and by name)",
           hint);
    }
    inner.set_local(key, value);
    bound[index] = true;
  }
  inner.set_local("varargs", Value::list(std::move(varargs)));
  inner.set_local("kwargs", kwargs);
  if (!args.caller.is_none()) inner.set_local("caller", args.caller);
  // An argument neither given nor defaulted is Jinja's Undefined (prints nothing, is false),
  // as Jinja calls macros; dbt_utils' own tests call pretty_log_format() with no message.
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!bound[i] && !params[i].default_value) {
      inner.set_local(params[i].name, Value::undefined(params[i].name));
      bound[i] = true;
    }
  }
  env_.chain.push_back(macro.name);
  struct Pop {
    Environment& env;
    ~Pop() { env.chain.pop_back(); }
  } pop{env_};
  try {
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (bound[i]) continue;
      inner.set_local(params[i].name, inner.eval(*params[i].default_value));
    }
    std::string out;
    try {
      inner.render(macro.definition->body, out);
    } catch (ReturnSignal& r) {
      return std::move(r.value);
    }
    return Value(std::move(out));
  } catch (const Error& err) {
    if (env_.chain.size() != 1 ||
        std::string_view(err.what()).find(" (in macro '") != std::string_view::npos) {
      throw;
    }
    // Errors point into the macro file; say which call of this template led there.
    throw Error(err.code(), std::string(err.what()) + " (in macro '" + macro.name + "' called at " +
                                site_.where(offset) + ")");
  }
}

Value Evaluator::eval_binary(const Expr& e) {
  const std::string& op = e.name;
  if (op == "and") {
    Value left = eval(*e.operands[0]);
    return left.truthy() ? eval(*e.operands[1]) : left;
  }
  if (op == "or") {
    Value left = eval(*e.operands[0]);
    return left.truthy() ? left : eval(*e.operands[1]);
  }
  Value left = eval(*e.operands[0]);
  Value right = eval(*e.operands[1]);
  if (op == "~") {
    std::string l = left.str(), r = right.str();
    check_size(l.size() + r.size(), e.offset);
    return Value(l + r);
  }
  if (left.is_object()) {
    if (auto r = left.as_object()->binary(op, right, false)) return *r;
  }
  if (right.is_object()) {
    if (auto r = right.as_object()->binary(op, left, true)) return *r;
  }
  if (op == "==") return Value(left == right);
  if (op == "!=") return Value(!(left == right));
  if (op == "in" || op == "not in") {
    bool found = false;
    if (right.is_string()) {
      if (!left.is_string()) {
        fail(e.offset, "'in <string>' requires a string on the left, got a " + left.type_name());
      }
      found = right.as_string().find(left.as_string()) != std::string::npos;
    } else if (right.is_dict()) {
      found = right.as_dict()->find(left.str()) != nullptr && left.is_string();
    } else if (auto items = right.iterate()) {
      found = std::any_of(items->begin(), items->end(), [&](const Value& v) { return v == left; });
    } else if (right.is_none() || right.is_undefined()) {
      fail(e.offset, "'in' needs a list, dict or string on the right, got " + right.type_name());
    } else {
      fail(e.offset, "'in' needs a list, dict or string on the right, got a " + right.type_name());
    }
    return Value(op == "in" ? found : !found);
  }
  if (op == "<" || op == ">" || op == "<=" || op == ">=") {
    std::optional<int> c = Value::compare(left, right);
    if (!c) {
      fail(e.offset, "cannot compare " + left.type_name() + " and " + right.type_name() +
                         " with '" + op + "'");
    }
    if (op == "<") return Value(*c < 0);
    if (op == ">") return Value(*c > 0);
    if (op == "<=") return Value(*c <= 0);
    return Value(*c >= 0);
  }
  auto numeric = [](const Value& v) { return v.is_number() || v.is_bool(); };
  auto as_num = [](const Value& v) -> Value {
    return v.is_bool() ? Value(static_cast<std::int64_t>(v.as_bool())) : v;
  };
  if (op == "+") {
    if (left.is_string() && right.is_string()) {
      check_size(left.as_string().size() + right.as_string().size(), e.offset);
      return Value(left.as_string() + right.as_string());
    }
    if (left.is_list() && right.is_list()) {
      List out = *left.as_list();
      out.insert(out.end(), right.as_list()->begin(), right.as_list()->end());
      return Value::list(std::move(out));
    }
  }
  if (op == "*" && ((left.is_string() && right.is_int()) || (left.is_int() && right.is_string()))) {
    const std::string& s = left.is_string() ? left.as_string() : right.as_string();
    std::int64_t n = left.is_int() ? left.as_int() : right.as_int();
    // Divided, not multiplied: n * size may not fit in 64 bits.
    if (n > 0 && !s.empty() && static_cast<std::uint64_t>(n) > kMaxOutputBytes / s.size()) {
      fail(e.offset, "string repetition too large",
           "; the result would be longer than " + std::to_string(kMaxOutputBytes >> 20) + " MiB");
    }
    std::string out;
    if (n > 0) out.reserve(static_cast<std::size_t>(n) * s.size());
    for (std::int64_t i = 0; i < n; ++i) out += s;
    return Value(std::move(out));
  }
  if (op == "*" && left.is_list() && right.is_int()) {
    List out;
    std::int64_t n = right.as_int();
    // Elements are copied: strings by value, so their length counts too.
    std::uint64_t bytes = 0;
    for (const Value& item : *left.as_list())
      bytes += item.is_string() ? item.as_string().size() : 0;
    std::uint64_t size = left.as_list()->size();
    if (n > 0 && ((size > 0 && static_cast<std::uint64_t>(n) > kMaxIterations / size) ||
                  (bytes > 0 && static_cast<std::uint64_t>(n) > kMaxOutputBytes / bytes))) {
      fail(e.offset, "list repetition too large");
    }
    for (std::int64_t i = 0; i < n; ++i) {
      out.insert(out.end(), left.as_list()->begin(), left.as_list()->end());
    }
    return Value::list(std::move(out));
  }
  if (op == "%" && left.is_string())
    return Value(percent_format(*this, left.as_string(), right, e.offset));
  if (!numeric(left) || !numeric(right)) {
    fail(e.offset,
         "unsupported operand types for " + op + ": " + left.type_name() + " and " +
             right.type_name(),
         op == "+" ? "; use '~' to join values as text" : "");
  }
  Value a = as_num(left), b = as_num(right);
  bool ints = a.is_int() && b.is_int();
  if (op == "+") {
    if (ints)
      return Value(static_cast<std::int64_t>(static_cast<std::uint64_t>(a.as_int()) +
                                             static_cast<std::uint64_t>(b.as_int())));
    return Value(a.as_double() + b.as_double());
  }
  if (op == "-") {
    if (ints)
      return Value(static_cast<std::int64_t>(static_cast<std::uint64_t>(a.as_int()) -
                                             static_cast<std::uint64_t>(b.as_int())));
    return Value(a.as_double() - b.as_double());
  }
  if (op == "*") {
    if (ints)
      return Value(static_cast<std::int64_t>(static_cast<std::uint64_t>(a.as_int()) *
                                             static_cast<std::uint64_t>(b.as_int())));
    return Value(a.as_double() * b.as_double());
  }
  if (op == "/") {
    if (b.as_double() == 0.0) fail(e.offset, "division by zero");
    return Value(a.as_double() / b.as_double());
  }
  if (op == "//" || op == "%") {
    if (b.as_double() == 0.0) fail(e.offset, op == "%" ? "modulo by zero" : "division by zero");
    if (ints) {
      if (b.as_int() == -1) return op == "//" ? Value(-a.as_int()) : Value(std::int64_t{0});
      return Value(op == "//" ? floor_div(a.as_int(), b.as_int())
                              : floor_mod(a.as_int(), b.as_int()));
    }
    double q = std::floor(a.as_double() / b.as_double());
    if (op == "//") return Value(q);
    return Value(a.as_double() - q * b.as_double());
  }
  if (op == "**") {
    if (ints && b.as_int() >= 0) {
      std::int64_t result = 1, base = a.as_int();
      for (std::int64_t i = 0; i < b.as_int() && i < 64; ++i) {
        result = static_cast<std::int64_t>(static_cast<std::uint64_t>(result) *
                                           static_cast<std::uint64_t>(base));
      }
      return Value(result);
    }
    return Value(std::pow(a.as_double(), b.as_double()));
  }
  fail(e.offset, "unknown operator '" + op + "'");
}

Value Evaluator::eval_filter(const Expr& e) {
  Value subject;
  if (e.name == "default" || e.name == "d") {
    ++lenient_;
    try {
      subject = eval(*e.operands[0]);
    } catch (...) {
      --lenient_;
      throw;
    }
    --lenient_;
  } else {
    subject = eval(*e.operands[0]);
  }
  CallArgs args = eval_arguments(e, 1);
  return apply_filter(e.name, subject, args, e.offset);
}

Value Evaluator::eval_test(const Expr& e) {
  Value subject;
  ++lenient_;
  try {
    subject = eval(*e.operands[0]);
  } catch (...) {
    --lenient_;
    throw;
  }
  --lenient_;
  if (subject.is_undefined() && e.name != "defined" && e.name != "undefined" && e.name != "none") {
    // Only `is defined` may look at an undefined name; anything else names it.
    if (e.operands[0]->kind == Expr::Kind::kName) {
      fail(e.operands[0]->offset, "undefined name '" + e.operands[0]->name + "'",
           did_you_mean(e.operands[0]->name, known_names()));
    }
  }
  CallArgs args = eval_arguments(e, 1);
  bool result = apply_test(e.name, subject, args, e.offset);
  return Value(e.negated ? !result : result);
}

Value Evaluator::apply_filter(const std::string& name, const Value& subject, CallArgs& args,
                              std::size_t offset) {
  const FilterFn* fn = find_filter(name);
  if (fn == nullptr) {
    fail(offset, "unknown filter '" + name + "'", did_you_mean(name, filter_names()));
  }
  return (*fn)(*this, subject, args, offset);
}

bool Evaluator::apply_test(const std::string& name, const Value& subject, CallArgs& args,
                           std::size_t offset) {
  const TestFn* fn = find_test(name);
  if (fn == nullptr) fail(offset, "unknown test '" + name + "'", did_you_mean(name, test_names()));
  return (*fn)(*this, subject, args, offset);
}

std::optional<Value> get_attribute(Evaluator& ev, const Value& subject, std::string_view name) {
  if (subject.is_object()) return subject.as_object()->attr(ev, name);
  if (auto m = bound_method(subject, name)) return m;
  if (subject.is_dict()) {
    if (const Value* v = subject.as_dict()->find(name)) return *v;
  }
  return std::nullopt;
}

std::optional<Value> get_item(Evaluator& ev, const Value& subject, const Value& key) {
  if (subject.is_dict()) {
    if (const Value* v = subject.as_dict()->find(key.str())) return *v;
    return std::nullopt;
  }
  if ((subject.is_list() || subject.is_string()) && (key.is_int() || key.is_bool())) {
    std::int64_t n = *subject.length();
    std::int64_t i = key.is_bool() ? key.as_bool() : key.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n) return std::nullopt;
    if (subject.is_string()) {
      return Value(std::string(1, subject.as_string()[static_cast<std::size_t>(i)]));
    }
    return (*subject.as_list())[static_cast<std::size_t>(i)];
  }
  if (subject.is_object()) {
    if (auto v = subject.as_object()->item(ev, key)) return v;
    if (key.is_string()) return subject.as_object()->attr(ev, key.as_string());
  }
  return std::nullopt;
}

}  // namespace baliza::transform::tmpl
