#include "transform/template/parser.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "transform/text_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kKnownTags = {"if",
                                             "elif",
                                             "else",
                                             "endif",
                                             "for",
                                             "endfor",
                                             "set",
                                             "endset",
                                             "macro",
                                             "endmacro",
                                             "call",
                                             "endcall",
                                             "do",
                                             "filter",
                                             "endfilter",
                                             "raw",
                                             "endraw",
                                             "test",
                                             "endtest",
                                             "materialization",
                                             "endmaterialization",
                                             "snapshot",
                                             "endsnapshot",
                                             "docs",
                                             "enddocs"};

// Tags that end (or split) a body; the enclosing block decides whether it expects them.
bool is_end_tag(const std::string& tag) {
  return tag == "elif" || tag == "else" ||
         (tag.size() > 3 && tag.compare(0, 3, "end") == 0 &&
          std::find(kKnownTags.begin(), kKnownTags.end(), tag) != kKnownTags.end());
}

// Words that end an expression where a bare test argument could start.
bool is_keyword(const std::string& word) {
  static const std::vector<std::string> kWords = {"and", "or", "not",  "in",
                                                  "is",  "if", "else", "recursive"};
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

constexpr std::size_t kMaxNesting = 200;  // expression and block depth: deeper is an error

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const ErrorSite& site, TemplateMode mode)
      : tokens_(tokens), site_(site), mode_(mode) {}

  Body parse_all() {
    std::string end_tag;
    return parse_body(nullptr, "", end_tag);
  }

 private:
  struct DepthGuard {
    DepthGuard(Parser& p, std::size_t offset) : parser(p) {
      if (++parser.depth_ > kMaxNesting) {
        parser.site_.fail(offset,
                          "template nested deeper than " + std::to_string(kMaxNesting) + " levels");
      }
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // Parses statements until EOF or an end tag (which is consumed and named in end_tag; the
  // block end '%}' is left for the caller). `opener` is the enclosing block and `block` its
  // tag, for messages.
  Body parse_body(const Token* opener, std::string_view block, std::string& end_tag) {
    DepthGuard guard(*this, opener != nullptr ? opener->offset : 0);
    Body body;
    while (true) {
      const Token& t = peek();
      if (t.kind == TokenKind::kEnd) {
        if (opener != nullptr) {
          site_.fail(opener->offset, "unclosed '{% " + std::string(block) + " %}'",
                     "; add '{% end" + std::string(block) + " %}'");
        }
        return body;
      }
      if (t.kind == TokenKind::kText) {
        Stmt s{Stmt::Kind::kText};
        s.offset = t.offset;
        s.length = t.length;
        body.push_back(std::move(s));
        ++pos_;
      } else if (t.kind == TokenKind::kVariableBegin) {
        body.push_back(parse_output());
      } else if (t.kind == TokenKind::kBlockBegin) {
        const Token& tag = peek(1);
        if (tag.kind != TokenKind::kName) site_.fail(tag.offset, "expected a tag name after '{%'");
        if (is_end_tag(tag.value)) {
          if (opener == nullptr) {
            std::string block_of =
                tag.value == "elif" || tag.value == "else" ? "if" : tag.value.substr(3);
            site_.fail(tag.offset, "unexpected '{% " + tag.value + " %}'",
                       "; it has no matching '{% " + block_of + " %}'");
          }
          end_tag = tag.value;
          end_tag_offset_ = tag.offset;
          end_block_offset_ = t.offset;
          pos_ += 2;
          return body;
        }
        body.push_back(parse_tag(tag, opener == nullptr));
      } else {
        site_.fail(t.offset, "unexpected token");
      }
    }
  }

  Stmt parse_tag(const Token& tag, bool top_level) {
    const std::string& name = tag.value;
    if (name == "if") return parse_if();
    if (name == "for") return parse_for();
    if (name == "set") return parse_set();
    if (name == "macro" || name == "test" || name == "materialization") {
      return parse_macro(top_level);
    }
    if (name == "call") return parse_call_block();
    if (name == "do") return parse_do();
    if (name == "filter") return parse_filter_block();
    if (name == "snapshot" || name == "docs") return parse_named_block();
    site_.fail(
        tag.offset, "unknown tag '" + name + "'",
        did_you_mean(name, kKnownTags) + " (supported tags: " + join(kKnownTags, ", ") + ")");
  }

  // Checks that the body ended with `expected`, else names the mismatch.
  void expect_end(const std::string& end_tag, std::string_view block, std::string_view expected) {
    if (end_tag == expected) return;
    site_.fail(
        end_tag_offset_,
        "unexpected '{% " + end_tag + " %}' inside '{% " + std::string(block) + " %}'",
        "; close the " + std::string(block) + " with '{% " + std::string(expected) + " %}' first");
  }

  Stmt parse_if() {
    const Token& open = next();  // {%
    next();                      // if
    Stmt s{Stmt::Kind::kIf};
    s.offset = open.offset;
    std::string end_tag = "if";
    while (end_tag == "if" || end_tag == "elif") {
      IfBranch branch;
      branch.condition = parse_expr();
      expect(TokenKind::kBlockEnd, "'%}'");
      branch.body = parse_body(&open, "if", end_tag);
      s.branches.push_back(std::move(branch));
    }
    if (end_tag == "else") {
      expect(TokenKind::kBlockEnd, "'%}'");
      IfBranch branch;
      branch.body = parse_body(&open, "if", end_tag);
      if (end_tag == "elif" || end_tag == "else") {
        site_.fail(end_tag_offset_, "'{% " + end_tag + " %}' after '{% else %}'",
                   "; close the if with '{% endif %}'");
      }
      s.branches.push_back(std::move(branch));
    }
    expect_end(end_tag, "if", "endif");
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // for a[, b] in iterable [if condition] [recursive] %} body [{% else %} body] {% endfor %}
  Stmt parse_for() {
    const Token& open = next();  // {%
    next();                      // for
    Stmt s{Stmt::Kind::kFor};
    s.offset = open.offset;
    s.target = parse_target("for", false);
    if (!is_name("in")) {
      site_.fail(peek().offset, "expected 'in' after the loop variable, found " + describe(peek()),
                 "; write {% for x in items %}");
    }
    next();
    s.expr = parse_or_tuple_until_if();
    if (is_name("if")) {
      next();
      s.condition = parse_or();
    }
    if (is_name("recursive")) {
      next();
      s.recursive = true;
    }
    expect(TokenKind::kBlockEnd, "'%}'");
    std::string end_tag;
    s.body = parse_body(&open, "for", end_tag);
    if (end_tag == "else") {
      expect(TokenKind::kBlockEnd, "'%}'");
      s.else_body = parse_body(&open, "for", end_tag);
    }
    expect_end(end_tag, "for", "endfor");
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // The iterable of a for: an expression without the conditional form (its `if` filters).
  ExprPtr parse_or_tuple_until_if() {
    ExprPtr first = parse_or();
    if (!is_operator(",")) return first;
    auto tuple = make(Expr::Kind::kTuple, first->offset);
    tuple->operands.push_back(std::move(first));
    while (is_operator(",")) {
      next();
      if (peek().kind == TokenKind::kBlockEnd || is_name("if")) break;
      tuple->operands.push_back(parse_or());
    }
    return tuple;
  }

  Target parse_target(std::string_view tag, bool allow_attribute) {
    Target target;
    target.offset = peek().offset;
    bool parenthesized = is_operator("(");
    if (parenthesized) next();
    while (true) {
      const Token& name = next();
      if (name.kind != TokenKind::kName) {
        site_.fail(
            name.offset,
            "expected a variable name after '" + std::string(tag) + "', found " + describe(name),
            tag == "set" ? "; write {% set x = 1 %}" : "; write {% for x in items %}");
      }
      target.names.push_back(name.value);
      if (allow_attribute && target.names.size() == 1 && is_operator(".")) {
        next();
        const Token& attr = next();
        if (attr.kind != TokenKind::kName) site_.fail(attr.offset, "expected a name after '.'");
        target.attribute = attr.value;
        break;
      }
      if (!is_operator(",")) break;
      next();
    }
    if (parenthesized) expect_operator(")");
    return target;
  }

  // {% set name = expr %}, {% set a, b = expr %}, {% set ns.x = expr %},
  // {% set name [| filters] %} body {% endset %}
  Stmt parse_set() {
    const Token& open = next();  // {%
    next();                      // set
    Stmt s{Stmt::Kind::kSet};
    s.offset = open.offset;
    s.target = parse_target("set", true);
    const std::string shown = s.target.names[0];
    if (peek().kind == TokenKind::kBlockEnd || is_operator("|")) {
      s.kind = Stmt::Kind::kSetBlock;
      // One name or one namespace attribute ({% set ns.msg %}...{% endset %}), as Jinja.
      if (s.target.names.size() != 1) {
        site_.fail(s.target.offset, "a '{% set %}' block assigns one name",
                   "; write {% set x %}...{% endset %}");
      }
      if (is_operator("|")) s.filter = parse_filters(make_name("_", peek().offset));
      expect(TokenKind::kBlockEnd, "'%}'");
      std::string end_tag;
      s.body = parse_body(&open, "set", end_tag);
      expect_end(end_tag, "set", "endset");
      expect(TokenKind::kBlockEnd, "'%}'");
      return s;
    }
    if (!is_operator("=")) {
      site_.fail(peek().offset, "expected '=' after 'set " + shown + "', found " + describe(peek()),
                 "; write {% set " + shown + " = ... %}");
    }
    next();
    s.expr = parse_tuple_or_expr();
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // `a, b` without parentheses (set's right-hand side).
  ExprPtr parse_tuple_or_expr() {
    ExprPtr first = parse_expr();
    if (!is_operator(",")) return first;
    auto tuple = make(Expr::Kind::kTuple, first->offset);
    tuple->operands.push_back(std::move(first));
    while (is_operator(",")) {
      next();
      if (peek().kind == TokenKind::kBlockEnd) break;
      tuple->operands.push_back(parse_expr());
    }
    return tuple;
  }

  Stmt parse_do() {
    const Token& open = next();  // {%
    next();                      // do
    Stmt s{Stmt::Kind::kDo};
    s.offset = open.offset;
    s.expr = parse_tuple_or_expr();
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // {% filter upper | replace('a', 'b') %} body {% endfilter %}
  Stmt parse_filter_block() {
    const Token& open = next();  // {%
    next();                      // filter
    Stmt s{Stmt::Kind::kFilter};
    s.offset = open.offset;
    s.filter = parse_filter_chain(make_name("_", peek().offset));
    expect(TokenKind::kBlockEnd, "'%}'");
    std::string end_tag;
    s.body = parse_body(&open, "filter", end_tag);
    expect_end(end_tag, "filter", "endfilter");
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // {% snapshot name %} body {% endsnapshot %}, {% docs name %} body {% enddocs %}
  Stmt parse_named_block() {
    const Token& open = next();  // {%
    const Token& tag = next();
    Stmt s{Stmt::Kind::kBlock};
    s.offset = open.offset;
    s.name = tag.value;
    const Token& name = next();
    if (name.kind != TokenKind::kName) {
      site_.fail(name.offset, "expected a name after '" + tag.value + "'",
                 "; write {% " + tag.value + " my_name %}");
    }
    s.block_name = name.value;
    s.name_offset = name.offset;
    const Token& open_end = peek();
    expect(TokenKind::kBlockEnd, "'%}'");
    s.body_begin = open_end.offset + open_end.length;
    std::string end_tag;
    s.body = parse_body(&open, tag.value, end_tag);
    s.body_end = end_block_offset_;
    expect_end(end_tag, tag.value, "end" + tag.value);
    const Token& end = peek();
    expect(TokenKind::kBlockEnd, "'%}'");
    s.length = end.offset + end.length - s.offset;
    return s;
  }

  // {% call[(params)] macro(args) %} body {% endcall %}
  Stmt parse_call_block() {
    const Token& open = next();  // {%
    next();                      // call
    Stmt s{Stmt::Kind::kCall};
    s.offset = open.offset;
    if (is_operator("(")) {
      next();
      parse_params(s, "call");
    }
    s.expr = parse_expr();
    if (s.expr->kind != Expr::Kind::kCall) {
      site_.fail(s.expr->offset, "'{% call %}' needs a macro call",
                 "; write {% call my_macro(args) %}...{% endcall %}");
    }
    expect(TokenKind::kBlockEnd, "'%}'");
    std::string end_tag;
    s.body = parse_body(&open, "call", end_tag);
    expect_end(end_tag, "call", "endcall");
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // Parameters up to and including ')'.
  void parse_params(Stmt& s, const std::string& what) {
    while (!is_operator(")")) {
      const Token& param = next();
      if (param.kind != TokenKind::kName) {
        site_.fail(param.offset, "expected an argument name, found " + describe(param));
      }
      for (const MacroParam& p : s.params) {
        if (p.name == param.value) {
          site_.fail(param.offset, "argument '" + param.value + "' appears twice in " + what +
                                       " '" + s.name + "'");
        }
      }
      MacroParam p{param.value, nullptr};
      if (is_operator("=")) {
        next();
        p.default_value = parse_expr();
      } else if (!s.params.empty() && s.params.back().default_value) {
        site_.fail(param.offset,
                   "argument '" + param.value + "' without a default follows one with a default",
                   "; put arguments with defaults last");
      }
      s.params.push_back(std::move(p));
      if (!is_operator(",")) break;
      next();
    }
    expect_operator(")");
  }

  // {% macro name(a, b='default') %} body {% endmacro %}; also {% test name(...) %} (a macro
  // named test_<name>) and {% materialization name, adapter='x' %}.
  Stmt parse_macro(bool top_level) {
    const Token& open = next();  // {%
    const Token& keyword = next();
    const Token& name = next();
    const std::string& kind = keyword.value;
    if (name.kind != TokenKind::kName) {
      site_.fail(name.offset, "expected a " + kind + " name after '" + kind + "'",
                 "; write {% " + kind + " name(arg) %} ... {% end" + kind + " %}");
    }
    if (mode_ == TemplateMode::kModel && kind != "macro") {
      site_.fail(keyword.offset, kind + " '" + name.value + "' is defined in a model or test file",
                 "; move it to a .sql file under macros/ (the project's macro-paths)");
    }
    // In a model a macro is local to it (as in Jinja); macro files define them one after the
    // other at the top level.
    if (!top_level && mode_ == TemplateMode::kMacroFile) {
      site_.fail(keyword.offset, kind + " '" + name.value + "' is defined inside another block",
                 "; define macros at the top level of the file, one after the other");
    }
    Stmt s{Stmt::Kind::kMacro};
    s.offset = open.offset;
    s.macro_kind = kind;
    s.name = kind == "test" ? "test_" + name.value : name.value;
    s.name_offset = name.offset;
    if (kind == "materialization") {
      std::string adapter = "default";
      while (is_operator(",")) {
        next();
        const Token& key = next();
        expect_operator("=");
        ExprPtr value = parse_expr();
        if (key.value == "adapter" && value->kind == Expr::Kind::kLiteral &&
            value->literal.is_string()) {
          adapter = value->literal.get<std::string>();
        }
      }
      s.name = "materialization_" + name.value + "_" + adapter;
      s.signature_length = name.length;
    } else {
      if (!is_operator("(")) {
        site_.fail(peek().offset, "expected '(' after " + kind + " name '" + name.value + "'",
                   "; write {% " + kind + " " + name.value + "() %} for one without arguments");
      }
      next();
      const std::size_t before = pos_;
      parse_params(s, kind);
      const Token& close = tokens_[pos_ > before ? pos_ - 1 : before];
      s.signature_length = close.offset + 1 - name.offset;
    }
    expect(TokenKind::kBlockEnd, "'%}'");
    std::string end_tag;
    s.body = parse_body(&open, kind, end_tag);
    if (end_tag != "end" + kind) {
      site_.fail(
          end_tag_offset_,
          "unexpected '{% " + end_tag + " %}' in " + kind + " '" + name.value + "'",
          "; it has no matching '{% " +
              (end_tag == "elif" || end_tag == "else" ? std::string("if") : end_tag.substr(3)) +
              " %}'");
    }
    const Token& end = peek();
    expect(TokenKind::kBlockEnd, "'%}'");
    s.length = end.offset + end.length - s.offset;
    return s;
  }

  Stmt parse_output() {
    const Token& open = next();
    Stmt s{Stmt::Kind::kOutput};
    s.offset = open.offset;
    if (peek().kind == TokenKind::kVariableEnd) site_.fail(open.offset, "empty expression '{{ }}'");
    s.expr = parse_tuple_or_expr();
    expect(TokenKind::kVariableEnd, "'}}'");
    return s;
  }

  // expr := or ['if' or ['else' expr]]
  ExprPtr parse_expr() {
    DepthGuard guard(*this, peek().offset);
    ExprPtr value = parse_or();
    if (!is_name("if")) return value;
    const Token& t = next();
    auto e = make(Expr::Kind::kCondition, t.offset);
    e->operands.push_back(std::move(value));
    e->operands.push_back(parse_or());
    if (is_name("else")) {
      next();
      e->operands.push_back(parse_expr());
    } else {
      e->operands.push_back(nullptr);
    }
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, "or", parse_and());
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, "and", parse_not());
    }
    return left;
  }

  ExprPtr parse_not() {
    if (!is_name("not")) return parse_compare();
    const Token& t = next();
    DepthGuard guard(*this, t.offset);
    auto e = make(Expr::Kind::kNot, t.offset);
    e->operands.push_back(parse_not());
    return e;
  }

  // Chained comparisons (a < b < c) become (a < b) and (b < c) without re-evaluating b only
  // in the common two-operand case; longer chains re-evaluate (no side effects in practice).
  ExprPtr parse_compare() {
    ExprPtr left = parse_math1();
    static constexpr std::string_view kOps[] = {"==", "!=", "<", ">", "<=", ">="};
    while (true) {
      std::string op;
      std::size_t offset = peek().offset;
      for (std::string_view candidate : kOps) {
        if (is_operator(candidate)) op = candidate;
      }
      if (!op.empty()) {
        next();
      } else if (is_name("in")) {
        next();
        op = "in";
      } else if (is_name("not") && peek(1).kind == TokenKind::kName && peek(1).value == "in") {
        pos_ += 2;
        op = "not in";
      } else {
        return left;
      }
      left = binary(std::move(left), offset, op, parse_math1());
    }
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_operator("+") || is_operator("-")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, op.value, parse_concat());
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_operator("~")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, "~", parse_math2());
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_operator("*") || is_operator("/") || is_operator("//") || is_operator("%")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, op.value, parse_pow());
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_operator("**")) {
      const Token& op = next();
      left = binary(std::move(left), op.offset, "**", parse_unary(true));
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    ExprPtr e;
    if (is_operator("-") || is_operator("+")) {
      const Token& op = next();
      DepthGuard guard(*this, op.offset);
      ExprPtr operand = parse_unary(false);
      if (op.value == "-") {
        e = make(Expr::Kind::kNegate, op.offset);
        e->operands.push_back(std::move(operand));
      } else {
        e = std::move(operand);
      }
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      if (is_operator("(")) {
        e = parse_call(std::move(e));
      } else if (is_operator(".")) {
        const Token& dot = next();
        const Token& attr = next();
        if (attr.kind == TokenKind::kNumber) {  // tuple.0
          auto item = make(Expr::Kind::kItem, dot.offset);
          item->operands.push_back(std::move(e));
          std::int64_t index = 0;
          auto [end, ec] =
              std::from_chars(attr.value.data(), attr.value.data() + attr.value.size(), index);
          if (ec != std::errc() || end != attr.value.data() + attr.value.size())
            site_.fail(attr.offset, "'" + attr.value + "' is not an index");
          item->operands.push_back(literal(attr, index));
          e = std::move(item);
          continue;
        }
        if (attr.kind != TokenKind::kName) site_.fail(attr.offset, "expected a name after '.'");
        auto a = make(Expr::Kind::kAttribute, attr.offset);
        a->name = attr.value;
        a->operands.push_back(std::move(e));
        e = std::move(a);
      } else if (is_operator("[")) {
        e = parse_subscript(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr subject) {
    const Token& open = next();  // [
    ExprPtr parts[3];
    int colons = 0;
    while (!is_operator("]")) {
      if (is_operator(":")) {
        if (++colons > 2) site_.fail(peek().offset, "too many ':' in a slice");
        next();
        continue;
      }
      if (parts[colons])
        site_.fail(peek().offset, "expected ':' or ']', found " + describe(peek()));
      parts[colons] = parse_expr();
    }
    expect_operator("]");
    if (colons == 0) {
      if (!parts[0]) site_.fail(open.offset, "empty subscript '[]'");
      auto item = make(Expr::Kind::kItem, open.offset);
      item->operands.push_back(std::move(subject));
      item->operands.push_back(std::move(parts[0]));
      return item;
    }
    auto slice = make(Expr::Kind::kSlice, open.offset);
    slice->operands.push_back(std::move(subject));
    for (auto& part : parts) slice->operands.push_back(std::move(part));
    return slice;
  }

  // Filters and tests after a value: x | f(a) | g, x is defined, x is not none.
  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (is_operator("|")) {
        e = parse_filters(std::move(e));
      } else if (is_name("is")) {
        const Token& is = next();
        auto test = make(Expr::Kind::kTest, is.offset);
        if (is_name("not")) {
          next();
          test->negated = true;
        }
        const Token& name = next();
        if (name.kind != TokenKind::kName) {
          site_.fail(name.offset, "expected a test name after 'is', found " + describe(name),
                     "; write 'x is defined', 'x is none', 'x is not string'");
        }
        test->name = name.value;
        test->operands.push_back(std::move(e));
        if (is_operator("(")) {
          next();
          parse_arguments(*test, name.offset);
        } else if (peek().kind == TokenKind::kString || peek().kind == TokenKind::kNumber ||
                   (peek().kind == TokenKind::kName && !is_keyword(peek().value)) ||
                   is_operator("[")) {
          test->operands.push_back(parse_unary(false));
        }
        e = std::move(test);
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_filters(ExprPtr e) {
    while (is_operator("|")) {
      next();
      const Token& name = next();
      if (name.kind != TokenKind::kName) {
        site_.fail(name.offset, "expected a filter name after '|', found " + describe(name));
      }
      auto f = make(Expr::Kind::kFilter, name.offset);
      f->name = name.value;
      f->operands.push_back(std::move(e));
      if (is_operator("(")) {
        next();
        parse_arguments(*f, name.offset);
      }
      e = std::move(f);
    }
    return e;
  }

  // The chain after {% filter %}: names with optional arguments, joined by '|'.
  ExprPtr parse_filter_chain(ExprPtr subject) {
    const Token& name = next();
    if (name.kind != TokenKind::kName) site_.fail(name.offset, "expected a filter name");
    auto f = make(Expr::Kind::kFilter, name.offset);
    f->name = name.value;
    f->operands.push_back(std::move(subject));
    if (is_operator("(")) {
      next();
      parse_arguments(*f, name.offset);
    }
    return parse_filters(std::move(f));
  }

  ExprPtr parse_call(ExprPtr callee) {
    const Token& open = next();  // (
    auto call = make(Expr::Kind::kCall, callee->offset);
    call->callee = std::move(callee);
    parse_arguments(*call, open.offset);
    return call;
  }

  // Arguments up to and including ')': positional, then keyword; *args and **kwargs.
  void parse_arguments(Expr& call, std::size_t open_offset) {
    while (!is_operator(")")) {
      if (is_operator("**")) {
        next();
        call.star_kwargs = parse_expr();
      } else if (is_operator("*")) {
        next();
        call.star_args = parse_expr();
      } else if (peek().kind == TokenKind::kName && peek(1).kind == TokenKind::kOperator &&
                 peek(1).value == "=") {
        std::string key = next().value;
        next();  // =
        call.kwargs.emplace_back(std::move(key), parse_expr());
      } else {
        if (!call.kwargs.empty()) {
          site_.fail(peek().offset, "positional argument after a keyword argument");
        }
        call.operands.push_back(parse_expr());
      }
      if (!is_operator(",")) break;
      next();
    }
    if (!is_operator(")")) {
      site_.fail(peek().offset, "expected ')' to close the call opened",
                 " at " + site_.where(open_offset));
    }
    next();
  }

  ExprPtr parse_primary() {
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::kString: {
        std::string value = t.value;
        while (peek().kind == TokenKind::kString) value += next().value;  // 'a' 'b' -> 'ab'
        return literal(t, value);
      }
      case TokenKind::kNumber:
        return number(t);
      case TokenKind::kName:
        return parse_name(t);
      case TokenKind::kOperator:
        if (t.value == "(") return parse_parenthesized(t);
        if (t.value == "[") return parse_list(t);
        if (t.value == "{") return parse_dict(t);
        break;
      default:
        break;
    }
    site_.fail(t.offset, describe(t) + " where a value was expected");
  }

  ExprPtr number(const Token& t) {
    std::string digits;
    for (char c : t.value) {
      if (c != '_') digits += c;
    }
    bool is_float = digits.find_first_of(".eE") != std::string::npos;
    try {
      if (!is_float) return literal(t, nlohmann::json(std::stoll(digits)));
      return literal(t, nlohmann::json(std::stod(digits)));
    } catch (const std::exception&) {
      site_.fail(t.offset, "number '" + t.value + "' is out of range");
    }
  }

  ExprPtr parse_parenthesized(const Token& open) {
    DepthGuard guard(*this, open.offset);
    if (is_operator(")")) {
      next();
      return make(Expr::Kind::kTuple, open.offset);
    }
    ExprPtr first = parse_expr();
    if (!is_operator(",")) {
      expect_operator(")");
      return first;
    }
    auto tuple = make(Expr::Kind::kTuple, open.offset);
    tuple->operands.push_back(std::move(first));
    while (is_operator(",")) {
      next();
      if (is_operator(")")) break;
      tuple->operands.push_back(parse_expr());
    }
    expect_operator(")");
    return tuple;
  }

  ExprPtr parse_name(const Token& t) {
    if (t.value == "true" || t.value == "True") return literal(t, true);
    if (t.value == "false" || t.value == "False") return literal(t, false);
    if (t.value == "none" || t.value == "None") return literal(t, nullptr);
    return make_name(t.value, t.offset);
  }

  ExprPtr parse_list(const Token& open) {
    DepthGuard guard(*this, open.offset);
    auto e = make(Expr::Kind::kList, open.offset);
    while (!is_operator("]")) {
      e->operands.push_back(parse_expr());
      if (!is_operator(",")) break;
      next();
    }
    expect_operator("]");
    return e;
  }

  ExprPtr parse_dict(const Token& open) {
    DepthGuard guard(*this, open.offset);
    auto e = make(Expr::Kind::kDict, open.offset);
    while (!is_operator("}")) {
      e->operands.push_back(parse_expr());
      expect_operator(":");
      e->operands.push_back(parse_expr());
      if (!is_operator(",")) break;
      next();
    }
    expect_operator("}");
    return e;
  }

  // Helpers.
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool is_name(std::string_view n) const {
    return peek().kind == TokenKind::kName && peek().value == n;
  }
  bool is_operator(std::string_view op) const {
    return peek().kind == TokenKind::kOperator && peek().value == op;
  }
  void expect(TokenKind kind, const std::string& what) {
    if (peek().kind != kind)
      site_.fail(peek().offset, "expected " + what + ", found " + describe(peek()));
    next();
  }
  void expect_operator(std::string_view op) {
    if (!is_operator(op)) {
      site_.fail(peek().offset, "expected '" + std::string(op) + "', found " + describe(peek()));
    }
    next();
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        return "end of file";
      case TokenKind::kVariableEnd:
        return "'}}'";
      case TokenKind::kBlockEnd:
        return "'%}'";
      case TokenKind::kString:
        return "string '" + t.value + "'";
      case TokenKind::kText:
        return "text";
      default:
        return "'" + t.value + "'";
    }
  }
  static ExprPtr make(Expr::Kind kind, std::size_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    return e;
  }
  static ExprPtr make_name(std::string name, std::size_t offset) {
    auto e = make(Expr::Kind::kName, offset);
    e->name = std::move(name);
    return e;
  }
  static ExprPtr literal(const Token& t, nlohmann::json value) {
    auto e = make(Expr::Kind::kLiteral, t.offset);
    e->literal = std::move(value);
    return e;
  }
  static ExprPtr binary(ExprPtr left, std::size_t offset, std::string op, ExprPtr right) {
    auto e = make(Expr::Kind::kBinary, offset);
    e->name = std::move(op);
    e->operands.push_back(std::move(left));
    e->operands.push_back(std::move(right));
    return e;
  }

  const std::vector<Token>& tokens_;
  const ErrorSite& site_;
  TemplateMode mode_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t end_tag_offset_ = 0;    // offset of the tag name that ended the last body
  std::size_t end_block_offset_ = 0;  // offset of that end tag's '{%'
};

}  // namespace

Body parse_template_tokens(const std::vector<Token>& tokens, const ErrorSite& site,
                           TemplateMode mode) {
  return Parser(tokens, site, mode).parse_all();
}

const std::vector<std::string>& template_tags() {
  return kKnownTags;
}

}  // namespace baliza::transform
