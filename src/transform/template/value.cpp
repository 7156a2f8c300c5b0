#include "transform/template/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "transform/template/evaluator.h"

namespace baliza::transform::tmpl {
namespace {

// Lists and dicts are shared by reference, so one may contain itself ({% do xs.append(xs) %}):
// printing, comparing or converting it would recurse forever. Deeper than this is an error.
constexpr int kMaxValueDepth = 100;
thread_local int value_depth = 0;

struct DepthGuard {
  DepthGuard() {
    if (++value_depth > kMaxValueDepth) {
      --value_depth;
      throw usage_error("a list or dict nested deeper than " + std::to_string(kMaxValueDepth) +
                        " levels (one that contains itself?); it cannot be printed, compared or "
                        "written as JSON");
    }
  }
  ~DepthGuard() { --value_depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

void check_repr_size(const std::string& out) {
  if (out.size() > kMaxOutputBytes) {
    throw usage_error("a list or dict prints longer than " + std::to_string(kMaxOutputBytes >> 20) +
                      " MiB");
  }
}

}  // namespace

namespace {
thread_local ValueArena* current_arena = nullptr;
}  // namespace

ValueArena::ValueArena() : previous_(current_arena) {
  current_arena = this;
}

ValueArena::~ValueArena() {
  current_arena = previous_;
  // Emptied, not destroyed: whoever still holds one (a cycle) drops its references now.
  for (const auto& w : lists_) {
    if (ListPtr l = w.lock()) List().swap(*l);
  }
  for (const auto& w : dicts_) {
    if (DictPtr d = w.lock()) decltype(d->items)().swap(d->items);
  }
}

template <typename T>
void ValueArena::record(std::vector<std::weak_ptr<T>>& all, const std::shared_ptr<T>& p) {
  // Forget the ones already freed now and then, so a render that makes many short-lived
  // lists keeps O(live) entries (amortized O(1) per list).
  if (all.size() >= 1024 && all.size() == all.capacity()) {
    std::erase_if(all, [](const std::weak_ptr<T>& w) { return w.expired(); });
  }
  all.push_back(p);
}

void ValueArena::track(const ListPtr& list) {
  if (current_arena != nullptr) record(current_arena->lists_, list);
}

void ValueArena::track(const DictPtr& dict) {
  if (current_arena != nullptr) record(current_arena->dicts_, dict);
}

ValueArena::Pause::Pause() : saved_(current_arena) {
  current_arena = nullptr;
}
ValueArena::Pause::~Pause() {
  current_arena = saved_;
}

Value Value::list(List items) {
  auto l = std::make_shared<List>(std::move(items));
  ValueArena::track(l);
  return Value(std::move(l));
}

Value Value::tuple(List items) {
  items.tuple = true;
  return list(std::move(items));
}

Value Value::dict() {
  auto d = std::make_shared<Dict>();
  ValueArena::track(d);
  return Value(std::move(d));
}

Value Value::from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return Value(static_cast<std::int64_t>(j.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float:
      return Value(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json(e));
      return list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      auto d = std::make_shared<Dict>();
      d->items.reserve(j.size());
      for (const auto& [k, v] : j.items()) d->items.emplace_back(k, from_json(v));
      return Value(d);
    }
    case nlohmann::json::value_t::binary:
      break;
  }
  return Value();
}

double Value::as_double() const {
  return is_int() ? static_cast<double>(as_int()) : std::get<double>(v_);
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::kNone:
    case Kind::kUndefined:
      return false;
    case Kind::kBool:
      return as_bool();
    case Kind::kInt:
      return as_int() != 0;
    case Kind::kFloat:
      return as_double() != 0.0;
    case Kind::kString:
      return !as_string().empty();
    case Kind::kList:
      return !as_list()->empty();
    case Kind::kDict:
      return !as_dict()->items.empty();
    case Kind::kCallable:
      return true;
    case Kind::kObject:
      return as_object()->truthy();
  }
  return false;
}

std::string python_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == std::floor(d) && std::fabs(d) < 1e16) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", d);
    return buf;
  }
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::string python_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::string Value::str() const {
  switch (kind()) {
    case Kind::kNone:
      return "None";
    case Kind::kUndefined:
      return "";
    case Kind::kBool:
      return as_bool() ? "True" : "False";
    case Kind::kInt:
      return std::to_string(as_int());
    case Kind::kFloat:
      return python_float(as_double());
    case Kind::kString:
      return as_string();
    case Kind::kList:
    case Kind::kDict:
      return repr();
    case Kind::kCallable:
      return "<function " + as_callable()->name() + ">";
    case Kind::kObject:
      return as_object()->str();
  }
  return "";
}

std::string Value::repr() const {
  switch (kind()) {
    case Kind::kString:
      return python_repr(as_string());
    case Kind::kList: {
      DepthGuard guard;
      const List& items = *as_list();
      std::string out = items.tuple ? "(" : "[";
      bool first = true;
      for (const Value& v : items) {
        if (!first) out += ", ";
        first = false;
        out += v.repr();
        check_repr_size(out);
      }
      if (items.tuple && items.size() == 1) out += ",";
      out += items.tuple ? ")" : "]";
      return out;
    }
    case Kind::kDict: {
      DepthGuard guard;
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : as_dict()->items) {
        if (!first) out += ", ";
        first = false;
        out += python_repr(k) + ": " + v.repr();
        check_repr_size(out);
      }
      return out + "}";
    }
    default:
      return str();
  }
}

std::string Value::type_name() const {
  switch (kind()) {
    case Kind::kNone:
      return "NoneType";
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return "dict";
    case Kind::kCallable:
      return "function";
    case Kind::kObject:
      return as_object()->type_name();
  }
  return "?";
}

