#include "transform/template/environment.h"

#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {

const Value* Environment::global(std::string_view name) const {
  auto it = globals_.find(name);
  if (it != globals_.end()) return &it->second;
  if (lazy_ != nullptr) {
    auto cached = lazy_values_.find(name);
    if (cached != lazy_values_.end()) return &cached->second;
    if (std::optional<Value> v = lazy_(*this, name)) {
      return &lazy_values_.emplace(std::string(name), std::move(*v)).first->second;
    }
  }
  return base_ != nullptr ? base_->global(name) : nullptr;
}

std::vector<std::string> Environment::global_names() const {
  std::vector<std::string> names =
      base_ != nullptr ? base_->global_names() : std::vector<std::string>{};
  for (const auto& [k, v] : globals_) names.push_back(k);
  if (lazy_names_ != nullptr) names.insert(names.end(), lazy_names_->begin(), lazy_names_->end());
  return names;
}

namespace {

std::int64_t int_arg(Evaluator& ev, const Value& v, std::size_t offset, const char* what) {
  if (v.is_int()) return v.as_int();
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  ev.fail(offset, std::string(what) + " expects integers, got a " + v.type_name());
}

// A callable that returns its separator on every call but the first (Jinja's joiner).
class Joiner : public Callable {
 public:
  explicit Joiner(std::string sep) : sep_(std::move(sep)) {}
  std::string name() const override { return "joiner"; }
  Value call(Evaluator&, CallArgs&, std::size_t) override {
    if (first_) {
      first_ = false;
      return Value(std::string());
    }
    return Value(sep_);
  }

 private:
  std::string sep_;
  bool first_ = true;
};

}  // namespace

const std::vector<std::string>& jinja_global_names() {
  static const std::vector<std::string> kNames = {"range", "dict", "namespace", "joiner"};
  return kNames;
}

void install_jinja_globals(Environment& env) {
  env.set_global("range", make_function("range", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   std::int64_t start = 0, stop = 0, step = 1;
                   std::size_t n = a.positional.size();
                   if (n == 1) {
                     stop = int_arg(ev, a.positional[0], o, "range()");
                   } else if (n == 2 || n == 3) {
                     start = int_arg(ev, a.positional[0], o, "range()");
                     stop = int_arg(ev, a.positional[1], o, "range()");
                     if (n == 3) step = int_arg(ev, a.positional[2], o, "range()");
                   } else {
                     ev.fail(o, "range() takes 1 to 3 arguments");
                   }
                   if (step == 0) ev.fail(o, "range() step cannot be zero");
                   List out;
                   for (std::int64_t i = start; step > 0 ? i < stop : i > stop;) {
                     ev.count_iteration(o);
                     out.emplace_back(i);
                     if (__builtin_add_overflow(i, step, &i)) break;  // past INT64's ends
                   }
                   return Value::list(std::move(out));
                 }));
  env.set_global("dict", make_function("dict", [](Evaluator& ev, CallArgs& a, std::size_t o) {
                   Value d = Value::dict();
                   for (const Value& p : a.positional) {
                     if (p.is_dict()) {
                       for (const auto& [k, v] : p.as_dict()->items) d.as_dict()->set(k, v);
                     } else if (auto items = p.iterate()) {
                       for (const Value& pair : *items) {
                         auto kv = pair.iterate();
                         if (!kv || kv->size() != 2) ev.fail(o, "dict() needs pairs");
                         d.as_dict()->set((*kv)[0].str(), (*kv)[1]);
                       }
                     } else {
                       ev.fail(o, "dict() needs a dict or a list of pairs");
                     }
                   }
                   for (const auto& [k, v] : a.keyword) d.as_dict()->set(k, v);
                   return d;
                 }));
  env.set_global("namespace", make_function("namespace", [](Evaluator&, CallArgs& a, std::size_t) {
                   Value d = Value::dict();
                   for (const Value& p : a.positional) {
                     if (p.is_dict()) {
                       for (const auto& [k, v] : p.as_dict()->items) d.as_dict()->set(k, v);
                     }
                   }
                   for (const auto& [k, v] : a.keyword) d.as_dict()->set(k, v);
                   return d;
                 }));
  env.set_global(
      "joiner", make_function("joiner", [](Evaluator&, CallArgs& a, std::size_t) {
        const Value* sep = a.arg(0, "sep");
        return Value(CallablePtr(std::make_shared<Joiner>(sep != nullptr ? sep->str() : ", ")));
      }));
}

}  // namespace baliza::transform::tmpl
