#include "transform/template/methods.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

std::string strip_chars(const std::string& s, const Value* chars, bool left, bool right) {
  std::string set = chars != nullptr && chars->is_string() ? chars->as_string() : " \t\n\r\f\v";
  std::size_t b = 0, e = s.size();
  if (left) {
    while (b < e && set.find(s[b]) != std::string::npos) ++b;
  }
  if (right) {
    while (e > b && set.find(s[e - 1]) != std::string::npos) --e;
  }
  return s.substr(b, e - b);
}

std::string need_string(Evaluator& ev, const CallArgs& args, std::size_t i, std::size_t offset,
                        const char* method) {
  if (i >= args.positional.size() || !args.positional[i].is_string()) {
    ev.fail(offset, std::string(method) + "() expects a string argument");
  }
  return args.positional[i].as_string();
}

Value split(Evaluator&, const std::string& s, const CallArgs& args) {
  List parts;
  const Value* sep = args.arg(0, "sep");
  const Value* max = args.arg(1, "maxsplit");
  std::int64_t limit = max != nullptr && max->is_int() ? max->as_int() : -1;
  if (sep == nullptr || sep->is_none()) {
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) break;
      if (limit >= 0 && static_cast<std::int64_t>(parts.size()) == limit) {
        std::string rest = s.substr(i);
        while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back())))
          rest.pop_back();
        parts.emplace_back(rest);
        break;
      }
      std::size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      parts.emplace_back(s.substr(i, j - i));
      i = j;
    }
    return Value::list(std::move(parts));
  }
  std::string d = sep->str();
  if (d.empty()) return Value::list({Value(s)});
  std::size_t start = 0;
  while (true) {
    if (limit >= 0 && static_cast<std::int64_t>(parts.size()) == limit) break;
    std::size_t at = s.find(d, start);
    if (at == std::string::npos) break;
    parts.emplace_back(s.substr(start, at - start));
    start = at + d.size();
  }
  parts.emplace_back(s.substr(start));
  return Value::list(std::move(parts));
}

// str.format with {} and {0} / {name} fields.
Value format(Evaluator& ev, const std::string& s, const CallArgs& args, std::size_t offset) {
  std::string out;
  std::size_t auto_index = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '{' && i + 1 < s.size() && s[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < s.size() && s[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string::npos) ev.fail(offset, "unmatched '{' in format string");
      std::string field = s.substr(i + 1, close - i - 1);
      if (auto colon = field.find(':'); colon != std::string::npos) field = field.substr(0, colon);
      const Value* v = nullptr;
      if (field.empty()) {
        v = auto_index < args.positional.size() ? &args.positional[auto_index] : nullptr;
        ++auto_index;
      } else if (std::all_of(field.begin(), field.end(), [](char ch) {
                   return std::isdigit(static_cast<unsigned char>(ch));
                 })) {
        std::size_t k = 0;
        auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), k);
        v = ec == std::errc() && k < args.positional.size() ? &args.positional[k] : nullptr;
      } else {
        v = args.kwarg(field);
      }
      if (v == nullptr) ev.fail(offset, "format() has no value for field '{" + field + "}'");
      out += v->str();
      ev.check_size(out.size(), offset);
      i = close;
    } else {
      out += c;
    }
  }
  return Value(std::move(out));
}

