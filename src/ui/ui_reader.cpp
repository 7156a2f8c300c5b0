#include "ui/ui_reader.h"

#include "core/error.h"
#include "db/writer_intent.h"

namespace baliza::ui {

namespace {
constexpr auto kIdleClose = std::chrono::milliseconds(1000);
}

UiReader::UiReader(std::string database_path, ReaderOptions options)
    : path_(std::move(database_path)), options_(std::move(options)) {
  options_.guard = true;
  closer_ = std::thread([this] { idle_closer(); });
}

UiReader::~UiReader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  closer_.join();
}

void UiReader::idle_closer() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kIdleClose / 4);
    if (!reader_) continue;
    bool idle = std::chrono::steady_clock::now() - last_used_ > kIdleClose;
    if (idle || (!reader_->served_by_holder() && writer_waiting(path_))) reader_.reset();
  }
  reader_.reset();
}

TextTable UiReader::query(const std::string& sql, const SqlParams& params, std::uint64_t max_rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_used_ = std::chrono::steady_clock::now();
  // A file opened here is let go at once when a writer waits for it (db/writer_intent.h); the
  // next read then goes through that writer's socket.
  if (reader_ && !reader_->served_by_holder() && writer_waiting(path_)) reader_.reset();
  if (!reader_) reader_ = open_reader(path_, options_);
  TextTable t = reader_->query(sql, params, max_rows);
  last_used_ = std::chrono::steady_clock::now();
  return t;
}

void UiReader::with_reader(const std::function<void(Reader&)>& body) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_used_ = std::chrono::steady_clock::now();
  if (reader_ && !reader_->served_by_holder() && writer_waiting(path_)) reader_.reset();
  if (!reader_) reader_ = open_reader(path_, options_);
  body(*reader_);
  last_used_ = std::chrono::steady_clock::now();
}

bool UiReader::has_relation(const std::string& schema, const std::string& name) {
  TextTable t = query(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
      {schema, name});
  return t.row_count() == 1 && t.text(0, 0) != "0";
}

std::string UiReader::source() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reader_ ? reader_->source() : "";
}

}  // namespace baliza::ui
