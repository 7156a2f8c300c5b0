// A compact, read-only YAML tree built from yaml-cpp's event parser. It keeps what the loader
// needs (kind, scalar text, quoted-or-plain, position) and costs about half of YAML::Load,
// whose node graph dominates loading large property files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "transform/source_pos.h"

namespace baliza::transform {

struct YamlEntry;

class YamlNode {
 public:
  enum class Kind { kUndefined, kNull, kScalar, kSequence, kMap };

  bool IsDefined() const { return kind_ != Kind::kUndefined; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  explicit operator bool() const { return IsDefined(); }
  Kind kind() const { return kind_; }

  const std::string& Scalar() const { return scalar_; }
  bool quoted() const { return quoted_; }  // a quoted scalar is always a string
  SourcePos pos() const { return pos_; }

  // Map lookup; an undefined node (with no position) when the key is absent or not a map.
  const YamlNode& operator[](std::string_view key) const;
  const std::vector<YamlEntry>& entries() const;  // map entries, in file order
  const std::vector<YamlNode>& items() const;     // sequence items
  std::size_t size() const;

 private:
  friend class YamlTreeBuilder;
  Kind kind_ = Kind::kUndefined;
  bool quoted_ = false;
  SourcePos pos_;
  std::string scalar_;
  std::vector<YamlNode> items_;
  std::vector<YamlEntry> entries_;
};

struct YamlEntry {
  YamlNode first;   // the key (a scalar)
  YamlNode second;  // the value
};

// Parses one YAML document. Throws YAML::ParserException (with its Mark) on syntax errors.
YamlNode parse_yaml_tree(const std::string& text);

}  // namespace baliza::transform
