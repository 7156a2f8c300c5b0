#include "transform/template/re_module.h"

#include <cctype>
#include <regex>

#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

constexpr std::int64_t kIgnoreCase = 2;  // Python's re.IGNORECASE
constexpr std::int64_t kMultiline = 8;   // re.MULTILINE
constexpr std::int64_t kVerbose = 64;    // re.VERBOSE
// std::regex matches recursively (several stack frames per character for patterns such as
// (a|b)*): a longer text is refused with an error instead of risking the stack, also under
// ASan's larger frames. Templates match names and short strings.
constexpr std::size_t kMaxSubject = 2000;

// Python's inline flags at the start ((?ix)) become flags; verbose patterns lose their
// whitespace and # comments (outside character classes), as Python reads them.
std::string prepare(std::string pattern, std::int64_t& flags) {
  if (pattern.rfind("(?", 0) == 0) {
    std::size_t close = pattern.find(')');
    std::string letters = close == std::string::npos ? "" : pattern.substr(2, close - 2);
    bool all_flags = !letters.empty() && letters.find_first_not_of("imsxaLu") == std::string::npos;
    if (all_flags) {
      if (letters.find('i') != std::string::npos) flags |= kIgnoreCase;
      if (letters.find('m') != std::string::npos) flags |= kMultiline;
      if (letters.find('x') != std::string::npos) flags |= kVerbose;
      pattern.erase(0, close + 1);
    }
  }
  if ((flags & kVerbose) == 0) return pattern;
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += c;
      out += pattern[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '#') {
      while (i < pattern.size() && pattern[i] != '\n') ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out += c;
  }
  return out;
}

std::int64_t flags_arg(const CallArgs& a, std::size_t index) {
  const Value* f = a.arg(index, "flags");
  return f != nullptr && f->is_int() ? f->as_int() : 0;
}

std::regex compile(Evaluator& ev, std::string pattern, std::int64_t flags, std::size_t o) {
  pattern = prepare(std::move(pattern), flags);
  auto syntax = std::regex::ECMAScript;
  if (flags & kIgnoreCase) syntax |= std::regex::icase;
  if (flags & kMultiline) syntax |= std::regex::multiline;
  try {
    return std::regex(pattern, syntax);
  } catch (const std::regex_error& e) {
    ev.fail(o, "modules.re: pattern '" + pattern + "' is not supported (" + e.what() + ")",
            "; Baliza's regular expressions are ECMAScript's: no lookbehind, no (?P<name>...)");
  }
}

std::string subject(Evaluator& ev, const Value* v, std::size_t o) {
  if (v == nullptr) ev.fail(o, "modules.re: the string to match is missing");
  std::string s = v->str();
  if (s.size() > kMaxSubject) {
    ev.fail(o, "modules.re: a string of " + std::to_string(s.size()) + " bytes is longer than " +
                   std::to_string(kMaxSubject) + ", the longest Baliza matches");
  }
  return s;
}

