// Ctrl-C for long commands: while an InterruptGuard lives, the first SIGINT/SIGTERM increments
// interrupt_count() (the work polls it and winds down cleanly); the second exits at once with
// 130. The database is transactional, so nothing half-written survives either way.
#pragma once

#include <atomic>
#include <csignal>

namespace baliza::cli {

const std::atomic<int>& interrupt_count();

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace baliza::cli
