#include <cstdio>

int main() {
  std::puts("baliza " BALIZA_VERSION);
  return 0;
}
