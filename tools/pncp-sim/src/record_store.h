// Serialized records and query selections, cached so that serving a page costs little more
// than concatenating strings. Thread-safe. The record cache is an LRU of whole days of one
// family, bounded by Options::cache_records; selections are an LRU of the last queries.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "universe.h"
#include "views.h"

namespace pncp_sim::detail {

// A query's result: the records in API order, as JSON texts.
struct Selection {
  std::vector<Ref> refs;
  std::vector<std::string> texts;  // only for views that rewrite records (PCA item filter)
  bool rewritten = false;
};

class RecordStore {
 public:
  explicit RecordStore(const Options& options);
  const Universe& universe() const { return universe_; }

  // `post` (may be null) rewrites the selected records; it is part of the cache key `key`.
  using PostFilter = std::function<void(RecordStore&, Selection&)>;
  std::shared_ptr<const Selection> select(const ViewQuery& query, const std::string& post_key,
                                          const PostFilter& post);

  // Appends the JSON text of a record (generating and caching its day on a miss).
  void append_text(const Ref& ref, std::string& out);
  // Appends the records [first, last) of a selection, comma-separated, growing `out` once.
  void append_texts(const Selection& sel, size_t first, size_t last, std::string& out);
  std::string text(const Ref& ref);

 private:
  using Slice = std::vector<std::string>;
  std::shared_ptr<const Slice> day_slice(Family family, int day);

  Universe universe_;
  size_t max_records_;
  std::mutex mutex_;
  std::list<long long> lru_;  // most recent first
  struct Entry {
    std::shared_ptr<const Slice> slice;
    std::list<long long>::iterator pos;
  };
  std::unordered_map<long long, Entry> slices_;
  size_t cached_records_ = 0;
  std::list<std::string> selection_lru_;
  struct SelectionEntry {
    std::shared_ptr<const Selection> selection;
    std::list<std::string>::iterator pos;
  };
  std::unordered_map<std::string, SelectionEntry> selections_;
};

}  // namespace pncp_sim::detail
