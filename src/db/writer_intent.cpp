#include "db/writer_intent.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace baliza {

namespace {
std::string intent_path(const std::string& database_path) {
  return database_path + ".writer";
}
}  // namespace

WriterIntent::WriterIntent(std::string database_path) : path_(intent_path(database_path)) {
  std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    out << ::getpid() << "\n";
  }
  std::rename(tmp.c_str(), path_.c_str());
}

WriterIntent::~WriterIntent() {
  // Only our own announcement: another writer may have replaced it.
  std::ifstream in(path_);
  long pid = 0;
  if (in >> pid && pid == ::getpid()) ::unlink(path_.c_str());
}

bool writer_waiting(const std::string& database_path) {
  std::ifstream in(intent_path(database_path));
  long pid = 0;
  if (!(in >> pid) || pid <= 0 || pid == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool held_by_readers_only(const std::string& database_path) {
  struct stat st {};
  if (::stat(database_path.c_str(), &st) != 0) return false;
  char device[64];
  std::snprintf(device, sizeof device, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::ifstream locks("/proc/locks");
  std::string line;
  bool any = false;
  while (std::getline(locks, line)) {
    // "1: POSIX  ADVISORY  READ 1234 08:01:5678 0 EOF"
    std::istringstream fields(line);
    std::string id, kind, mode, access, pid, dev;
    if (!(fields >> id >> kind)) continue;
    if (kind == "->") fields >> kind;  // a blocked waiter: "1: -> POSIX ..."
    if (!(fields >> mode >> access >> pid >> dev)) continue;
    if (dev != device) continue;
    if (access != "READ") return false;
    any = true;
  }
  return any;
}

}  // namespace baliza
