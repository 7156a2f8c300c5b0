#include "transform/snapshot_blocks.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace baliza::transform {
namespace {

struct Tag {
  std::size_t begin = std::string::npos;  // "{%"
  std::size_t end = 0;                    // after "%}"
  std::string word;                       // first word inside
  std::string arg;                        // second word (the name)
};

Tag next_tag(const std::string& t, std::size_t from) {
  Tag tag;
  std::size_t open = t.find("{%", from);
  if (open == std::string::npos) return tag;
  std::size_t close = t.find("%}", open + 2);
  if (close == std::string::npos) return tag;
  tag.begin = open;
  tag.end = close + 2;
  std::size_t i = open + 2;
  auto skip = [&] {
    while (i < close && (std::isspace(static_cast<unsigned char>(t[i])) || t[i] == '-')) ++i;
  };
  auto word = [&] {
    std::string w;
    while (i < close && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_'))
      w += t[i++];
    return w;
  };
  skip();
  tag.word = word();
  skip();
  tag.arg = word();
  return tag;
}

int line_of(const std::string& t, std::size_t offset) {
  return 1 + static_cast<int>(std::count(t.begin(), t.begin() + offset, '\n'));
}

}  // namespace

std::vector<SnapshotBlock> find_snapshot_blocks(const std::string& text, const std::string& file) {
  std::vector<SnapshotBlock> out;
  std::size_t at = 0;
  while (true) {
    Tag open = next_tag(text, at);
    if (open.begin == std::string::npos) break;
    at = open.end;
    if (open.word != "snapshot") continue;
    if (open.arg.empty()) {
      throw usage_error(file + ":" + std::to_string(line_of(text, open.begin)) +
                        ": {% snapshot %} needs a name, e.g. {% snapshot orders_snapshot %}");
    }
    Tag close = next_tag(text, at);
    while (close.begin != std::string::npos && close.word != "endsnapshot")
      close = next_tag(text, close.end);
    if (close.begin == std::string::npos) {
      throw usage_error(file + ":" + std::to_string(line_of(text, open.begin)) + ": snapshot '" +
                        open.arg + "' has no {% endsnapshot %}; add it after the SELECT");
    }
    SnapshotBlock b;
    b.name = open.arg;
    b.body = std::string(static_cast<std::size_t>(line_of(text, open.end) - 1), '\n') +
             text.substr(open.end, close.begin - open.end);
    out.push_back(std::move(b));
    at = close.end;
  }
  return out;
}

}  // namespace baliza::transform