std::optional<Value> string_method(const Value& subject, std::string_view name) {
  static const std::vector<std::string> kNames = {
      "upper",      "lower",      "strip",    "lstrip",     "rstrip",  "split",
      "replace",    "startswith", "endswith", "format",     "join",    "title",
      "capitalize", "count",      "find",     "isdigit",    "isalpha", "isalnum",
      "isupper",    "islower",    "rsplit",   "splitlines", "index",   "zfill"};
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) return std::nullopt;
  std::string method(name);
  std::string s = subject.as_string();
  return make_function(
      "str." + method, [s, method](Evaluator& ev, CallArgs& args, std::size_t offset) -> Value {
        if (method == "upper" || method == "lower") {
          std::string out = s;
          for (char& c : out) {
            c = static_cast<char>(method == "upper" ? std::toupper(static_cast<unsigned char>(c))
                                                    : std::tolower(static_cast<unsigned char>(c)));
          }
          return Value(out);
        }
        if (method == "strip") return Value(strip_chars(s, args.arg(0, "chars"), true, true));
        if (method == "lstrip") return Value(strip_chars(s, args.arg(0, "chars"), true, false));
        if (method == "rstrip") return Value(strip_chars(s, args.arg(0, "chars"), false, true));
        if (method == "split" || method == "rsplit") return split(ev, s, args);
        if (method == "splitlines") {
          CallArgs a;
          a.positional.emplace_back("\n");
          return split(ev, s, a);
        }
        if (method == "replace") {
          std::string from = need_string(ev, args, 0, offset, "replace");
          std::string to = need_string(ev, args, 1, offset, "replace");
          if (from.empty()) return Value(s);
          std::string out;
          std::size_t start = 0;
          for (std::size_t at; (at = s.find(from, start)) != std::string::npos;
               start = at + from.size()) {
            out.append(s, start, at - start);
            out += to;
            ev.check_size(out.size(), offset);
          }
          out.append(s, start);
          return Value(out);
        }
        if (method == "startswith" || method == "endswith") {
          List prefixes;
          if (!args.positional.empty() && args.positional[0].is_list()) {
            prefixes = *args.positional[0].as_list();
          } else {
            prefixes.emplace_back(need_string(ev, args, 0, offset, method.c_str()));
          }
          for (const Value& p : prefixes) {
            std::string x = p.str();
            bool hit =
                method == "startswith"
                    ? s.compare(0, x.size(), x) == 0
                    : s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
            if (hit) return Value(true);
          }
          return Value(false);
        }
        if (method == "format") return format(ev, s, args, offset);
        if (method == "join") {
          if (args.positional.empty()) ev.fail(offset, "join() expects a list");
          auto items = args.positional[0].iterate();
          if (!items) ev.fail(offset, "join() expects a list");
          std::string out;
          for (std::size_t i = 0; i < items->size(); ++i) {
            if (i > 0) out += s;
            out += (*items)[i].str();
            ev.check_size(out.size(), offset);
          }
          return Value(out);
        }
        if (method == "title" || method == "capitalize") {
          std::string out = s;
          bool start = true;
          for (char& c : out) {
            auto u = static_cast<unsigned char>(c);
            if (method == "capitalize") {
              c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
              start = false;
            } else {
              c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
              start = !std::isalnum(u);
            }
          }
          return Value(out);
        }
        if (method == "count" || method == "find" || method == "index") {
          std::string x = need_string(ev, args, 0, offset, method.c_str());
          if (method == "find" || method == "index") {
            std::size_t at = s.find(x);
            if (at == std::string::npos) {
              if (method == "index") ev.fail(offset, "substring not found");
              return Value(std::int64_t{-1});
            }
            return Value(static_cast<std::int64_t>(at));
          }
          if (x.empty()) return Value(static_cast<std::int64_t>(s.size() + 1));
          std::int64_t n = 0;
          for (std::size_t at = 0; (at = s.find(x, at)) != std::string::npos; at += x.size()) ++n;
          return Value(n);
        }
        if (method == "zfill") {
          std::int64_t width = !args.positional.empty() && args.positional[0].is_int()
                                   ? args.positional[0].as_int()
                                   : 0;
          if (width <= static_cast<std::int64_t>(s.size())) return Value(s);
          ev.check_size(static_cast<std::uint64_t>(width), offset);
          // Python keeps a leading sign in front of the zeros.
          std::size_t sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
          std::string out = s.substr(0, sign);
          out.append(static_cast<std::size_t>(width) - s.size(), '0');
          out.append(s, sign);
          return Value(out);
        }
        auto all = [&](auto pred) {
          return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
            return pred(static_cast<unsigned char>(c));
          });
        };
        if (method == "isdigit")
          return Value(all([](unsigned char c) { return std::isdigit(c) != 0; }));
        if (method == "isalpha")
          return Value(all([](unsigned char c) { return std::isalpha(c) != 0; }));
        if (method == "isalnum")
          return Value(all([](unsigned char c) { return std::isalnum(c) != 0; }));
        if (method == "isupper")
          return Value(all([](unsigned char c) { return !std::islower(c); }) &&
                       std::any_of(s.begin(), s.end(), [](char c) {
                         return std::isupper(static_cast<unsigned char>(c));
                       }));
        return Value(all([](unsigned char c) { return !std::isupper(c); }) &&
                     std::any_of(s.begin(), s.end(), [](char c) {
                       return std::islower(static_cast<unsigned char>(c));
                     }));
      });
}

