// Template values: what Jinja expressions evaluate to. None, undefined, bool, int, float,
// string, list, dict (insertion-ordered, string keys), callables (macros, context functions,
// bound methods) and objects (relations, adapter, query results) that answer attribute
// lookups. Lists and dicts are shared by reference, as in Python: `{% do xs.append(1) %}`
// changes the list every name bound to it sees. Values are not thread-safe; a render owns its
// values (templates and macro definitions are shared read-only).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::transform::tmpl {

class Value;
struct Dict;
class Callable;
class Object;
// A list; `tuple` marks Python tuples (they print as (a, b)).
struct List : std::vector<Value> {
  using std::vector<Value>::vector;
  bool tuple = false;
};
using ListPtr = std::shared_ptr<List>;
using DictPtr = std::shared_ptr<Dict>;
using CallablePtr = std::shared_ptr<Callable>;
using ObjectPtr = std::shared_ptr<Object>;

struct Undefined {
  std::string name;  // what was looked up, for messages
  bool operator==(const Undefined&) const = default;
};

class Value {
 public:
  enum class Kind {
    kNone,
    kUndefined,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kDict,
    kCallable,
    kObject
  };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : v_(i) {}
  Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(std::size_t i) : v_(static_cast<std::int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(ListPtr l) : v_(std::move(l)) {}
  Value(DictPtr d) : v_(std::move(d)) {}
  Value(CallablePtr c) : v_(std::move(c)) {}
  Value(ObjectPtr o) : v_(std::move(o)) {}
  Value(Undefined u) : v_(std::move(u)) {}

  static Value undefined(std::string name) { return Value(Undefined{std::move(name)}); }
  static Value list(List items = {});
  static Value tuple(List items);
  static Value dict();
  static Value from_json(const nlohmann::json& j);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_none() const { return kind() == Kind::kNone; }
  bool is_undefined() const { return kind() == Kind::kUndefined; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_int() || is_float(); }  // bools are not numbers here
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_dict() const { return kind() == Kind::kDict; }
  bool is_callable() const { return kind() == Kind::kCallable; }
  bool is_object() const { return kind() == Kind::kObject; }

  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_double() const;  // int or float
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const ListPtr& as_list() const { return std::get<ListPtr>(v_); }
  const DictPtr& as_dict() const { return std::get<DictPtr>(v_); }
  const CallablePtr& as_callable() const { return std::get<CallablePtr>(v_); }
  const ObjectPtr& as_object() const { return std::get<ObjectPtr>(v_); }
  const Undefined& as_undefined() const { return std::get<Undefined>(v_); }

  // Python truthiness (empty string/list/dict, 0, None, undefined are false).
  bool truthy() const;
  // str(): what {{ v }} prints (True/False/None as Python; lists and dicts as Python repr).
  std::string str() const;
  // repr(): strings quoted as Python does ('a').
  std::string repr() const;
  // The Python type name, for messages ("str", "int", "list", "dict", "Relation", ...).
  std::string type_name() const;
  // Plain data as JSON (callables become their str()).
  nlohmann::json to_json() const;

  // Python ==.
  friend bool operator==(const Value& a, const Value& b);
  // Python ordering; nullopt when the types cannot be compared.
  static std::optional<int> compare(const Value& a, const Value& b);
  // Elements for iteration: a list, a dict's keys, a string's characters, an object's items.
  // nullopt when not iterable.
  std::optional<List> iterate() const;
  // len(); nullopt when it has none.
  std::optional<std::int64_t> length() const;

 private:
  std::variant<std::monostate, Undefined, bool, std::int64_t, double, std::string, ListPtr, DictPtr,
               CallablePtr, ObjectPtr>
      v_;
};

// An insertion-ordered dict with string keys (Jinja templates in dbt use string keys).
struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  void set(std::string key, Value value);
  bool erase(std::string_view key);
};

class Evaluator;

// Arguments of a call, evaluated; `offset` is where the call starts in `site`'s file.
struct CallArgs {
  List positional;
  std::vector<std::pair<std::string, Value>> keyword;
  std::vector<std::size_t> keyword_offsets;  // where each keyword value starts, when known
  Value caller;  // the body of {% call %}, as a callable; none otherwise
  const Value* kwarg(std::string_view name) const;
  // Positional argument `i`, or keyword `name`, or nullptr.
  const Value* arg(std::size_t i, std::string_view name) const;
};

