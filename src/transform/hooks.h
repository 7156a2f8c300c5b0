// Hooks: SQL a project runs around its nodes and runs, as dbt does.
//
//   pre_hook / post_hook (also spelled pre-hook / post-hook; a string, a list, or {sql: ...}
//   entries) on models, seeds and snapshots: rendered in the node's context ({{ this }} is the
//   node's relation) and run on the node's connection right before / after it is built. Hooks
//   accumulate across config layers (project, yml, SQL file), outer ones first.
//   on-run-start / on-run-end (dbt_project.yml): rendered without a node and run before the
//   first node / after the last one.
// A failing hook fails what it belongs to (the node, or the run) with the hook's position and
// DuckDB's message. Empty hooks are skipped.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "transform/compiler.h"

namespace baliza::transform {

// The node's hooks (post: post_hook), in the order they run.
std::vector<std::string> node_hooks(const Node& node, bool post);

// Renders and runs each hook; `label` names them in errors ("pre_hook", "on-run-start").
// Throws baliza::Error "<label>[i] of <where>: <message>".
void run_hooks(Connection& conn, const Compiler& compiler, const std::vector<std::string>& hooks,
               const Node* node, const std::string& label, const std::string& where);

}  // namespace baliza::transform