// Python's replacement (\1, \g<1>, \\) as ECMAScript's ($1, $$).
std::string replacement(const std::string& repl) {
  std::string out;
  for (std::size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c == '$') {
      out += "$$";
    } else if (c == '\\' && i + 1 < repl.size()) {
      char n = repl[i + 1];
      if (std::isdigit(static_cast<unsigned char>(n))) {
        out += '$';
        out += n;
        ++i;
      } else if (n == 'g' && i + 2 < repl.size() && repl[i + 2] == '<') {
        std::size_t close = repl.find('>', i + 3);
        if (close == std::string::npos) {
          out += c;
          continue;
        }
        out += "$" + repl.substr(i + 3, close - i - 3);
        i = close;
      } else if (n == 'n') {
        out += '\n';
        ++i;
      } else if (n == '\\') {
        out += '\\';
        ++i;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out;
}

Value group_value(const std::smatch& m, std::size_t i) {
  return m[i].matched ? Value(m[i].str()) : Value();
}

Value make_match(const std::smatch& m, std::size_t base) {
  auto ns = std::make_shared<Namespace>("Match");
  std::vector<Value> groups;
  for (std::size_t i = 0; i < m.size(); ++i) groups.push_back(group_value(m, i));
  auto start = static_cast<std::int64_t>(base + static_cast<std::size_t>(m.position(0)));
  auto end = start + static_cast<std::int64_t>(m.length(0));
  ns->set("group", make_function("group", [groups](Evaluator& ev, CallArgs& a, std::size_t o) {
            if (a.positional.size() > 1) {
              List out;
              for (const Value& i : a.positional) {
                if (!i.is_int() || i.as_int() < 0 ||
                    static_cast<std::size_t>(i.as_int()) >= groups.size())
                  ev.fail(o, "no such group");
                out.push_back(groups[static_cast<std::size_t>(i.as_int())]);
              }
              return Value::tuple(std::move(out));
            }
            std::int64_t i =
                a.positional.empty() || !a.positional[0].is_int() ? 0 : a.positional[0].as_int();
            if (i < 0 || static_cast<std::size_t>(i) >= groups.size()) ev.fail(o, "no such group");
            return groups[static_cast<std::size_t>(i)];
          }));
  ns->set("groups", make_function("groups", [groups](Evaluator&, CallArgs&, std::size_t) {
            List out(groups.begin() + 1, groups.end());
            return Value::tuple(std::move(out));
          }));
  ns->set("start", make_function("start", [start](Evaluator&, CallArgs&, std::size_t) {
            return Value(start);
          }));
  ns->set("end",
          make_function("end", [end](Evaluator&, CallArgs&, std::size_t) { return Value(end); }));
  ns->set("span", make_function("span", [start, end](Evaluator&, CallArgs&, std::size_t) {
            return Value::tuple(List{Value(start), Value(end)});
          }));
  return Value(ObjectPtr(ns));
}

// The module's functions; `fixed` is a compiled pattern's text (its methods take no pattern).
using Op = Value (*)(Evaluator&, const std::string& pattern, std::int64_t flags, CallArgs& a,
                     std::size_t first, std::size_t o);

Value op_search(Evaluator& ev, const std::string& p, std::int64_t flags, CallArgs& a,
                std::size_t first, std::size_t o, std::regex_constants::match_flag_type how,
                bool full) {
  std::regex re = compile(ev, p, flags | flags_arg(a, first + 1), o);
  std::string s = subject(ev, a.arg(first, "string"), o);
  std::smatch m;
  bool ok = full ? std::regex_match(s, m, re) : std::regex_search(s, m, re, how);
  return ok ? make_match(m, 0) : Value();
}

Value fn_search(Evaluator& ev, const std::string& p, std::int64_t f, CallArgs& a, std::size_t i,
                std::size_t o) {
  return op_search(ev, p, f, a, i, o, std::regex_constants::match_default, false);
}
Value fn_match(Evaluator& ev, const std::string& p, std::int64_t f, CallArgs& a, std::size_t i,
               std::size_t o) {
  return op_search(ev, p, f, a, i, o, std::regex_constants::match_continuous, false);
}
Value fn_fullmatch(Evaluator& ev, const std::string& p, std::int64_t f, CallArgs& a, std::size_t i,
                   std::size_t o) {
  return op_search(ev, p, f, a, i, o, std::regex_constants::match_default, true);
}

Value fn_sub(Evaluator& ev, const std::string& p, std::int64_t flags, CallArgs& a, std::size_t i,
             std::size_t o) {
  const Value* repl = a.arg(i, "repl");
  if (repl == nullptr) ev.fail(o, "modules.re.sub(pattern, repl, string) needs repl");
  std::string s = subject(ev, a.arg(i + 1, "string"), o);
  const Value* count = a.arg(i + 2, "count");
  std::int64_t n = count != nullptr && count->is_int() ? count->as_int() : 0;
  std::regex re = compile(ev, p, flags | flags_arg(a, i + 3), o);
  std::string fmt = replacement(repl->str());
  if (n <= 0) return Value(std::regex_replace(s, re, fmt));
  std::string out;
  auto begin = s.cbegin();
  std::smatch m;
  while (n-- > 0 && std::regex_search(begin, s.cend(), m, re)) {
    out.append(begin, m[0].first);
    out += m.format(fmt);
    begin = m[0].second;
    if (m.length(0) == 0) {
      if (begin == s.cend()) break;
      out += *begin++;
    }
  }
  out.append(begin, s.cend());
  return Value(out);
}

Value fn_findall(Evaluator& ev, const std::string& p, std::int64_t flags, CallArgs& a,
                 std::size_t i, std::size_t o) {
  std::regex re = compile(ev, p, flags | flags_arg(a, i + 1), o);
  std::string s = subject(ev, a.arg(i, "string"), o);
  List out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    if (m.size() == 1) {
      out.push_back(Value(m.str(0)));
    } else if (m.size() == 2) {
      out.push_back(Value(m[1].matched ? m.str(1) : std::string()));
    } else {
      List groups;
      for (std::size_t g = 1; g < m.size(); ++g)
        groups.push_back(Value(m[g].matched ? m.str(g) : std::string()));
      out.push_back(Value::tuple(std::move(groups)));
    }
  }
  return Value::list(std::move(out));
}

Value fn_split(Evaluator& ev, const std::string& p, std::int64_t flags, CallArgs& a, std::size_t i,
               std::size_t o) {
  std::string s = subject(ev, a.arg(i, "string"), o);
  const Value* max = a.arg(i + 1, "maxsplit");
  std::int64_t n = max != nullptr && max->is_int() ? max->as_int() : 0;
  std::regex re = compile(ev, p, flags | flags_arg(a, i + 2), o);
  List out;
  auto begin = s.cbegin();
  std::smatch m;
  while ((n <= 0 || static_cast<std::int64_t>(out.size()) < n) &&
         std::regex_search(begin, s.cend(), m, re) && m.length(0) > 0) {
    out.push_back(Value(std::string(begin, m[0].first)));
    for (std::size_t g = 1; g < m.size(); ++g) out.push_back(group_value(m, g));
    begin = m[0].second;
  }
  out.push_back(Value(std::string(begin, s.cend())));
  return Value::list(std::move(out));
}

Value bind_op(const std::string& name, Op op) {
  return make_function("re." + name, [op, name](Evaluator& ev, CallArgs& a, std::size_t o) {
    const Value* p = a.arg(0, "pattern");
    if (p == nullptr) ev.fail(o, "modules.re." + name + "() needs a pattern");
    return op(ev, p->str(), 0, a, 1, o);
  });
}

const std::vector<std::pair<const char*, Op>>& ops() {
  static const std::vector<std::pair<const char*, Op>> kOps = {
      {"search", fn_search}, {"match", fn_match},     {"fullmatch", fn_fullmatch},
      {"sub", fn_sub},       {"findall", fn_findall}, {"split", fn_split}};
  return kOps;
}

}  // namespace

