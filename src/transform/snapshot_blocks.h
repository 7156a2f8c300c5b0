// The `{% snapshot name %} SELECT ... {% endsnapshot %}` blocks of a file under snapshot-paths
// (dbt's snapshot definitions). Each body keeps its line numbers: it is preceded by as many
// newlines as there are lines before it in the file, so template errors point into the file.
// A missing {% endsnapshot %} or a block without a name is a usage error with file:line.
#pragma once

#include <string>
#include <vector>

namespace baliza::transform {

struct SnapshotBlock {
  std::string name;
  std::string body;
};

std::vector<SnapshotBlock> find_snapshot_blocks(const std::string& text, const std::string& file);

}  // namespace baliza::transform
