// How `baliza ui` reads the database: every statement through the read guard (db/read_guard.h),
// through the holder's read socket when a process holds the file, else the file opened
// read-only with external access off. A file opened here is closed after a second without
// requests, and at once when a writer announces it waits for the file (db/writer_intent.h), so
// the UI never keeps an extraction or a transform from starting.
//
// Threads: query() may be called from any thread; requests are served one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/reader.h"

namespace baliza::ui {

class UiReader {
 public:
  UiReader(std::string database_path, ReaderOptions options);
  ~UiReader();
  UiReader(const UiReader&) = delete;
  UiReader& operator=(const UiReader&) = delete;

  TextTable query(const std::string& sql, const SqlParams& params = {},
                  std::uint64_t max_rows = UINT64_MAX);
  // Runs body with the reader (opening it if needed), for read procedures (Reader::call: the
  // lineage trace and impact, ops/explain_request.h), which the holder runs through its socket
  // while another process holds the file, or this process on the file opened read-only.
  void with_reader(const std::function<void(Reader&)>& body);
  // Whether a table or view exists (schema.name), for views over optional tables.
  bool has_relation(const std::string& schema, const std::string& name);
  // Where reads go now ("process N (...)" or "read-only file X"), "" when nothing is open.
  std::string source();
  const std::string& database_path() const { return path_; }

 private:
  void idle_closer();
  std::string path_;
  ReaderOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unique_ptr<Reader> reader_;
  std::chrono::steady_clock::time_point last_used_;
  bool stopping_ = false;
  std::thread closer_;
};

}  // namespace baliza::ui
