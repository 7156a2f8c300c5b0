#include "core/file_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"

namespace baliza {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw environment_error(what + " " + path.string() + ": " + std::strerror(err) +
                          (err == ENOSPC ? " (free some disk space and try again)" : ""));
}

// Copies the rest of `in` into `out` with copy_file_range, falling back to read/write where the
// kernel or filesystem does not offer it. Returns 0 or an errno.
int copy_contents(int in, int out, off_t size) {
  off_t done = 0;
  bool kernel_copy = true;
  std::vector<char> buf;
  while (done < size) {
    if (kernel_copy) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, size_t(size - done), 0);
      if (n > 0) {
        done += n;
        continue;
      }
      if (n == 0) break;  // the file shrank while we copied
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) return errno;
      kernel_copy = false;
      if (::lseek(in, done, SEEK_SET) < 0 || ::lseek(out, done, SEEK_SET) < 0) return errno;
    }
    if (buf.empty()) buf.resize(1 << 20);
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      ssize_t w = ::write(out, buf.data() + written, size_t(n - written));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno;
      written += w;
    }
    done += n;
  }
  return 0;
}

}  // namespace

void copy_file_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) fail("cannot read", from, errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) fail("cannot read", from, errno);
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) fail("cannot create", to, errno);
  int err = 0;
  if (::ioctl(out.get(), FICLONE, in.get()) != 0)
    err = copy_contents(in.get(), out.get(), st.st_size);
  if (err == 0 && ::fsync(out.get()) != 0) err = errno;
  if (err == 0 && ::close(out.release()) != 0) err = errno;
  if (err != 0) {
    std::error_code ignored;
    std::filesystem::remove(to, ignored);
    fail("cannot copy " + from.string() + " to", to, err);
  }
}

void sync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

void replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    fail("cannot rename " + from.string() + " to", to, errno);
  sync_directory(to.parent_path());
}

}  // namespace baliza
