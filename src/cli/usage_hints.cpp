#include "cli/usage_hints.h"

#include <CLI/CLI.hpp>

#include "transform/text_util.h"

namespace baliza::cli {
namespace {

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> out;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (!sub->get_name().empty()) out.push_back(sub->get_name());
    for (const std::string& a : sub->get_aliases()) out.push_back(a);
  }
  return out;
}

CLI::App* find_sub(CLI::App& app, const std::string& word) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->check_name(word)) return sub;
  }
  return nullptr;
}

// The option named by `flag` ("--x", "--x=v", "-x") on `app` or its parents.
const CLI::Option* find_option(CLI::App* app, const std::string& flag) {
  std::string name = flag.substr(0, flag.find('='));
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->check_name(name)) return o;
    }
  }
  return nullptr;
}

std::vector<std::string> flag_names(CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options()) {
    for (const std::string& l : o->get_lnames()) out.push_back("--" + l);
  }
  return out;
}

std::string path_of(CLI::App* app) {
  std::string out;
  for (CLI::App* a = app; a != nullptr && a->get_parent() != nullptr; a = a->get_parent())
    out = a->get_name() + (out.empty() ? "" : " " + out);
  return out;
}

// Walks argv down the command tree; calls `visit(app, index)` for each word, stopping when it
// returns false. Option values (the word after an option that takes one) are skipped.
template <typename Visit>
void walk(CLI::App& root, int argc, char** argv, Visit visit) {
  CLI::App* app = &root;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") return;
    if (!word.empty() && word[0] == '-') {
      const CLI::Option* o = find_option(app, word);
      // A flag (-q, --full-refresh) takes no value: CLI11 says so by items, not type size.
      if (o != nullptr && o->get_items_expected_max() != 0 && word.find('=') == std::string::npos) {
        // Its value; a list option (-s a b) takes every following word up to the next flag.
        int values = o->get_items_expected_max() > 1 ? argc : 1;
        while (values-- > 0 && i + 1 < argc && argv[i + 1][0] != '-') ++i;
      }
      if (!visit(app, word, true)) return;
      continue;
    }
    if (!visit(app, word, false)) return;
    CLI::App* sub = find_sub(*app, word);
    if (sub == nullptr) return;
    app = sub;
  }
}

}  // namespace

std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  std::optional<std::string> message;
  walk(app, argc, argv, [&](CLI::App* at, const std::string& word, bool is_flag) {
    if (is_flag) return word != "--help" && word != "-h";
    std::vector<std::string> names = command_names(*at);
    if (names.empty()) return false;  // a positional argument of a leaf command
    if (find_sub(*at, word) != nullptr) return true;
    std::string where = path_of(at);
    message = "unknown command '" + (where.empty() ? "" : where + " ") + word + "'" +
              transform::did_you_mean(word, names) + "; commands: " + transform::join(names, ", ") +
              " (see `baliza " + (where.empty() ? "" : where + " ") + "--help`)";
    return false;
  });
  return message;
}

std::optional<std::string> unknown_flag(CLI::App& app, int argc, char** argv) {
  std::optional<std::string> message;
  walk(app, argc, argv, [&](CLI::App* at, const std::string& word, bool is_flag) {
    if (!is_flag || word == "--help" || word == "-h" || word == "--version") return true;
    if (find_option(at, word) != nullptr) return true;
    std::string name = word.substr(0, word.find('='));
    std::vector<std::string> names;
    for (CLI::App* a = at; a != nullptr; a = a->get_parent()) {
      auto more = flag_names(a);
      names.insert(names.end(), more.begin(), more.end());
    }
    std::string where = path_of(at);
    message = "unknown flag " + name + " for `baliza" + (where.empty() ? "" : " " + where) + "`" +
              transform::did_you_mean(name, names) + " (see `baliza " +
              (where.empty() ? "" : where + " ") + "--help`)";
    return false;
  });
  return message;
}

}  // namespace baliza::cli
