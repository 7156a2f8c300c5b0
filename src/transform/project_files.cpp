#include "transform/project_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/sha256.h"
#include "transform/python_model.h"
#include "transform/test_blocks.h"

namespace baliza::transform {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Offset of the part of `path` under one of `dirs`, or npos.
std::size_t under(std::string_view path, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    if (path.size() > dir.size() + 1 && path.substr(0, dir.size()) == dir &&
        path[dir.size()] == '/') {
      return dir.size() + 1;
    }
  }
  return std::string_view::npos;
}

void prepare_one(PreparedFile& f) {
  try {
    if (!f.disk_path.empty()) f.file.content = read_whole_file(f.disk_path);
    f.checksum = sha256_hex(f.file.content);
    if (f.kind == FileKind::kModel || f.kind == FileKind::kSingularTest) {
      f.tmpl = std::make_shared<Template>(Template::parse(f.file.content, f.file.path));
    } else if (f.kind == FileKind::kPythonModel) {
      f.tmpl = std::make_shared<Template>(
          Template::parse(python_model_template(f.file.content, f.file.path), f.file.path));
    } else if (f.kind == FileKind::kSnapshot) {
      // The template engine finds the {% snapshot %} blocks (and reports an unclosed one or
      // one without a name with file:line); each body becomes its own template, the text
      // before it blanked (newlines kept) so positions still point into the file.
      Template whole = Template::parse(f.file.content, f.file.path);
      for (const TemplateBlock& b : whole.blocks()) {
        if (b.tag != "snapshot") continue;
        std::string body = f.file.content.substr(0, b.body_end);
        for (std::size_t i = 0; i < b.body_begin; ++i) {
          if (body[i] != '\n') body[i] = ' ';
        }
        f.snapshots.emplace_back(
            b.name, std::make_shared<Template>(Template::parse(std::move(body), f.file.path)));
      }
    } else if (f.kind == FileKind::kMacros) {
      f.macro_file = MacroFile::parse(rewrite_test_blocks(f.file.content), f.file.path);
    } else if (f.kind == FileKind::kProperties) {
      f.properties = parse_schema_file(f.file.content, f.file.path);
    }
  } catch (...) {
    f.error = std::current_exception();
  }
}

}  // namespace

FileKind classify_file(const std::string& path, const ProjectSettings& s, std::size_t& offset) {
  bool yml = ends_with(path, ".yml") || ends_with(path, ".yaml");
  if ((offset = under(path, s.model_paths)) != std::string_view::npos) {
    if (ends_with(path, ".sql")) return FileKind::kModel;
    if (s.dbt && is_python_model_path(path)) return FileKind::kPythonModel;
    return yml ? FileKind::kProperties : FileKind::kIgnored;
  }
  if ((offset = under(path, s.seed_paths)) != std::string_view::npos) {
    if (ends_with(path, ".csv")) return FileKind::kSeed;
    return yml ? FileKind::kProperties : FileKind::kIgnored;
  }
  if ((offset = under(path, s.test_paths)) != std::string_view::npos) {
    // tests/generic/*.sql hold {% test %} definitions (macros), not singular tests.
    if (ends_with(path, ".sql") && path.compare(offset, 8, "generic/") == 0)
      return FileKind::kMacros;
    if (ends_with(path, ".sql")) return FileKind::kSingularTest;
    return yml ? FileKind::kProperties : FileKind::kIgnored;
  }
  if ((offset = under(path, s.snapshot_paths)) != std::string_view::npos) {
    if (ends_with(path, ".sql")) return FileKind::kSnapshot;
    return yml ? FileKind::kProperties : FileKind::kIgnored;
  }
  if ((offset = under(path, s.macro_paths)) != std::string_view::npos) {
    return ends_with(path, ".sql") ? FileKind::kMacros : FileKind::kIgnored;
  }
  return FileKind::kIgnored;
}

void prepare_files(std::vector<PreparedFile>& files) {
  // Threads pay off only for many files; small projects stay on the calling thread.
  unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  unsigned workers = files.size() < 256 ? 1 : std::min(hardware, 8u);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) prepare_one(files[i]);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  // Every file's error is reported, not only the first (template errors are usage errors;
  // anything else, e.g. an unreadable file, is rethrown as it is).
  std::vector<std::string> errors;
  for (const PreparedFile& f : files) {
    if (!f.error) continue;
    try {
      std::rethrow_exception(f.error);
    } catch (const Error& e) {
      if (e.code() != ExitCode::kUsage) throw;
      errors.emplace_back(e.what());
    }
  }
  throw_collected_errors(errors);
}

void throw_collected_errors(const std::vector<std::string>& errors) {
  if (errors.empty()) return;
  if (errors.size() == 1) throw usage_error(errors[0]);
  std::string message = std::to_string(errors.size()) + " errors in the project:";
  for (const std::string& e : errors) message += "\n  " + e;
  throw usage_error(message);
}

std::string read_whole_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw environment_error("cannot read " + path.string() + "; check its permissions");
  struct stat st {};
  std::string content;
  if (::fstat(fd, &st) == 0) content.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (true) {
    if (done == content.size()) content.resize(content.size() + 4096);  // grew since fstat
    ssize_t n = ::read(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      ::close(fd);
      throw environment_error("cannot read " + path.string() + ": I/O error");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  content.resize(done);
  return content;
}

}  // namespace baliza::transform
