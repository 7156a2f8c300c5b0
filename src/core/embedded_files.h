// Files of the built-in projects (projects/** in the source tree), compiled into the binary
// by cmake/embed_projects.cmake so that `baliza run` needs no project directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace baliza {

struct EmbeddedFile {
  std::string path;          // relative to projects/, e.g. "pncp/endpoints.yaml"
  std::string_view content;  // the file's bytes
};

// Every embedded file, sorted by path.
const std::vector<EmbeddedFile>& embedded_files();

}  // namespace baliza
