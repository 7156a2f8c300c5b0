#include "transform/yaml_tree.h"

#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace baliza::transform {

const YamlNode& YamlNode::operator[](std::string_view key) const {
  static const YamlNode kUndefined;
  for (const YamlEntry& e : entries_) {
    if (e.first.scalar_ == key) return e.second;
  }
  return kUndefined;
}

const std::vector<YamlEntry>& YamlNode::entries() const {
  return entries_;
}
const std::vector<YamlNode>& YamlNode::items() const {
  return items_;
}
std::size_t YamlNode::size() const {
  return kind_ == Kind::kMap ? entries_.size() : items_.size();
}

// Event handler that assembles the tree with an explicit stack of open collections.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  YamlNode take() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(leaf(YamlNode::Kind::kNull, mark, "", false), anchor);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    add(it == anchors_.end() ? YamlNode() : it->second, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    add(leaf(YamlNode::Kind::kScalar, mark, value, tag == "!"), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode node;
    YAML::anchor_t anchor;
    bool has_key = false;  // maps: a key is waiting for its value
  };

  static YamlNode leaf(YamlNode::Kind kind, const YAML::Mark& mark, const std::string& value,
                       bool quoted) {
    YamlNode n;
    n.kind_ = kind;
    n.pos_ = SourcePos{mark.line + 1, mark.column + 1};
    n.scalar_ = value;
    n.quoted_ = quoted;
    return n;
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    stack_.push_back(Open{leaf(kind, mark, "", false), anchor});
  }

  void close() {
    Open done = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(done.node), done.anchor);
  }

  void add(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = node;
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Open& parent = stack_.back();
    if (parent.node.kind_ == YamlNode::Kind::kSequence) {
      parent.node.items_.push_back(std::move(node));
    } else if (!parent.has_key) {
      parent.node.entries_.push_back(YamlEntry{std::move(node), YamlNode()});
      parent.has_key = true;
    } else {
      parent.node.entries_.back().second = std::move(node);
      parent.has_key = false;
    }
  }

  std::vector<Open> stack_;
  std::map<YAML::anchor_t, YamlNode> anchors_;
  YamlNode root_;
};

YamlNode parse_yaml_tree(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  YamlTreeBuilder builder;
  parser.HandleNextDocument(builder);
  return builder.take();
}

}  // namespace baliza::transform
