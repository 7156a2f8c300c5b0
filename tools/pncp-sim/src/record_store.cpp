#include "record_store.h"

#include "record_builder.h"

namespace pncp_sim::detail {

static const size_t kMaxSelections = 512;

RecordStore::RecordStore(const Options& options)
    : universe_(options), max_records_(std::max<size_t>(options.cache_records, 1)) {}

std::shared_ptr<const RecordStore::Slice> RecordStore::day_slice(Family family, int day) {
  const long long key = static_cast<long long>(day) * 8 + static_cast<int>(family);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = slices_.find(key);
    if (it != slices_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.pos);
      return it->second.slice;
    }
  }
  // Generate outside the lock; two threads may race to build the same day, which is harmless.
  auto slice = std::make_shared<Slice>();
  const int n = universe_.count(family, day);
  slice->reserve(n);
  for (int i = 0; i < n; ++i)
    slice->push_back(build_record(universe_, universe_.skeleton(family, day, i)).dump());
  std::lock_guard<std::mutex> lock(mutex_);
  if (slices_.count(key)) return slices_[key].slice;
  lru_.push_front(key);
  slices_[key] = {slice, lru_.begin()};
  cached_records_ += slice->size();
  while (cached_records_ > max_records_ && lru_.size() > 1) {
    auto victim = slices_.find(lru_.back());
    cached_records_ -= victim->second.slice->size();
    slices_.erase(victim);
    lru_.pop_back();
  }
  return slice;
}

void RecordStore::append_text(const Ref& ref, std::string& out) {
  if (ref.index >= universe_.count(ref.family, ref.day)) {  // a late (data-shift) record
    out += build_record(universe_, universe_.skeleton(ref.family, ref.day, ref.index)).dump();
    return;
  }
  out += (*day_slice(ref.family, ref.day))[ref.index];
}

void RecordStore::append_texts(const Selection& sel, size_t first, size_t last, std::string& out) {
  // Pages are large (500 records ~ 700 kB): one allocation instead of repeated doubling, which
  // page-faults fresh memory on every request.
  std::vector<std::shared_ptr<const Slice>> held;
  std::vector<const std::string*> parts;
  std::vector<std::string> late;
  late.reserve(last - first);
  size_t size = out.size() + (last - first);
  for (size_t i = first; i < last; ++i) {
    const Ref& ref = sel.refs[i];
    if (sel.rewritten) {
      parts.push_back(&sel.texts[i]);
    } else if (ref.index >= universe_.count(ref.family, ref.day)) {
      late.push_back(text(ref));
      parts.push_back(&late.back());
    } else {
      held.push_back(day_slice(ref.family, ref.day));
      parts.push_back(&(*held.back())[ref.index]);
    }
    size += parts.back()->size();
  }
  out.reserve(size + 256);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ',';
    out += *parts[i];
  }
}

std::string RecordStore::text(const Ref& ref) {
  std::string out;
  append_text(ref, out);
  return out;
}

std::shared_ptr<const Selection> RecordStore::select(const ViewQuery& query,
                                                     const std::string& post_key,
                                                     const PostFilter& post) {
  const std::string key = view_key(query) + "|" + std::to_string(query.extra) + "|" + post_key;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = selections_.find(key);
    if (it != selections_.end()) {
      selection_lru_.splice(selection_lru_.begin(), selection_lru_, it->second.pos);
      return it->second.selection;
    }
  }
  auto selection = std::make_shared<Selection>();
  selection->refs = select_refs(universe_, query);
  if (post) post(*this, *selection);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!selections_.count(key)) {
    selection_lru_.push_front(key);
    selections_[key] = {selection, selection_lru_.begin()};
    if (selection_lru_.size() > kMaxSelections) {
      selections_.erase(selection_lru_.back());
      selection_lru_.pop_back();
    }
  }
  return selections_[key].selection;
}

}  // namespace pncp_sim::detail