nlohmann::json Value::to_json() const {
  switch (kind()) {
    case Kind::kNone:
    case Kind::kUndefined:
      return nullptr;
    case Kind::kBool:
      return as_bool();
    case Kind::kInt:
      return as_int();
    case Kind::kFloat:
      return as_double();
    case Kind::kString:
      return as_string();
    case Kind::kList: {
      DepthGuard guard;
      nlohmann::json out = nlohmann::json::array();
      for (const Value& v : *as_list()) out.push_back(v.to_json());
      return out;
    }
    case Kind::kDict: {
      DepthGuard guard;
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : as_dict()->items) out[k] = v.to_json();
      return out;
    }
    case Kind::kCallable:
      return str();
    case Kind::kObject:
      return as_object()->to_json();
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  // Python: True == 1.
  if (a.is_bool() && b.is_number()) return Value(static_cast<std::int64_t>(a.as_bool())) == b;
  if (b.is_bool() && a.is_number()) return Value(static_cast<std::int64_t>(b.as_bool())) == a;
  if (a.kind() != b.kind()) {
    // A relation object compares equal to its rendered string.
    if (a.is_object() && b.is_string()) return a.str() == b.as_string();
    if (b.is_object() && a.is_string()) return b.str() == a.as_string();
    return false;
  }
  switch (a.kind()) {
    case Value::Kind::kNone:
    case Value::Kind::kUndefined:
      return true;
    case Value::Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Value::Kind::kString:
      return a.as_string() == b.as_string();
    case Value::Kind::kList: {
      if (a.as_list() == b.as_list()) return true;  // the same list (Python's identity check)
      DepthGuard guard;
      const List& x = *a.as_list();
      const List& y = *b.as_list();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!(x[i] == y[i])) return false;
      }
      return true;
    }
    case Value::Kind::kDict: {
      if (a.as_dict() == b.as_dict()) return true;
      DepthGuard guard;
      const Dict& x = *a.as_dict();
      const Dict& y = *b.as_dict();
      if (x.items.size() != y.items.size()) return false;
      for (const auto& [k, v] : x.items) {
        const Value* other = y.find(k);
        if (other == nullptr || !(*other == v)) return false;
      }
      return true;
    }
    case Value::Kind::kCallable:
      return a.as_callable() == b.as_callable();
    case Value::Kind::kObject:
      return a.as_object() == b.as_object() || a.str() == b.str();
    default:
      return false;
  }
}

std::optional<int> Value::compare(const Value& a, const Value& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  bool an = a.is_number() || a.is_bool();
  bool bn = b.is_number() || b.is_bool();
  if (an && bn) {
    auto num = [](const Value& v) {
      return v.is_bool() ? (v.as_bool() ? 1.0 : 0.0) : v.as_double();
    };
    if (a.is_int() && b.is_int()) return sign(a.as_int(), b.as_int());
    return sign(num(a), num(b));
  }
  if (a.is_string() && b.is_string()) return sign(a.as_string(), b.as_string());
  if (a.is_list() && b.is_list()) {
    if (a.as_list() == b.as_list()) return 0;
    DepthGuard guard;
    const List& x = *a.as_list();
    const List& y = *b.as_list();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      auto c = compare(x[i], y[i]);
      if (!c) return std::nullopt;
      if (*c != 0) return c;
    }
    return sign(x.size(), y.size());
  }
  return std::nullopt;
}

std::optional<List> Value::iterate() const {
  switch (kind()) {
    case Kind::kList:
      return *as_list();
    case Kind::kDict: {
      List keys;
      keys.reserve(as_dict()->items.size());
      for (const auto& [k, v] : as_dict()->items) keys.emplace_back(k);
      return keys;
    }
    case Kind::kString: {
      List chars;
      for (char c : as_string()) chars.emplace_back(std::string(1, c));
      return chars;
    }
    case Kind::kObject:
      return as_object()->iterate();
    case Kind::kUndefined:
      return List{};
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> Value::length() const {
  switch (kind()) {
    case Kind::kList:
      return static_cast<std::int64_t>(as_list()->size());
    case Kind::kDict:
      return static_cast<std::int64_t>(as_dict()->items.size());
    case Kind::kString:
      return static_cast<std::int64_t>(as_string().size());
    case Kind::kUndefined:
      return 0;
    case Kind::kObject: {
      auto items = as_object()->iterate();
      if (items) return static_cast<std::int64_t>(items->size());
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

const Value* Dict::find(std::string_view key) const {
  for (const auto& [k, v] : items) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Dict::find(std::string_view key) {
  for (auto& [k, v] : items) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Dict::set(std::string key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
  } else {
    items.emplace_back(std::move(key), std::move(value));
  }
}

bool Dict::erase(std::string_view key) {
  auto it =
      std::find_if(items.begin(), items.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == items.end()) return false;
  items.erase(it);
  return true;
}

const Value* CallArgs::kwarg(std::string_view name) const {
  for (const auto& [k, v] : keyword) {
    if (k == name) return &v;
  }
  return nullptr;
}

const Value* CallArgs::arg(std::size_t i, std::string_view name) const {
  if (i < positional.size()) return &positional[i];
  return kwarg(name);
}

std::string Object::str() const {
  std::string out(1, '<');
  out.append(type_name());
  out.push_back('>');
  return out;
}

Value Object::call(Evaluator&, CallArgs&, std::size_t) {
  return Value();
}

std::optional<Value> Namespace::attr(Evaluator&, std::string_view name) {
  if (const Value* v = members_.find(name)) return *v;
  return std::nullopt;
}

std::vector<std::string> Namespace::attr_names() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : members_.items) names.push_back(k);
  return names;
}

}  // namespace baliza::transform::tmpl
