// Jinja semantics: every case of data/jinja_cases.json renders exactly as the real Jinja2
// rendered it (the expected outputs were computed by Jinja2 itself; see jinja_cases.py).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "transform/template.h"

namespace baliza::transform {
namespace {

nlohmann::json load_cases() {
  std::ifstream in(std::string(BALIZA_SOURCE_DIR) + "/tests/unit/transform/data/jinja_cases.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

std::string render(const std::string& text) {
  RenderContext ctx;
  return Template::parse(text, "models/case.sql").render(ctx);
}

TEST(TemplateJinja, EveryCaseRendersAsJinja2Does) {
  nlohmann::json cases = load_cases();
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    const std::string name = c["name"];
    try {
      EXPECT_EQ(render(c["template"]), c["expected"].get<std::string>()) << "case " << name;
    } catch (const Error& e) {
      ADD_FAILURE() << "case " << name << " threw: " << e.what();
    }
  }
}

}  // namespace
}  // namespace baliza::transform
