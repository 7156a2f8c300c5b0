// Durable file copies and atomic replacement, for snapshots of a database file (ops/checkpoint.h,
// `baliza backup`).
//
// copy_file_durably copies every byte of `from` into a new file `to` (which must not exist): a
// reflink where the filesystem shares blocks (btrfs, XFS: instant, no extra space), else
// copy_file_range in the kernel, else read/write. The copy is fsync'ed before it returns, so a
// crash afterwards never leaves a short file under that name. On any error it removes what it
// wrote and throws an environment error (exit 3) naming both paths and the system's reason.
//
// replace_file renames `from` over `to` (same filesystem: atomic; readers see the old or the new
// file, never a mix) and fsyncs the folder so the rename survives a crash.
#pragma once

#include <filesystem>

namespace baliza {

void copy_file_durably(const std::filesystem::path& from, const std::filesystem::path& to);
void replace_file(const std::filesystem::path& from, const std::filesystem::path& to);
// fsyncs a folder (after creating, renaming or removing entries in it); errors are ignored.
void sync_directory(const std::filesystem::path& dir);

}  // namespace baliza
