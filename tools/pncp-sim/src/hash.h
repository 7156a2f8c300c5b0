// Seeded hashing and a small PRNG. Every random choice of the simulator comes from here, so
// the data is the same on every platform (std:: distributions are implementation-defined).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace pncp_sim::detail {

inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline uint64_t hash_of(uint64_t a) {
  return mix64(a);
}

template <class... Rest>
uint64_t hash_of(uint64_t a, uint64_t b, Rest... rest) {
  return hash_of(mix64(a) ^ (b * 0xff51afd7ed558ccdULL), static_cast<uint64_t>(rest)...);
}

inline uint64_t hash_text(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return mix64(h);
}

// Uniform in [0, 1).
inline double unit_interval(uint64_t h) {
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return mix64(state_++ * 0x9e3779b97f4a7c15ULL + 1); }
  double uniform() { return unit_interval(next()); }
  bool chance(double p) { return uniform() < p; }
  // Inclusive range.
  int range(int lo, int hi) { return lo + static_cast<int>(next() % (uint64_t)(hi - lo + 1)); }
  // Index drawn from cumulative weights (last element is the total).
  size_t pick(const std::vector<double>& cumulative);

 private:
  uint64_t state_;
};

inline size_t Rng::pick(const std::vector<double>& cumulative) {
  double x = uniform() * cumulative.back();
  size_t lo = 0, hi = cumulative.size() - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cumulative[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

inline std::vector<double> cumulative_of(const std::vector<double>& weights) {
  std::vector<double> out;
  double total = 0;
  for (double w : weights) out.push_back(total += w);
  return out;
}

}  // namespace pncp_sim::detail
