#include "transform/template/lexer.h"

#include "core/error.h"

namespace baliza::transform {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

class Lexer {
 public:
  Lexer(std::string_view source, const ErrorSite& site) : src_(source), site_(site) {
    tokens_.reserve(source.size() / 16 + 8);
  }

  std::vector<Token> run() {
    std::size_t pos = 0;
    while (pos < src_.size()) {
      std::size_t open = find_opener(pos);
      if (open == std::string_view::npos) {
        emit_text(pos, src_.size());
        break;
      }
      bool strip_before = open + 2 < src_.size() && src_[open + 2] == '-';
      std::size_t text_end = open;
      if (strip_before) {
        while (text_end > pos && is_space(src_[text_end - 1])) --text_end;
      }
      emit_text(pos, text_end);
      pos = lex_tag(open, strip_before ? open + 3 : open + 2);
    }
    tokens_.push_back(Token{TokenKind::kEnd, src_.size(), 0, {}});
    return std::move(tokens_);
  }

 private:
  // Next "{{", "{%" or "{#" at or after pos.
  std::size_t find_opener(std::size_t pos) const {
    while (true) {
      pos = src_.find('{', pos);
      if (pos == std::string_view::npos || pos + 1 >= src_.size()) return std::string_view::npos;
      char next = src_[pos + 1];
      if (next == '{' || next == '%' || next == '#') return pos;
      ++pos;
    }
  }

  void emit_text(std::size_t begin, std::size_t end) {
    if (strip_next_) {
      while (begin < end && is_space(src_[begin])) ++begin;
      strip_next_ = false;
    }
    if (end > begin) tokens_.push_back(Token{TokenKind::kText, begin, end - begin, {}});
  }

  // Lexes one tag opened at `open`; body starts at `pos`. Returns the offset after the tag.
  std::size_t lex_tag(std::size_t open, std::size_t pos) {
    char kind = src_[open + 1];
    if (kind == '#') return lex_comment(open, pos);
    bool variable = kind == '{';
    if (!variable) {
      if (std::size_t after = raw_block(open, pos); after != 0) return after;
    }
    tokens_.push_back(
        Token{variable ? TokenKind::kVariableBegin : TokenKind::kBlockBegin, open, pos - open, {}});
    int brace_depth = 0;
    while (true) {
      while (pos < src_.size() && is_space(src_[pos])) ++pos;
      if (pos >= src_.size()) {
        site_.fail(open, std::string("unclosed '") + (variable ? "{{" : "{%") + "'",
                   std::string("; add '") + (variable ? "}}" : "%}") + "' to close it");
      }
      std::size_t close = closer_at(pos, variable, brace_depth);
      if (close != 0) return finish_tag(pos, close, variable);
      if (!variable && src_.compare(pos, 2, "}}") == 0 && brace_depth == 0) {
        site_.fail(pos, "found '}}' where '%}' was expected",
                   "; the '{%' opened at " + site_.where(open) + " must end with '%}'");
      }
      pos = lex_expression_token(pos, brace_depth);
    }
  }

  // `{% raw %}...{% endraw %}`: the contents become one text token. Returns the offset after
  // the endraw tag, or 0 when the tag at `open` is not `raw`.
  std::size_t raw_block(std::size_t open, std::size_t pos) {
    std::size_t p = pos;
    while (p < src_.size() && is_space(src_[p])) ++p;
    if (src_.compare(p, 3, "raw") != 0) return 0;
    p += 3;
    while (p < src_.size() && is_space(src_[p])) ++p;
    bool strip_inside = src_.compare(p, 3, "-%}") == 0;
    if (!strip_inside && src_.compare(p, 2, "%}") != 0) return 0;
    std::size_t content = p + (strip_inside ? 3 : 2);
    std::size_t search = content;
    while (true) {
      std::size_t end_open = src_.find("{%", search);
      if (end_open == std::string_view::npos) {
        site_.fail(open, "unclosed '{% raw %}'", "; add '{% endraw %}'");
      }
      std::size_t q = end_open + 2;
      bool strip_before = q < src_.size() && src_[q] == '-';
      if (strip_before) ++q;
      while (q < src_.size() && is_space(src_[q])) ++q;
      if (src_.compare(q, 6, "endraw") != 0) {
        search = end_open + 2;
        continue;
      }
      q += 6;
      while (q < src_.size() && is_space(src_[q])) ++q;
      bool strip_after = src_.compare(q, 3, "-%}") == 0;
      if (!strip_after && src_.compare(q, 2, "%}") != 0) {
        search = end_open + 2;
        continue;
      }
      std::size_t begin = content;
      std::size_t end = end_open;
      if (strip_inside) {
        while (begin < end && is_space(src_[begin])) ++begin;
      }
      if (strip_before) {
        while (end > begin && is_space(src_[end - 1])) --end;
      }
      if (end > begin) tokens_.push_back(Token{TokenKind::kText, begin, end - begin, {}});
      strip_next_ = strip_after;
      return q + (strip_after ? 3 : 2);
    }
  }