std::optional<Value> list_method(const Value& subject, std::string_view name) {
  static const std::vector<std::string> kNames = {"append", "extend", "pop",     "insert", "remove",
                                                  "index",  "count",  "reverse", "sort",   "copy"};
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) return std::nullopt;
  std::string method(name);
  ListPtr list = subject.as_list();
  return make_function(
      "list." + method, [list, method](Evaluator& ev, CallArgs& args, std::size_t offset) -> Value {
        auto need = [&](std::size_t n) {
          if (args.positional.size() < n) ev.fail(offset, method + "() is missing an argument");
        };
        if (method == "append") {
          need(1);
          if (list->size() >= kMaxIterations) ev.fail(offset, "list grew past its limit");
          list->push_back(args.positional[0]);
          return Value();
        }
        if (method == "extend") {
          need(1);
          auto items = args.positional[0].iterate();
          if (!items) ev.fail(offset, "extend() expects a list");
          if (list->size() + items->size() > kMaxIterations)
            ev.fail(offset, "list grew past its limit");
          list->insert(list->end(), items->begin(), items->end());
          return Value();
        }
        if (method == "pop") {
          if (list->empty()) ev.fail(offset, "pop from an empty list");
          auto n = static_cast<std::int64_t>(list->size());
          std::int64_t i = args.positional.empty() ? n - 1 : args.positional[0].as_int();
          if (i < 0) i += n;
          if (i < 0 || i >= n) ev.fail(offset, "pop index out of range");
          Value v = (*list)[static_cast<std::size_t>(i)];
          list->erase(list->begin() + i);
          return v;
        }
        if (method == "insert") {
          need(2);
          auto n = static_cast<std::int64_t>(list->size());
          std::int64_t i = args.positional[0].is_int() ? args.positional[0].as_int() : 0;
          if (i < 0) i += n;
          i = std::clamp<std::int64_t>(i, 0, n);
          list->insert(list->begin() + i, args.positional[1]);
          return Value();
        }
        if (method == "remove" || method == "index" || method == "count") {
          need(1);
          std::int64_t hits = 0;
          for (std::size_t i = 0; i < list->size(); ++i) {
            if ((*list)[i] == args.positional[0]) {
              if (method == "remove") {
                list->erase(list->begin() + static_cast<std::ptrdiff_t>(i));
                return Value();
              }
              if (method == "index") return Value(static_cast<std::int64_t>(i));
              ++hits;
            }
          }
          if (method == "count") return Value(hits);
          ev.fail(offset, args.positional[0].repr() + " is not in the list");
        }
        if (method == "reverse") {
          std::reverse(list->begin(), list->end());
          return Value();
        }
        if (method == "sort") {
          Value sorted = ev.apply_filter("sort", Value(list), args, offset);
          *list = *sorted.as_list();
          return Value();
        }
        return Value::list(*list);  // copy
      });
}

std::optional<Value> dict_method(const Value& subject, std::string_view name) {
  static const std::vector<std::string> kNames = {"items",  "keys", "values",     "get",
                                                  "update", "pop",  "setdefault", "copy"};
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) return std::nullopt;
  std::string method(name);
  DictPtr dict = subject.as_dict();
  return make_function(
      "dict." + method, [dict, method](Evaluator& ev, CallArgs& args, std::size_t offset) -> Value {
        if (method == "items") {
          List out;
          for (const auto& [k, v] : dict->items) out.push_back(Value::tuple({Value(k), v}));
          return Value::list(std::move(out));
        }
        if (method == "keys") {
          List out;
          for (const auto& [k, v] : dict->items) out.emplace_back(k);
          return Value::list(std::move(out));
        }
        if (method == "values") {
          List out;
          for (const auto& [k, v] : dict->items) out.push_back(v);
          return Value::list(std::move(out));
        }
        if (method == "get" || method == "pop" || method == "setdefault") {
          if (args.positional.empty()) ev.fail(offset, method + "() expects a key");
          std::string key = args.positional[0].str();
          Value fallback = args.positional.size() > 1 ? args.positional[1] : Value();
          const Value* found = dict->find(key);
          if (method == "get") return found != nullptr ? *found : fallback;
          if (method == "setdefault") {
            if (found != nullptr) return *found;
            dict->set(key, fallback);
            return fallback;
          }
          if (found == nullptr) {
            if (args.positional.size() > 1) return fallback;
            ev.fail(offset, "key " + python_repr(key) + " is not in the dict");
          }
          Value v = *found;
          dict->erase(key);
          return v;
        }
        if (method == "update") {
          for (const Value& other : args.positional) {
            if (!other.is_dict()) ev.fail(offset, "update() expects a dict");
            for (const auto& [k, v] : other.as_dict()->items) dict->set(k, v);
          }
          for (const auto& [k, v] : args.keyword) dict->set(k, v);
          return Value();
        }
        auto copy = std::make_shared<Dict>(*dict);
        ValueArena::track(copy);
        return Value(copy);
      });
}

}  // namespace

std::optional<Value> bound_method(const Value& subject, std::string_view name) {
  if (subject.is_string()) return string_method(subject, name);
  if (subject.is_list()) return list_method(subject, name);
  if (subject.is_dict()) return dict_method(subject, name);
  return std::nullopt;
}

}  // namespace baliza::transform::tmpl
