// Hostile templates end with a usage error naming file:line:column, never a hang, an
// out-of-memory, a crash, undefined behaviour or an exception other than baliza::Error. Each
// case is a finding of the template fuzz target (tests/fuzz/template_fuzz.cpp, scripts/fuzz).
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "transform/template.h"

namespace baliza::transform {
namespace {

std::string render(const std::string& text) {
  RenderContext ctx;
  return Template::parse(text, "models/hostile.sql").render(ctx);
}

// The usage error's message; fails the test when the template renders or throws anything else.
std::string error_of(const std::string& text) {
  try {
    std::string out = render(text);
    ADD_FAILURE() << "rendered (" << out.size() << " bytes): " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(TemplateLimits, AListThatContainsItselfIsUsableAndNotLeaked) {
  // Under ASan the leak checker proves the cycle is freed when the render ends.
  EXPECT_EQ(render("{% set xs = [1] %}{% do xs.append(xs) %}{{ xs | length }}"), "2");
  EXPECT_EQ(render("{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns.a }}"), "1");
  EXPECT_EQ(render("{% set xs = [] %}{% do xs.append(xs.append) %}{{ xs | length }}"), "1");
  // Printing, comparing or writing it as JSON would recurse forever: an error instead.
  std::string printed = error_of("{% set xs = [1] %}{% do xs.append(xs) %}{{ xs }}");
  EXPECT_TRUE(contains(printed, "contains itself")) << printed;
  std::string json = error_of("{% set xs = [1] %}{% do xs.append(xs) %}{{ xs | tojson }}");
  EXPECT_TRUE(contains(json, "contains itself")) << json;
  EXPECT_EQ(render("{% set xs = [1] %}{% do xs.append(xs) %}{{ xs == xs }}"), "True");
}

TEST(TemplateLimits, ADoublingStringStopsAtTheSizeLimit) {
  std::string e = error_of(
      "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
      "{% set ns.s = ns.s ~ ns.s %}{% endfor %}");
  EXPECT_TRUE(contains(e, "a string longer than 64 MiB at models/hostile.sql:1:")) << e;
}

TEST(TemplateLimits, RepetitionCountsThatOverflowAreErrors) {
  // n * size wrapped around 64 bits and passed the check, then the loop ran 2^62 times.
  std::string s = error_of("{{ 'abcd' * 4611686018427387904 }}");
  EXPECT_TRUE(contains(s, "string repetition too large at models/hostile.sql:1:")) << s;
  std::string l = error_of("{{ [1, 2, 3, 4] * 4611686018427387904 }}");
  EXPECT_TRUE(contains(l, "list repetition too large")) << l;
  std::string big = error_of("{% set s = 'x' * 1000000 %}{{ ([s] * 100) | length }}");
  EXPECT_TRUE(contains(big, "list repetition too large")) << big;
  EXPECT_EQ(render("{{ 'ab' * 3 }}{{ ([1] * 3) | length }}"), "ababab3");
}

TEST(TemplateLimits, RangeNearTheIntegerLimitDoesNotOverflow) {
  EXPECT_EQ(render("{{ range(9223372036854775800, 9223372036854775807, 5) | list }}"),
            "[9223372036854775800, 9223372036854775805]");
  EXPECT_EQ(render("{{ range(-9223372036854775801, -9223372036854775807, -4) | list }}"),
            "[-9223372036854775801, -9223372036854775805]");
}

TEST(TemplateLimits, LoopsStopAtTheIterationLimit) {
  std::string e =
      error_of("{% for i in range(1001) %}{% for j in range(1000) %}{% endfor %}{% endfor %}");
  EXPECT_TRUE(contains(e, "loops ran more than 1000000 iterations")) << e;
  std::string r = error_of("{{ range(10000000) | length }}");
  EXPECT_TRUE(contains(r, "iterations at models/hostile.sql:1:")) << r;
}

TEST(TemplateLimits, ALoopRereadingALongStringStopsAtTheWorkLimit) {
  // Each read of `s` copies 48 MiB: 30 of them are more than the 1 GiB a render may do.
  std::string e =
      error_of("{% set s = 'x' * 50000000 %}{% for i in range(30) %}{% set t = s %}{% endfor %}");
  EXPECT_TRUE(contains(e, "MiB of work")) << e;
}

TEST(TemplateLimits, HugeNumbersInIndexesAndFieldsAreUsageErrors) {
  // std::stoul / std::stoll threw std::out_of_range, which reached the user without file:line.
  std::string f = error_of("{{ '{99999999999999999999}'.format(1) }}");
  EXPECT_TRUE(contains(f, "no value for field")) << f;
  std::string t = error_of("{% set t = (1, 2) %}{{ t.99999999999999999999 }}");
  EXPECT_TRUE(contains(t, "is not an index at models/hostile.sql:1:")) << t;
  try {  // no such item: whatever it renders, only a baliza::Error may come out
    (void)render("{{ [[1, 2]] | map(attribute='99999999999999999999') | list }}");
  } catch (const Error&) {
  }
  EXPECT_EQ(render("{% set t = (1, 2) %}{{ t.1 }}"), "2");
}

TEST(TemplateLimits, ZfillIsLinearAndBounded) {
  EXPECT_EQ(render("{{ '7'.zfill(4) }} {{ '-7'.zfill(4) }} {{ 'abc'.zfill(2) }}"), "0007 -007 abc");
  std::string e = error_of("{{ '7'.zfill(9223372036854775807) }}");
  EXPECT_TRUE(contains(e, "a string longer than 64 MiB")) << e;
}

TEST(TemplateLimits, ReplaceJoinIndentAndFormatStopAtTheSizeLimit) {
  std::string r = error_of("{% set s = 'x' * 1000000 %}{{ s | replace('x', s) }}");
  EXPECT_TRUE(contains(r, "a string longer than 64 MiB")) << r;
  std::string i = error_of("{% set pad = 'y' * 1000000 %}{{ ('a\n' * 100) | indent(pad) }}");
  EXPECT_TRUE(contains(i, "a string longer than 64 MiB")) << i;
  std::string p = error_of(
      "{% set s = 'z' * 2000000 %}{% set xs = [] %}{% for i in range(40) %}{% do xs.append(s) %}"
      "{% endfor %}{{ ('%s' * 40) % xs }}");
  EXPECT_TRUE(contains(p, "a string longer than 64 MiB")) << p;
}

}  // namespace
}  // namespace baliza::transform
