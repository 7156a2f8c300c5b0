// Where the nodes of a dbt project live, decided as dbt decides it, once, at load time:
//
//   schema    generate_schema_name(custom, node): no custom schema -> target.schema, else
//             "<target.schema>_<custom>" (tests storing failures: custom "dbt_test__audit")
//   alias     generate_alias_name(custom, node): the alias config, else the node's name
//   database  generate_database_name(custom, node): the database config, else the target's
//
// A project's own macro of the same name replaces each default; it is rendered with
// (custom value or none, node) where node is a dict of name, resource_type, unique_id, fqn,
// path, original_file_path, package_name, config, and its output (trimmed) is the name.
// Results are stored in Node::schema / identifier / database, which relation.h then uses.
// Sources keep their yml schema (default: the source's name) and identifier. Baliza projects
// (baliza.yml) never call this: their rules are relation.h's.
#pragma once

#include "transform/dbt_profile.h"
#include "transform/project.h"

namespace baliza::transform {

// Throws usage_error when an override macro fails to render (with its file:line).
void apply_dbt_naming(Project& project, const DbtTarget& target);

}  // namespace baliza::transform
