// Small string helpers shared by the transform layer: edit distance for "did you mean",
// glob matching for selectors, identifier checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace baliza::transform {

// Levenshtein distance between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `limit` candidates closest to `name` (distance <= max(2, |name|/3)), closest first,
// ties by name. Empty when nothing is close enough.
std::vector<std::string> closest_names(std::string_view name,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

// "; did you mean 'x'?" / "; did you mean 'x' or 'y'?" or "" when there is no suggestion.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// Shell-style glob: '*' any run of characters, '?' one character; everything else literal.
bool glob_match(std::string_view pattern, std::string_view text);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace baliza::transform
