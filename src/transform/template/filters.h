// Jinja filters ({{ x | join(', ') }}): the built-in table. Internal to the template engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "transform/template/value.h"

namespace baliza::transform::tmpl {

using FilterFn = Value (*)(Evaluator& ev, const Value& subject, CallArgs& args, std::size_t offset);

// nullptr when there is no filter of that name.
const FilterFn* find_filter(std::string_view name);
const std::vector<std::string>& filter_names();

// JSON text of a value as Python's json.dumps writes it (", " and ": " separators), with
// sort_keys and indent as in tojson.
std::string to_json_text(const Value& v, bool sort_keys, int indent);

}  // namespace baliza::transform::tmpl
