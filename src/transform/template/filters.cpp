#include "transform/template/filters.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

#include "core/error.h"
#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

List items_of(Evaluator& ev, const Value& v, std::size_t offset, const char* filter) {
  if (v.is_undefined() || v.is_none()) {
    // Jinja's map/select/reject/selectattr/rejectattr start with `if value:`, so None gives
    // nothing (dbt_utils relies on it: `x in compare_columns|map('lower') or not
    // compare_columns`); the other filters fail on None.
    std::string_view f(filter);
    bool lazy =
        f == "map" || f == "select" || f == "reject" || f == "selectattr" || f == "rejectattr";
    if (v.is_none() && !lazy) ev.fail(offset, std::string("filter '") + filter + "' got None");
    return {};
  }
  auto items = v.iterate();
  if (!items)
    ev.fail(offset, std::string("filter '") + filter + "' needs a list, got a " + v.type_name());
  return std::move(*items);
}

// x.a.b or x.0 for map(attribute=...), sort(attribute=...), selectattr(...).
Value attribute_path(Evaluator& ev, const Value& v, const std::string& path) {
  Value cur = v;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    std::optional<Value> next;
    std::int64_t index = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (!part.empty() && part[0] != '-' && ec == std::errc() && end == part.data() + part.size()) {
      next = get_item(ev, cur, Value(index));
    } else {
      next = get_item(ev, cur, Value(part));
      if (!next || next->is_undefined()) next = get_attribute(ev, cur, part);
    }
    cur = next ? *next : Value::undefined(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

const Value* kw_or_pos(CallArgs& a, std::size_t i, const char* name) {
  return a.arg(i, name);
}

bool bool_arg(CallArgs& a, std::size_t i, const char* name, bool dflt) {
  const Value* v = a.arg(i, name);
  return v == nullptr ? dflt : v->truthy();
}

std::string string_arg(Evaluator& ev, CallArgs& a, std::size_t i, const char* name,
                       std::size_t offset, const char* filter) {
  const Value* v = a.arg(i, name);
  if (v == nullptr) ev.fail(offset, std::string("filter '") + filter + "' needs '" + name + "'");
  return v->str();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Sort key comparison: strings case-insensitively unless case_sensitive.
bool less_than(Evaluator& ev, const Value& a, const Value& b, bool case_sensitive,
               std::size_t offset) {
  if (!case_sensitive && a.is_string() && b.is_string()) {
    return lower(a.as_string()) < lower(b.as_string());
  }
  auto c = Value::compare(a, b);
  if (!c) ev.fail(offset, "cannot sort " + a.type_name() + " and " + b.type_name() + " together");
  return *c < 0;
}

std::string json_text(const Value& v, bool sort_keys, int indent, int level) {
  // A list or dict that contains itself: stop as printing it does (value.h).
  if (level > 100)
    throw usage_error(
        "a list or dict nested deeper than 100 levels (one that "
        "contains itself?) cannot be written as JSON");
  auto pad = [&](int lvl) {
    std::string out;
    if (indent > 0) {
      out.push_back('\n');
      out.append(static_cast<std::size_t>(indent * lvl), ' ');
    }
    return out;
  };
  if (v.is_list()) {
    const List& items = *v.as_list();
    if (items.empty()) return "[]";
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += indent > 0 ? "," : ", ";
      out += pad(level + 1) + json_text(items[i], sort_keys, indent, level + 1);
      if (out.size() > kMaxOutputBytes) throw usage_error("tojson: the text is too long");
    }
    return out + pad(level) + "]";
  }
  if (v.is_dict()) {
    auto items = v.as_dict()->items;
    if (items.empty()) return "{}";
    if (sort_keys) {
      std::stable_sort(items.begin(), items.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += indent > 0 ? "," : ", ";
      out += pad(level + 1) +
             nlohmann::json(items[i].first)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
             ": " + json_text(items[i].second, sort_keys, indent, level + 1);
      if (out.size() > kMaxOutputBytes) throw usage_error("tojson: the text is too long");
    }
    return out + pad(level) + "}";
  }
  if (v.is_float()) {
    double d = v.as_double();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return python_float(d);
  }
  return v.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Value do_round(Evaluator& ev, const Value& v, CallArgs& a, std::size_t offset) {
  if (!v.is_number()) ev.fail(offset, "filter 'round' needs a number, got a " + v.type_name());
  const Value* p = kw_or_pos(a, 0, "precision");
  const Value* m = kw_or_pos(a, 1, "method");
  std::int64_t precision = p != nullptr && p->is_int() ? p->as_int() : 0;
  std::string method = m != nullptr ? m->str() : "common";
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * scale;
  double r = method == "ceil"    ? std::ceil(x)
             : method == "floor" ? std::floor(x)
                                 : std::nearbyint(x);
  return Value(r / scale);
}

// select/reject/selectattr/rejectattr share this: keep items whose test result == keep.
Value select_items(Evaluator& ev, const Value& v, CallArgs& a, std::size_t offset, bool keep,
                   bool by_attribute, const char* filter) {
  List items = items_of(ev, v, offset, filter);
  std::size_t next = 0;
  std::string attribute;
  if (by_attribute) attribute = string_arg(ev, a, next++, "attribute", offset, filter);
  std::string test;
  if (next < a.positional.size()) test = a.positional[next++].str();
  CallArgs test_args;
  for (std::size_t i = next; i < a.positional.size(); ++i)
    test_args.positional.push_back(a.positional[i]);
  List out;
  for (const Value& item : items) {
    Value subject = by_attribute ? attribute_path(ev, item, attribute) : item;
    bool passed = test.empty() ? subject.truthy() : ev.apply_test(test, subject, test_args, offset);
    if (passed == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

using Table = std::map<std::string, FilterFn, std::less<>>;

const Table& table() {
  static const Table kFilters = {
      {"abs",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         if (v.is_int()) return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
         if (v.is_float()) return Value(std::fabs(v.as_double()));
         ev.fail(o, "filter 'abs' needs a number, got a " + v.type_name());
       }},
      {"attr",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         std::string name = string_arg(ev, a, 0, "name", o, "attr");
         auto r = get_attribute(ev, v, name);
         return r ? *r : Value::undefined(name);
       }},
      {"batch",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "batch");
         const Value* n = a.arg(0, "linecount");
         if (n == nullptr || !n->is_int() || n->as_int() <= 0)
           ev.fail(o, "filter 'batch' needs a positive count");
         List out;
         for (std::size_t i = 0; i < items.size(); i += static_cast<std::size_t>(n->as_int())) {
           List chunk(
               items.begin() + static_cast<std::ptrdiff_t>(i),
               items.begin() + static_cast<std::ptrdiff_t>(std::min(
                                   items.size(), i + static_cast<std::size_t>(n->as_int()))));
           out.push_back(Value::list(std::move(chunk)));
         }
         return Value::list(std::move(out));
       }},
      {"capitalize",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         std::string s = lower(v.str());
         if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
         return Value(s);
       }},
      {"count",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         auto n = v.length();
         if (!n) ev.fail(o, "filter 'count' needs a list, dict or string, got a " + v.type_name());
         return Value(*n);
       }},
      {"default",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         bool boolean = bool_arg(a, 1, "boolean", false);
         const Value* d = a.arg(0, "default_value");
         if (v.is_undefined() || (boolean && !v.truthy()))
           return d != nullptr ? *d : Value(std::string());
         return v;
       }},
      {"dictsort",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         if (!v.is_dict()) ev.fail(o, "filter 'dictsort' needs a dict, got a " + v.type_name());
         bool by_value = a.arg(1, "by") != nullptr && a.arg(1, "by")->str() == "value";
         bool reverse = bool_arg(a, 2, "reverse", false);
         auto items = v.as_dict()->items;
         std::stable_sort(items.begin(), items.end(), [&](const auto& x, const auto& y) {
           return by_value ? less_than(ev, x.second, y.second, false, o)
                           : lower(x.first) < lower(y.first);
         });
         if (reverse) std::reverse(items.begin(), items.end());
         List out;
         for (auto& [k, val] : items) out.push_back(Value::tuple({Value(k), val}));
         return Value::list(std::move(out));
       }},
      {"first",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "first");
         return items.empty() ? Value::undefined("first") : items.front();
       }},
      {"float",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         const Value* d = a.arg(0, "default");
         if (v.is_number()) return Value(v.as_double());
         if (v.is_bool()) return Value(v.as_bool() ? 1.0 : 0.0);
         if (v.is_string()) {
           try {
             std::size_t used = 0;
             double x = std::stod(v.as_string(), &used);
             if (used > 0) return Value(x);
           } catch (const std::exception&) {
           }
         }
         return d != nullptr ? *d : Value(0.0);
       }},
      {"format",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         return ev.apply_filter("__percent", v, a, o);
       }},
      {"__percent",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         std::string fmt = v.str();
         std::string out;
         std::size_t next = 0;
         for (std::size_t i = 0; i < fmt.size(); ++i) {
           if (fmt[i] != '%' || i + 1 >= fmt.size()) {
             out += fmt[i];
             continue;
           }
           char spec = fmt[++i];
           if (spec == '%') {
             out += '%';
             continue;
           }
           if (next >= a.positional.size()) ev.fail(o, "not enough arguments for format()");
           const Value& x = a.positional[next++];
           if (spec == 'd' || spec == 'i') {
             out += std::to_string(x.is_number() ? static_cast<std::int64_t>(x.as_double()) : 0);
           } else {
             out += x.str();
           }
         }
         return Value(out);
       }},
      {"indent",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         const Value* w = a.arg(0, "width");
         std::string pad =
             w == nullptr ? std::string(4, ' ')
             : w->is_int()
                 ? std::string(
                       static_cast<std::size_t>(std::clamp<std::int64_t>(w->as_int(), 0, 1000)),
                       ' ')
                 : w->str();
         bool first = bool_arg(a, 1, "first", false);
         bool blank = bool_arg(a, 2, "blank", false);
         std::string s = v.str();
         std::string out;
         std::size_t start = 0;
         bool is_first = true;
         while (true) {
           std::size_t nl = s.find('\n', start);
           std::string line =
               s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
           bool indent = (!is_first || first) && (blank || !line.empty());
           if (indent) out += pad;
           out += line;
           ev.check_size(out.size(), o);
           if (nl == std::string::npos) break;
           out += '\n';
           start = nl + 1;
           is_first = false;
         }
         return Value(out);
       }},
      {"int",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         const Value* d = a.arg(0, "default");
         if (v.is_int()) return v;
         if (v.is_float()) {
           double x = v.as_double();
           if (std::isfinite(x) && std::fabs(x) < 9.2e18)
             return Value(static_cast<std::int64_t>(x));
         }
         if (v.is_bool()) return Value(static_cast<std::int64_t>(v.as_bool()));
         if (v.is_string()) {
           try {
             std::size_t used = 0;
             std::string s = v.as_string();
             while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
               s.erase(0, 1);
             long long x = std::stoll(s, &used);
             if (used == s.size() || s[used] == ' ') return Value(static_cast<std::int64_t>(x));
             double f = std::stod(s, &used);
             if (std::isfinite(f) && std::fabs(f) < 9.2e18)
               return Value(static_cast<std::int64_t>(f));
           } catch (const std::exception&) {
           }
         }
         return d != nullptr ? *d : Value(std::int64_t{0});
       }},
      {"items",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         if (v.is_undefined()) return Value::list();
         if (!v.is_dict()) ev.fail(o, "filter 'items' needs a dict, got a " + v.type_name());
         List out;
         for (const auto& [k, x] : v.as_dict()->items) out.push_back(Value::tuple({Value(k), x}));
         return Value::list(std::move(out));
       }},
      {"join",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "join");
         const Value* sep = a.arg(0, "d");
         const Value* attribute = a.arg(1, "attribute");
         std::string d = sep != nullptr ? sep->str() : "";
         std::string out;
         for (std::size_t i = 0; i < items.size(); ++i) {
           if (i > 0) out += d;
           out += (attribute != nullptr ? attribute_path(ev, items[i], attribute->str()) : items[i])
                      .str();
           ev.check_size(out.size(), o);
         }
         return Value(out);
       }},
      {"last",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "last");
         return items.empty() ? Value::undefined("last") : items.back();
       }},
      {"length",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         auto n = v.length();
         if (!n) ev.fail(o, "filter 'length' needs a list, dict or string, got a " + v.type_name());
         return Value(*n);
       }},
      {"list",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         return Value::list(items_of(ev, v, o, "list"));
       }},
      {"lower",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         return Value(lower(v.str()));
       }},
      {"map",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "map");
         List out;
         if (const Value* attribute = a.kwarg("attribute")) {
           const Value* dflt = a.kwarg("default");
           for (const Value& item : items) {
             Value x = attribute_path(ev, item, attribute->str());
             out.push_back(x.is_undefined() && dflt != nullptr ? *dflt : x);
           }
           return Value::list(std::move(out));
         }
         if (a.positional.empty()) ev.fail(o, "filter 'map' needs a filter name or attribute=");
         std::string filter = a.positional[0].str();
         CallArgs rest;
         rest.positional.assign(a.positional.begin() + 1, a.positional.end());
         rest.keyword = a.keyword;
         for (const Value& item : items) out.push_back(ev.apply_filter(filter, item, rest, o));
         return Value::list(std::move(out));
       }},
      {"max",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "max");
         if (items.empty()) return Value::undefined("max");
         bool cs = bool_arg(a, 0, "case_sensitive", false);
         return *std::max_element(items.begin(), items.end(), [&](const Value& x, const Value& y) {
           return less_than(ev, x, y, cs, o);
         });
       }},
      {"min",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "min");
         if (items.empty()) return Value::undefined("min");
         bool cs = bool_arg(a, 0, "case_sensitive", false);
         return *std::min_element(items.begin(), items.end(), [&](const Value& x, const Value& y) {
           return less_than(ev, x, y, cs, o);
         });
       }},
      {"reject",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         return select_items(ev, v, a, o, false, false, "reject");
       }},
      {"rejectattr",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         return select_items(ev, v, a, o, false, true, "rejectattr");
       }},
      {"replace",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         std::string s = v.str();
         std::string from = string_arg(ev, a, 0, "old", o, "replace");
         std::string to = string_arg(ev, a, 1, "new", o, "replace");
         const Value* count = a.arg(2, "count");
         std::int64_t limit = count != nullptr && count->is_int() ? count->as_int() : -1;
         if (from.empty()) return Value(s);
         std::string out;
         std::size_t start = 0;
         std::int64_t done = 0;
         for (std::size_t at;
              (limit < 0 || done < limit) && (at = s.find(from, start)) != std::string::npos;
              start = at + from.size(), ++done) {
           out.append(s, start, at - start);
           out += to;
           ev.check_size(out.size(), o);
         }
         out.append(s, start);
         return Value(out);
       }},
      {"reverse",
       [](Evaluator& ev, const Value& v, CallArgs&, std::size_t o) -> Value {
         if (v.is_string()) return Value(std::string(v.as_string().rbegin(), v.as_string().rend()));
         List items = items_of(ev, v, o, "reverse");
         std::reverse(items.begin(), items.end());
         return Value::list(std::move(items));
       }},
      {"round", do_round},
      {"select",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         return select_items(ev, v, a, o, true, false, "select");
       }},
      {"selectattr",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         return select_items(ev, v, a, o, true, true, "selectattr");
       }},
      {"sort",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "sort");
         bool reverse = bool_arg(a, 0, "reverse", false);
         bool cs = bool_arg(a, 1, "case_sensitive", false);
         const Value* attribute = a.arg(2, "attribute");
         std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
           Value kx = attribute != nullptr ? attribute_path(ev, x, attribute->str()) : x;
           Value ky = attribute != nullptr ? attribute_path(ev, y, attribute->str()) : y;
           return reverse ? less_than(ev, ky, kx, cs, o) : less_than(ev, kx, ky, cs, o);
         });
         return Value::list(std::move(items));
       }},
      {"string",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return Value(v.str()); }},
      {"sum",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "sum");
         const Value* attribute = a.arg(0, "attribute");
         const Value* start = a.arg(1, "start");
         Value total = start != nullptr ? *start : Value(std::int64_t{0});
         for (const Value& item : items) {
           Value x = attribute != nullptr ? attribute_path(ev, item, attribute->str()) : item;
           if (!x.is_number() || !total.is_number())
             ev.fail(o, "filter 'sum' needs numbers, got a " + x.type_name());
           total = total.is_int() && x.is_int() ? Value(total.as_int() + x.as_int())
                                                : Value(total.as_double() + x.as_double());
         }
         return total;
       }},
      {"title",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         std::string s = v.str();
         bool start = true;
         for (char& c : s) {
           auto u = static_cast<unsigned char>(c);
           c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
           start = !std::isalnum(u);
         }
         return Value(s);
       }},
      {"tojson",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         const Value* indent = a.arg(0, "indent");
         return Value(
             to_json_text(v, bool_arg(a, 1, "sort_keys", false),
                          indent != nullptr && indent->is_int()
                              ? static_cast<int>(std::clamp<std::int64_t>(indent->as_int(), 0, 16))
                              : 0));
       }},
      {"trim",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         std::string s = v.str();
         const Value* chars = a.arg(0, "chars");
         std::string set = chars != nullptr ? chars->str() : " \t\n\r\f\v";
         std::size_t b = s.find_first_not_of(set);
         if (b == std::string::npos) return Value(std::string());
         std::size_t e = s.find_last_not_of(set);
         return Value(s.substr(b, e - b + 1));
       }},
      {"truncate",
       [](Evaluator&, const Value& v, CallArgs& a, std::size_t) -> Value {
         std::string s = v.str();
         const Value* len = a.arg(0, "length");
         std::size_t n = len != nullptr && len->is_int() && len->as_int() > 0
                             ? static_cast<std::size_t>(len->as_int())
                             : 255;
         const Value* end = a.arg(2, "end");
         std::string tail = end != nullptr ? end->str() : "...";
         if (s.size() <= n) return Value(s);
         return Value(s.substr(0, n > tail.size() ? n - tail.size() : 0) + tail);
       }},
      {"unique",
       [](Evaluator& ev, const Value& v, CallArgs& a, std::size_t o) -> Value {
         List items = items_of(ev, v, o, "unique");
         bool cs = bool_arg(a, 0, "case_sensitive", false);
         const Value* attribute = a.arg(1, "attribute");
         List out;
         List keys;
         for (const Value& item : items) {
           Value key = attribute != nullptr ? attribute_path(ev, item, attribute->str()) : item;
           if (!cs && key.is_string()) key = Value(lower(key.as_string()));
           if (std::none_of(keys.begin(), keys.end(), [&](const Value& k) { return k == key; })) {
             keys.push_back(key);
             out.push_back(item);
           }
         }
         return Value::list(std::move(out));
       }},
      {"upper",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         std::string s = v.str();
         for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         return Value(s);
       }},
      {"wordcount",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         std::int64_t n = 0;
         bool in_word = false;
         for (char c : v.str()) {
           bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
           if (!space && !in_word) ++n;
           in_word = !space;
         }
         return Value(n);
       }},
      {"e",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return Value(v.str()); }},
      {"escape",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return Value(v.str()); }},
      {"safe", [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return v; }},
      // dbt's native-type filters.
      {"as_text",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return Value(v.str()); }},
      {"as_bool",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         if (v.is_string()) {
           std::string s = lower(v.as_string());
           if (s == "true") return Value(true);
           if (s == "false") return Value(false);
         }
         return v;
       }},
      {"as_number",
       [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value {
         if (!v.is_string()) return v;
         try {
           std::size_t used = 0;
           long long i = std::stoll(v.as_string(), &used);
           if (used == v.as_string().size()) return Value(static_cast<std::int64_t>(i));
           double d = std::stod(v.as_string(), &used);
           if (used == v.as_string().size()) return Value(d);
         } catch (const std::exception&) {
         }
         return v;
       }},
      {"as_native", [](Evaluator&, const Value& v, CallArgs&, std::size_t) -> Value { return v; }},
  };
  return kFilters;
}

}  // namespace

std::string to_json_text(const Value& v, bool sort_keys, int indent) {
  return json_text(v, sort_keys, indent, 0);
}

const FilterFn* find_filter(std::string_view name) {
  if (name == "d") name = "default";
  if (name == "count") name = "length";
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

const std::vector<std::string>& filter_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [k, v] : table()) {
      if (k.rfind("__", 0) != 0) names.push_back(k);
    }
    return names;
  }();
  return kNames;
}

}  // namespace baliza::transform::tmpl
