#include "cli/interrupts.h"

#include <unistd.h>

namespace baliza::cli {
namespace {

std::atomic<int> g_interrupts{0};

void on_interrupt(int) {
  if (g_interrupts.fetch_add(1) >= 1) {
    static const char kMessage[] = "\ninterrupted again: exiting now\n";
    ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    (void)ignored;
    _exit(130);
  }
  static const char kFirst[] =
      "\ninterrupted: finishing pages in flight (Ctrl-C again to quit now)\n";
  ssize_t ignored = write(STDERR_FILENO, kFirst, sizeof kFirst - 1);
  (void)ignored;
}

}  // namespace

const std::atomic<int>& interrupt_count() {
  return g_interrupts;
}

InterruptGuard::InterruptGuard() {
  g_interrupts = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

}  // namespace baliza::cli
