#include "transform/template/tests.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

const Value& arg0(Evaluator& ev, CallArgs& args, std::size_t offset, const char* test) {
  if (args.positional.empty())
    ev.fail(offset, std::string("test '") + test + "' needs an argument");
  return args.positional[0];
}

int compare_or_fail(Evaluator& ev, const Value& a, const Value& b, std::size_t offset) {
  auto c = Value::compare(a, b);
  if (!c) ev.fail(offset, "cannot compare " + a.type_name() + " and " + b.type_name());
  return *c;
}

const std::map<std::string, TestFn, std::less<>>& table() {
  static const std::map<std::string, TestFn, std::less<>> kTests = {
      {"defined", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return !v.is_undefined(); }},
      {"undefined", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_undefined(); }},
      {"none", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_none(); }},
      {"string", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_string(); }},
      {"number", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_number(); }},
      {"integer", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_int(); }},
      {"float", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_float(); }},
      {"boolean", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_bool(); }},
      {"true", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_bool() && v.as_bool(); }},
      {"false", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_bool() && !v.as_bool(); }},
      {"mapping",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) {
         return v.is_dict() || (v.is_object() && v.as_object()->is_mapping());
       }},
      {"iterable",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) {
         return v.is_list() || v.is_dict() || v.is_string() ||
                (v.is_object() && v.as_object()->iterate().has_value());
       }},
      {"sequence",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) {
         return v.is_list() || v.is_dict() || v.is_string();
       }},
      {"callable", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_callable(); }},
      {"sameas",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) {
         const Value& other = arg0(ev, a, o, "sameas");
         return v.kind() == other.kind() && v == other;
       }},
      {"eq", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return v == arg0(ev, a, o, "eq"); }},
      {"equalto", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return v == arg0(ev, a, o, "equalto"); }},
      {"==", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return v == arg0(ev, a, o, "=="); }},
      {"ne", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return !(v == arg0(ev, a, o, "ne")); }},
      {"!=", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return !(v == arg0(ev, a, o, "!=")); }},
      {"lt", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "lt"), o) < 0; }},
      {"lessthan", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "lessthan"), o) < 0; }},
      {"le", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "le"), o) <= 0; }},
      {"gt", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "gt"), o) > 0; }},
      {"greaterthan", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "greaterthan"), o) > 0; }},
      {"ge", [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) { return compare_or_fail(ev, v, arg0(ev, a, o, "ge"), o) >= 0; }},
      {"in",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) {
         const Value& container = arg0(ev, a, o, "in");
         if (container.is_string()) {
           return v.is_string() && container.as_string().find(v.as_string()) != std::string::npos;
         }
         if (container.is_dict()) return container.as_dict()->find(v.str()) != nullptr;
         auto items = container.iterate();
         return items && std::any_of(items->begin(), items->end(),
                                     [&](const Value& x) { return x == v; });
       }},
      {"divisibleby",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) {
         const Value& d = arg0(ev, a, o, "divisibleby");
         if (!v.is_int() || !d.is_int() || d.as_int() == 0) return false;
         return v.as_int() % d.as_int() == 0;
       }},
      {"even", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_int() && v.as_int() % 2 == 0; }},
      {"odd", [](Evaluator&, const Value& v, CallArgs&, std::size_t) { return v.is_int() && v.as_int() % 2 != 0; }},
      {"lower",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) {
         return v.is_string() && std::none_of(v.as_string().begin(), v.as_string().end(), [](char c) {
                  return std::isupper(static_cast<unsigned char>(c));
                });
       }},
      {"upper",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) {
         return v.is_string() && std::none_of(v.as_string().begin(), v.as_string().end(), [](char c) {
                  return std::islower(static_cast<unsigned char>(c));
                });
       }},
      {"escaped", [](Evaluator&, const Value&, CallArgs&, std::size_t) { return false; }},
  };
  return kTests;
}

}  // namespace

const TestFn* find_test(std::string_view name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

const std::vector<std::string>& test_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [k, v] : table()) names.push_back(k);
    return names;
  }();
  return kNames;
}

}  // namespace baliza::transform::tmpl
