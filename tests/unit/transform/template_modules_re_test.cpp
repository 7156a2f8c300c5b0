// modules.re and native rendering: expected values are what Python's re and ast.literal_eval
// give for the same inputs (computed with Python 3 when the cases were written).
#include <gtest/gtest.h>

#include "core/error.h"
#include "transform/python_literal.h"
#include "transform/template.h"

namespace baliza::transform {
namespace {

std::string render(const std::string& text) {
  RenderContext ctx;
  return Template::parse(text, "models/re.sql").render(ctx);
}

TEST(TemplateModulesRe, FunctionsGivePythonsResults) {
  EXPECT_EQ(render("{{ modules.re.sub('[^a-z0-9_]+', '', 'hello world-2') }}"), "helloworld2");
  EXPECT_EQ(render("{{ modules.re.sub('(\\\\w+)@(\\\\w+)', '\\\\2 at \\\\1', 'ana@x bia@y') }}"),
            "x at ana y at bia");
  EXPECT_EQ(render("{{ modules.re.sub('a', 'b', 'aaa', count=2) }}"), "bba");
  EXPECT_EQ(render("{{ modules.re.findall('(\\\\w)=(\\\\d)', 'a=1 b=2') }}"),
            "[('a', '1'), ('b', '2')]");
  EXPECT_EQ(render("{{ modules.re.findall('\\\\d+', 'x12y345') }}"), "['12', '345']");
  EXPECT_EQ(render("{{ modules.re.split('[,;]\\\\s*', 'a, b;c') }}"), "['a', 'b', 'c']");
  EXPECT_EQ(render("{{ modules.re.escape('a.b*c') }}"), "a\\.b\\*c");
  EXPECT_EQ(
      render("{% set m = modules.re.search('(?i)FROM\\\\s+(\\\\w+)', 'select * from orders') %}"
             "{{ m.group(1) }} {{ m.start() }} {{ m.end() }}"),
      "orders 9 20");
  EXPECT_EQ(render("{{ modules.re.match('b', 'abc') }}"), "None");
  EXPECT_EQ(render("{% set p = modules.re.compile('x+', modules.re.I) %}{{ p.sub('-', 'aXxb') }}"),
            "a-b");
}

TEST(TemplateModulesRe, AnUnsupportedPatternNamesThePlace) {
  try {
    render("{{ modules.re.sub('(?<=a)b', '', 'ab') }}");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("modules.re: pattern '(?<=a)b' is not supported"), 0u)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("models/re.sql:1:"), std::string::npos) << e.what();
  }
}

// std::regex recurses per character: a long text is an error, not a stack overflow.
TEST(TemplateModulesRe, ALongTextIsRefusedClearly) {
  try {
    render("{{ modules.re.sub('(a|b)*', '', 'ab' * 5000) }}");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a string of 10000 bytes is longer than 2000"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(render("{{ modules.re.sub('(a|b)*', '', 'ab' * 1000) | length }}"), "0");
}

TEST(PythonLiteral, ReadsWhatPythonPrints) {
  EXPECT_EQ(*parse_python_literal("['SE', 'NO']"), nlohmann::json::parse(R"(["SE","NO"])"));
  EXPECT_EQ(*parse_python_literal(" {'a': (1, 2.5), 'b': [None, True]} "),
            nlohmann::json::parse(R"({"a":[1,2.5],"b":[null,true]})"));
  EXPECT_EQ(*parse_python_literal("'it\\'s'"), nlohmann::json("it's"));
  EXPECT_EQ(*parse_python_literal("[1, -2, 3e2,]"), nlohmann::json::parse("[1,-2,300.0]"));
  EXPECT_FALSE(parse_python_literal("['a', b]").has_value());
  EXPECT_FALSE(parse_python_literal("select 1").has_value());
  EXPECT_FALSE(parse_python_literal("[1] x").has_value());
  EXPECT_FALSE(parse_python_literal(std::string(200, '[')).has_value());
}

}  // namespace
}  // namespace baliza::transform