class Callable {
 public:
  virtual ~Callable() = default;
  virtual std::string name() const = 0;
  virtual Value call(Evaluator& ev, CallArgs& args, std::size_t offset) = 0;
};

// A callable made of a lambda.
class Function : public Callable {
 public:
  using Fn = std::function<Value(Evaluator&, CallArgs&, std::size_t)>;
  Function(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  Value call(Evaluator& ev, CallArgs& args, std::size_t offset) override {
    return fn_(ev, args, offset);
  }

 private:
  std::string name_;
  Fn fn_;
};

inline Value make_function(std::string name, Function::Fn fn) {
  return Value(CallablePtr(std::make_shared<Function>(std::move(name), std::move(fn))));
}

class Object {
 public:
  virtual ~Object() = default;
  virtual std::string type_name() const = 0;
  // Attribute lookup; nullopt when it has no such attribute.
  virtual std::optional<Value> attr(Evaluator& ev, std::string_view name) = 0;
  // Attribute names, for suggestions.
  virtual std::vector<std::string> attr_names() const { return {}; }
  virtual std::string str() const;
  virtual std::optional<List> iterate() const { return std::nullopt; }
  // obj[key]; nullopt when it has none.
  virtual std::optional<Value> item(Evaluator&, const Value&) { return std::nullopt; }
  virtual bool truthy() const { return true; }
  // True for dict-like objects (`is mapping`; dbt's Relation is one).
  virtual bool is_mapping() const { return false; }
  virtual nlohmann::json to_json() const { return str(); }
  // `this <op> other` (or `other <op> this` when `reversed`) for + - < > ...; nullopt when
  // the object does not support it.
  virtual std::optional<Value> binary(const std::string&, const Value&, bool) {
    return std::nullopt;
  }
  // Objects that may also be called (dbt's `config(...)` with `config.get(...)`).
  virtual bool callable() const { return false; }
  virtual Value call(Evaluator& ev, CallArgs& args, std::size_t offset);
};

// A namespace: an object whose attributes are fixed values (e.g. `exceptions`, `modules`,
// a package's macros).
class Namespace : public Object {
 public:
  explicit Namespace(std::string type) : type_(std::move(type)) {}
  std::string type_name() const override { return type_; }
  std::optional<Value> attr(Evaluator&, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  void set(std::string name, Value v) { members_.set(std::move(name), std::move(v)); }
  Dict& members() { return members_; }

 private:
  std::string type_;
  Dict members_;
};

// Lists and dicts are reference-counted, so one that contains itself (`{% do xs.append(xs) %}`,
// a namespace holding itself, a bound method stored in its own list) would never be freed.
// While a ValueArena lives on a thread, every list and dict made on that thread (Value::list,
// tuple, dict, track()) is recorded, and emptied when the arena ends, which breaks such cycles.
// One arena per render (nested renders stack); values that must outlive the render (the shared
// environment, built once) are made under a ValueArena::Pause. Not thread-safe: per thread.
class ValueArena {
 public:
  ValueArena();
  ~ValueArena();
  ValueArena(const ValueArena&) = delete;
  ValueArena& operator=(const ValueArena&) = delete;

  // Records `list` / `dict` in the current arena, if any.
  static void track(const ListPtr& list);
  static void track(const DictPtr& dict);

  // No arena records what is made while a Pause lives.
  class Pause {
   public:
    Pause();
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    ValueArena* saved_;
  };

 private:
  template <typename T>
  static void record(std::vector<std::weak_ptr<T>>& all, const std::shared_ptr<T>& p);
  ValueArena* previous_;
  std::vector<std::weak_ptr<List>> lists_;
  std::vector<std::weak_ptr<Dict>> dicts_;
};

// Python-style repr of a string ('it''s' -> 'it\'s').
std::string python_repr(std::string_view s);
// Python str() of a float (1.0, 0.5, 1e+20).
std::string python_float(double d);

}  // namespace baliza::transform::tmpl
