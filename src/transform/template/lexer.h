// Template lexer: splits a SQL template into text runs, `{{ }}` / `{% %}` delimiters and the
// expression tokens between them. `{# comments #}` are dropped here, and whitespace control
// (`{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}`) is applied by trimming the adjacent text runs.
// Internal to the template engine (template.h is the public face).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "transform/source_pos.h"

namespace baliza::transform {

enum class TokenKind {
  kText,           // literal text: offset/length into the source
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,           // identifier or keyword (if, not, and, or, true, ...)
  kString,         // quoted string; `value` holds the unescaped contents
  kNumber,         // integer or decimal literal
  kOperator,       // ( ) [ ] { } , : . = | ~ + - * / % == != < > <= >=
  kEnd,            // end of input
};

struct Token {
  TokenKind kind;
  std::size_t offset;  // byte offset in the source (start of the token)
  std::size_t length;  // bytes in the source
  std::string value;   // name, operator or unescaped string; empty for text
};

// Where errors point: the file name and its line index. fail() throws a usage_error reading
// "<what> at <file>:<line>:<column><hint>", where a hint starts with "; " (e.g. "; did you mean").
class ErrorSite {
 public:
  ErrorSite(std::string_view file, std::string_view source) : file_(file), lines_(source) {}
  SourcePos pos(std::size_t offset) const { return lines_.at(offset); }
  std::string where(std::size_t offset) const { return format_pos(file_, pos(offset)); }
  [[noreturn]] void fail(std::size_t offset, const std::string& what,
                         const std::string& hint = "") const;
  std::string_view file() const { return file_; }

 private:
  std::string_view file_;
  LineIndex lines_;
};

// Tokenizes the whole source; throws usage_error on unclosed delimiters or bad characters.
std::vector<Token> tokenize_template(std::string_view source, const ErrorSite& site);

}  // namespace baliza::transform
