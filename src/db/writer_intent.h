// Readers yield to a writer. A process that opens the file read-only (a `baliza query`, the UI)
// blocks a writer that starts meanwhile, since DuckDB locks the file for readers too. So a
// writer that finds the file held by readers only (db/lock_error.h: held_by_readers_only)
// announces itself in <database>.writer (its PID) and waits for them; readers look for that
// file before opening the database themselves, and when a live writer is waiting they wait for
// it to hold the file and then read through its socket instead (db/reader.h). The UI closes a
// file it has open as soon as it sees the announcement.
//
// A WriterIntent removes its file when destroyed; a file left by a process that died (its PID
// is gone) is ignored.
#pragma once

#include <string>

namespace baliza {

class WriterIntent {
 public:
  explicit WriterIntent(std::string database_path);
  ~WriterIntent();
  WriterIntent(const WriterIntent&) = delete;
  WriterIntent& operator=(const WriterIntent&) = delete;

 private:
  std::string path_;
};

// True when a live process announced it waits to write database_path.
bool writer_waiting(const std::string& database_path);

// True when database_path is locked only with read (shared) locks, by other processes (from
// /proc/locks): the holders are read-only openers, which release it when their read is done.
bool held_by_readers_only(const std::string& database_path);

}  // namespace baliza
