#!/usr/bin/env python3
"""Validates a dbt artifact (manifest.json, run_results.json, catalog.json, sources.json) against
dbt's JSON Schema for it (draft 7, from dbt-core's schemas/dbt/; no network).

usage: dbt_artifact_validate.py <schema.json> <artifact.json>

Exit 0 when the artifact is valid, 1 otherwise (each problem printed with its JSON path, at most
50), 2 on bad usage.
"""
import json
import sys
import warnings

import jsonschema

warnings.filterwarnings("ignore", category=DeprecationWarning)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema = json.load(open(sys.argv[1]))
    doc = json.load(open(sys.argv[2]))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:50]:
        path = "/".join(str(p) for p in e.absolute_path)
        print(f"{sys.argv[2]}: /{path}: {e.message[:300]}")
    if len(errors) > 50:
        print(f"... and {len(errors) - 50} more")
    if errors:
        print(f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