Value make_re_module() {
  auto re = std::make_shared<Namespace>("module re");
  for (const auto& [name, op] : ops()) re->set(name, bind_op(name, op));
  re->set("escape", make_function("re.escape", [](Evaluator&, CallArgs& a, std::size_t) {
            std::string s = a.positional.empty() ? "" : a.positional[0].str();
            std::string out;
            for (char c : s) {
              if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') out += '\\';
              out += c;
            }
            return Value(out);
          }));
  re->set("compile", make_function("re.compile", [](Evaluator& ev, CallArgs& a, std::size_t o) {
            const Value* p = a.arg(0, "pattern");
            if (p == nullptr) ev.fail(o, "modules.re.compile() needs a pattern");
            std::string pattern = p->str();
            std::int64_t flags = flags_arg(a, 1);
            compile(ev, pattern, flags, o);  // a bad pattern fails here, as in Python
            auto compiled = std::make_shared<Namespace>("Pattern");
            compiled->set("pattern", Value(pattern));
            for (const auto& [name, op] : ops()) {
              Op f = op;
              compiled->set(name, make_function(name, [f, pattern, flags](Evaluator& e, CallArgs& x,
                                                                          std::size_t off) {
                              return f(e, pattern, flags, x, 0, off);
                            }));
            }
            return Value(ObjectPtr(compiled));
          }));
  for (const char* n : {"IGNORECASE", "I"}) re->set(n, Value(kIgnoreCase));
  for (const char* n : {"MULTILINE", "M"}) re->set(n, Value(kMultiline));
  for (const char* n : {"VERBOSE", "X"}) re->set(n, Value(kVerbose));
  return Value(ObjectPtr(re));
}

}  // namespace baliza::transform::tmpl
