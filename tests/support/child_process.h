// A `baliza` child process of an integration test, started with posix_spawn in a folder, its
// stdout and stderr in files there (child.out / child.err, or <name>.out / <name>.err), killed
// with SIGKILL if the test ends before it does.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/process.h"

extern char** environ;

namespace baliza::testing {

inline std::string baliza_bin() {
#ifdef BALIZA_BIN
  return BALIZA_BIN;
#else
  // integration_tests lives in <build>/tests/, the binary in <build>/.
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "baliza")
      .string();
#endif
}

// A running `baliza` child; stdout and stderr go to files in `dir`.
class Child {
 public:
  Child(const std::filesystem::path& dir, const std::vector<std::string>& args,
        const std::string& name = "child")
      : dir_(dir), name_(name) {
    std::vector<std::string> argv{baliza_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, (dir / (name + ".out")).c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, (dir / (name + ".err")).c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    const int rc = posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  // Exit code, or 128 + signal.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out() const { return read_file(dir_ / (name_ + ".out")); }
  std::string err() const { return read_file(dir_ / (name_ + ".err")); }

 private:
  std::filesystem::path dir_;
  std::string name_;
  pid_t pid_ = -1;
};

}  // namespace baliza::testing