  // Length of the closing delimiter at pos ("-}}", "}}", "-%}", "%}"), or 0 if none.
  std::size_t closer_at(std::size_t pos, bool variable, int brace_depth) const {
    std::string_view rest = src_.substr(pos);
    std::string_view close = variable ? "}}" : "%}";
    if (variable && brace_depth > 0) return 0;
    if (rest.substr(0, 2) == close) return 2;
    if (rest.size() >= 3 && rest[0] == '-' && rest.substr(1, 2) == close) return 3;
    return 0;
  }

  std::size_t finish_tag(std::size_t pos, std::size_t close_length, bool variable) {
    tokens_.push_back(
        Token{variable ? TokenKind::kVariableEnd : TokenKind::kBlockEnd, pos, close_length, {}});
    strip_next_ = close_length == 3;
    return pos + close_length;
  }

  std::size_t lex_comment(std::size_t open, std::size_t pos) {
    std::size_t close = src_.find("#}", pos);
    if (close == std::string_view::npos) {
      site_.fail(open, "unclosed comment '{#'", "; add '#}' to close it");
    }
    // The comment itself produces no token; `-#}` still strips the following text.
    strip_next_ = close > pos && src_[close - 1] == '-';
    return close + 2;
  }

  std::size_t lex_expression_token(std::size_t pos, int& brace_depth) {
    char c = src_[pos];
    if (is_name_start(c)) {
      std::size_t end = pos + 1;
      while (end < src_.size() && is_name_char(src_[end])) ++end;
      push(TokenKind::kName, pos, end, std::string(src_.substr(pos, end - pos)));
      return end;
    }
    if (is_digit(c)) {
      std::size_t end = pos + 1;
      while (end < src_.size() && (is_digit(src_[end]) || src_[end] == '_')) ++end;
      if (end + 1 < src_.size() && src_[end] == '.' && is_digit(src_[end + 1])) {
        end += 2;
        while (end < src_.size() && is_digit(src_[end])) ++end;
      }
      if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
        std::size_t e = end + 1;
        if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
        if (e < src_.size() && is_digit(src_[e])) {
          end = e;
          while (end < src_.size() && is_digit(src_[end])) ++end;
        }
      }
      push(TokenKind::kNumber, pos, end, std::string(src_.substr(pos, end - pos)));
      return end;
    }
    if (c == '\'' || c == '"') return lex_string(pos);
    return lex_operator(pos, brace_depth);
  }

  std::size_t lex_string(std::size_t pos) {
    char quote = src_[pos];
    std::string value;
    std::size_t i = pos + 1;
    for (; i < src_.size() && src_[i] != quote; ++i) {
      if (src_[i] == '\\' && i + 1 < src_.size()) {
        char e = src_[++i];
        switch (e) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case 'r':
            value += '\r';
            break;
          case '\\':
          case '\'':
          case '"':
            value += e;
            break;
          case '\n':
            break;  // a backslash-newline continues the string
          default:
            value += '\\';  // as Python: unknown escapes keep their backslash
            value += e;
        }
      } else {
        value += src_[i];
      }
    }
    if (i >= src_.size())
      site_.fail(pos, "unterminated string", std::string("; add the closing ") + quote);
    push(TokenKind::kString, pos, i + 1, std::move(value));
    return i + 1;
  }

  std::size_t lex_operator(std::size_t pos, int& brace_depth) {
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "**", "//"};
    for (std::string_view op : kTwo) {
      if (src_.compare(pos, 2, op) == 0) {
        push(TokenKind::kOperator, pos, pos + 2, std::string(op));
        return pos + 2;
      }
    }
    char c = src_[pos];
    static constexpr std::string_view kOne = "()[]{},:.=|~+-*/%<>";
    if (kOne.find(c) == std::string_view::npos) {
      site_.fail(pos, std::string("unexpected character '") + c + "' inside a template tag");
    }
    if (c == '{') ++brace_depth;
    if (c == '}') --brace_depth;
    push(TokenKind::kOperator, pos, pos + 1, std::string(1, c));
    return pos + 1;
  }

  void push(TokenKind kind, std::size_t begin, std::size_t end, std::string value) {
    tokens_.push_back(Token{kind, begin, end - begin, std::move(value)});
  }

  std::string_view src_;
  const ErrorSite& site_;
  std::vector<Token> tokens_;
  bool strip_next_ = false;
};

}  // namespace

void ErrorSite::fail(std::size_t offset, const std::string& what, const std::string& hint) const {
  throw usage_error(what + " at " + where(offset) + hint);
}

std::vector<Token> tokenize_template(std::string_view source, const ErrorSite& site) {
  return Lexer(source, site).run();
}

}  // namespace baliza::transform
