// A fresh temporary directory for one test, removed (recursively) when the test ends.
// Creating one also sets BALIZA_CEILING_DIRECTORIES to the temporary root (for this process
// and the commands it starts), so project discovery never walks above the test's folders: a
// stray baliza.yml or dbt_project.yml in /tmp cannot change what a test builds.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>

namespace baliza::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    setenv("BALIZA_CEILING_DIRECTORIES", std::filesystem::temp_directory_path().c_str(), 1);
    path_ = std::filesystem::temp_directory_path() /
            ("baliza-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace baliza::testing
