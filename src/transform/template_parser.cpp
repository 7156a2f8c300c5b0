#include "transform/template_parser.h"

#include <string_view>

#include "transform/text_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kKnownTags = {"if",  "elif",  "else",    "endif",
                                             "set", "macro", "endmacro"};

bool is_end_tag(const std::string& tag) {
  return tag == "elif" || tag == "else" || tag == "endif" || tag == "endmacro";
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const ErrorSite& site, TemplateMode mode)
      : tokens_(tokens), site_(site), mode_(mode) {}

  Body parse_all() {
    std::string end_tag;
    Body body = parse_body(nullptr, "", end_tag);
    return body;
  }

 private:
  // Parses statements until EOF or one of the end tags (which is then consumed and named in
  // end_tag). `opener` is the enclosing block and `block` its tag, for "unclosed" messages.
  Body parse_body(const Token* opener, std::string_view block, std::string& end_tag) {
    Body body;
    while (true) {
      const Token& t = peek();
      if (t.kind == TokenKind::kEnd) {
        if (opener != nullptr) {
          std::string closer = block == "macro" ? "endmacro" : "endif";
          site_.fail(opener->offset, "unclosed '{% " + std::string(block) + " %}'",
                     "; add '{% " + closer + " %}'");
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
        if (tag.value == "if") {
          body.push_back(parse_if());
        } else if (tag.value == "set") {
          body.push_back(parse_set());
        } else if (tag.value == "macro") {
          body.push_back(parse_macro(opener == nullptr));
        } else if (is_end_tag(tag.value)) {
          if (opener == nullptr) {
            std::string block_of = tag.value == "endmacro" ? "macro" : "if";
            site_.fail(tag.offset, "unexpected '{% " + tag.value + " %}'",
                       "; it has no matching '{% " + block_of + " %}'");
          }
          end_tag = tag.value;
          end_tag_offset_ = tag.offset;
          pos_ += 2;
          return body;
        } else {
          site_.fail(tag.offset, "unknown tag '" + tag.value + "'",
                     did_you_mean(tag.value, kKnownTags) +
                         " (supported tags: " + join(kKnownTags, ", ") + ")");
        }
      } else {
        site_.fail(t.offset, "unexpected token");
      }
    }
  }

  // {% set name = expr %}
  Stmt parse_set() {
    const Token& open = next();  // {%
    next();                      // set
    Stmt s{Stmt::Kind::kSet};
    s.offset = open.offset;
    const Token& name = next();
    if (name.kind != TokenKind::kName) {
      site_.fail(name.offset, "expected a variable name after 'set'", "; write {% set x = 1 %}");
    }
    s.name = name.value;
    if (!is_operator("=")) {
      site_.fail(peek().offset,
                 "expected '=' after 'set " + s.name + "', found " + describe(peek()),
                 "; write {% set " + s.name + " = ... %}");
    }
    next();
    s.expr = parse_expr();
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // {% macro name(a, b='default') %} body {% endmacro %}
  Stmt parse_macro(bool top_level) {
    const Token& open = next();  // {%
    const Token& keyword = next();
    const Token& name = next();
    if (name.kind != TokenKind::kName) {
      site_.fail(name.offset, "expected a macro name after 'macro'",
                 "; write {% macro name(arg) %} ... {% endmacro %}");
    }
    if (mode_ == TemplateMode::kModel) {
      site_.fail(keyword.offset, "macro '" + name.value + "' is defined in a model or test file",
                 "; move it to a .sql file under macros/ (the project's macro-paths) and call it "
                 "from here");
    }
    if (!top_level) {
      site_.fail(keyword.offset, "macro '" + name.value + "' is defined inside another block",
                 "; define macros at the top level of the file, one after the other");
    }
    Stmt s{Stmt::Kind::kMacro};
    s.offset = open.offset;
    s.name = name.value;
    s.name_offset = name.offset;
    if (!is_operator("(")) {
      site_.fail(peek().offset, "expected '(' after macro name '" + s.name + "'",
                 "; write {% macro " + s.name + "() %} for a macro without arguments");
    }
    next();
    while (!is_operator(")")) {
      const Token& param = next();
      if (param.kind != TokenKind::kName) {
        site_.fail(param.offset, "expected an argument name, found " + describe(param));
      }
      for (const MacroParam& p : s.params) {
        if (p.name == param.value) {
          site_.fail(param.offset,
                     "argument '" + param.value + "' appears twice in macro '" + s.name + "'");
        }
      }
      MacroParam p{param.value, nullptr};
      if (is_operator("=")) {
        next();
        p.default_value = parse_expr();
      } else if (!s.params.empty() && s.params.back().default_value) {
        site_.fail(
            param.offset,
            "argument '" + param.value + "' without a default follows one " + "with a default",
            "; put arguments with defaults last");
      }
      s.params.push_back(std::move(p));
      if (!is_operator(",")) break;
      next();
    }
    const Token& close = peek();
    expect_operator(")");
    s.signature_length = close.offset + 1 - name.offset;
    expect(TokenKind::kBlockEnd, "'%}'");
    std::string end_tag;
    s.body = parse_body(&open, "macro", end_tag);
    if (end_tag != "endmacro") {
      site_.fail(end_tag_offset_, "unexpected '{% " + end_tag + " %}' in macro '" + s.name + "'",
                 "; it has no matching '{% if %}'");
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
    s.expr = parse_expr();
    expect(TokenKind::kVariableEnd, "'}}'");
    return s;
  }

  Stmt parse_if() {
    const Token& open = next();     // {%
    const Token& keyword = next();  // if
    (void)keyword;
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
      if (end_tag != "endif") {
        site_.fail(end_tag_offset_, "'{% " + end_tag + " %}' after '{% else %}'",
                   "; close the if with '{% endif %}'");
      }
      s.branches.push_back(std::move(branch));
    }
    if (end_tag != "endif") {
      site_.fail(end_tag_offset_, "unexpected '{% " + end_tag + " %}' inside '{% if %}'",
                 "; close the if with '{% endif %}' first");
    }
    expect(TokenKind::kBlockEnd, "'%}'");
    return s;
  }

  // expr := or ; or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | compare
  ExprPtr parse_expr() { return parse_or(); }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const Token& op = next();
      left = binary(std::move(left), op, parse_and());
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const Token& op = next();
      left = binary(std::move(left), op, parse_not());
    }
    return left;
  }

  ExprPtr parse_not() {
    if (!is_name("not")) return parse_compare();
    const Token& t = next();
    auto e = make(Expr::Kind::kNot, t.offset);
    e->operands.push_back(parse_not());
    return e;
  }

  ExprPtr parse_compare() {
    ExprPtr left = parse_concat();
    static constexpr std::string_view kOps[] = {"==", "!=", "<", ">", "<=", ">="};
    for (std::string_view op : kOps) {
      if (is_operator(op)) {
        const Token& token = next();
        return binary(std::move(left), token, parse_concat());
      }
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_postfix();
    while (is_operator("~") || is_operator("+")) {
      const Token& op = next();
      left = binary(std::move(left), op, parse_postfix());
    }
    return left;
  }

  ExprPtr parse_postfix() {
    ExprPtr e = parse_primary();
    while (true) {
      if (is_operator("(")) {
        e = parse_call(std::move(e));
      } else if (is_operator(".")) {
        const Token& dot = next();
        const Token& attr = next();
        if (attr.kind != TokenKind::kName) site_.fail(attr.offset, "expected a name after '.'");
        auto a = make(Expr::Kind::kAttribute, dot.offset);
        a->name = attr.value;
        a->operands.push_back(std::move(e));
        e = std::move(a);
      } else if (is_operator("|")) {
        site_.fail(peek().offset, "filters ('|') are not supported yet",
                   "; compute the value in SQL instead");
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_call(ExprPtr callee) {
    const Token& open = next();  // (
    auto call = make(Expr::Kind::kCall, callee->offset);
    call->callee = std::move(callee);
    while (!is_operator(")")) {
      if (peek().kind == TokenKind::kName && peek(1).kind == TokenKind::kOperator &&
          peek(1).value == "=") {
        std::string key = next().value;
        next();  // =
        call->kwargs.emplace_back(std::move(key), parse_expr());
      } else {
        if (!call->kwargs.empty()) {
          site_.fail(peek().offset, "positional argument after a keyword argument");
        }
        call->operands.push_back(parse_expr());
      }
      if (!is_operator(",")) break;
      next();
    }
    if (!is_operator(")")) {
      site_.fail(peek().offset, "expected ')' to close the call opened",
                 " at " + site_.where(open.offset));
    }
    next();
    return call;
  }

  ExprPtr parse_primary() {
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::kString:
        return literal(t, t.value);
      case TokenKind::kNumber:
        return literal(t, t.value.find('.') == std::string::npos
                              ? nlohmann::json(std::stoll(t.value))
                              : nlohmann::json(std::stod(t.value)));
      case TokenKind::kName:
        return parse_name(t);
      case TokenKind::kOperator:
        if (t.value == "(") {
          ExprPtr inner = parse_expr();
          expect_operator(")");
          return inner;
        }
        if (t.value == "[") return parse_list(t);
        if (t.value == "{") return parse_dict(t);
        break;
      default:
        break;
    }
    site_.fail(t.offset, describe(t) + " where a value was expected");
  }

  ExprPtr parse_name(const Token& t) {
    if (t.value == "true" || t.value == "True") return literal(t, true);
    if (t.value == "false" || t.value == "False") return literal(t, false);
    if (t.value == "none" || t.value == "None") return literal(t, nullptr);
    auto e = make(Expr::Kind::kName, t.offset);
    e->name = t.value;
    return e;
  }

  ExprPtr parse_list(const Token& open) {
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
  static ExprPtr literal(const Token& t, nlohmann::json value) {
    auto e = make(Expr::Kind::kLiteral, t.offset);
    e->literal = std::move(value);
    return e;
  }
  static ExprPtr binary(ExprPtr left, const Token& op, ExprPtr right) {
    auto e = make(Expr::Kind::kBinary, op.offset);
    e->name = op.value;
    e->operands.push_back(std::move(left));
    e->operands.push_back(std::move(right));
    return e;
  }

  const std::vector<Token>& tokens_;
  const ErrorSite& site_;
  TemplateMode mode_;
  std::size_t pos_ = 0;
  std::size_t end_tag_offset_ = 0;  // offset of the tag name that ended the last body
};

}  // namespace

Body parse_template_tokens(const std::vector<Token>& tokens, const ErrorSite& site,
                           TemplateMode mode) {
  return Parser(tokens, site, mode).parse_all();
}

}  // namespace baliza::transform
