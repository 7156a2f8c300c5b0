#!/usr/bin/env python3
"""Validates OpenLineage events (one JSON document per line) against the official JSON Schemas.

usage: openlineage_validate.py <spec dir with OpenLineage.json and facets/> <events.jsonl>

Each event is validated against OpenLineage.json (RunEvent), and each facet against the facet
schema its _schemaURL names: the facet file must exist in the spec, its version must be the
one in _schemaURL, and the facet must sit under the key that schema declares (e.g. "schema"
for SchemaDatasetFacet). $refs are resolved from the local files only (no network).
Exit 0 when every event is valid, 1 otherwise (each problem printed), 2 on bad usage.
"""
import glob
import json
import os
import re
import sys
import uuid
import warnings

import jsonschema

warnings.filterwarnings("ignore", category=DeprecationWarning)


def load_store(spec_dir):
    store = {}
    core = json.load(open(os.path.join(spec_dir, "OpenLineage.json")))
    store[core["$id"]] = core
    for path in glob.glob(os.path.join(spec_dir, "facets", "*.json")):
        schema = json.load(open(path))
        store[schema["$id"]] = schema
    return core, store


def make_validator(schema, store):
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18

        registry = Registry().with_resources(
            [(uri, Resource.from_contents(s)) for uri, s in store.items()]
        )
        return cls(schema, registry=registry)
    except ImportError:  # Debian 12's python3-jsonschema 4.10
        resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
        return cls(schema, resolver=resolver)


def facet_files(store):
    by_name = {}
    for uri, schema in store.items():
        m = re.match(r"https://openlineage.io/spec/facets/([0-9-]+)/(\w+)\.json$", uri)
        if m:
            by_name[m.group(2)] = (m.group(1), uri, schema)
    return by_name


def iter_facets(event):
    run = event.get("run", {})
    for key, f in run.get("facets", {}).items():
        yield "run.facets." + key, key, f
    for key, f in event.get("job", {}).get("facets", {}).items():
        yield "job.facets." + key, key, f
    for side in ("inputs", "outputs"):
        for i, d in enumerate(event.get(side, [])):
            for group in ("facets", "inputFacets", "outputFacets"):
                for key, f in d.get(group, {}).items():
                    yield "%s[%d].%s.%s" % (side, i, group, key), key, f


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    core, store = load_store(sys.argv[1])
    run_event = dict(core)
    run_event_validator = make_validator(core, store)
    facets = facet_files(store)
    validators = {}
    problems = 0
    count = 0
    with open(sys.argv[2]) as f:
        lines = [l for l in f if l.strip()]
    for lineno, line in enumerate(lines, 1):
        count += 1
        where = "event %d" % lineno
        try:
            event = json.loads(line)
        except ValueError as e:
            print("%s: not JSON: %s" % (where, e))
            problems += 1
            continue
        for err in run_event_validator.iter_errors(event):
            print("%s: %s at %s" % (where, err.message, "/".join(map(str, err.absolute_path))))
            problems += 1
        try:
            uuid.UUID(event["run"]["runId"])
        except (KeyError, ValueError, TypeError):
            print("%s: run.runId is not a UUID" % where)
            problems += 1
        for path, key, facet in iter_facets(event):
            url = facet.get("_schemaURL", "") if isinstance(facet, dict) else ""
            m = re.match(r"https://openlineage.io/spec/facets/([0-9-]+)/(\w+)\.json#/\$defs/(\w+)$", url)
            if not m:
                print("%s: %s has no facet _schemaURL of the spec: %r" % (where, path, url))
                problems += 1
                continue
            version, name = m.group(1), m.group(2)
            if name not in facets:
                print("%s: %s names %s, not in the spec" % (where, path, name))
                problems += 1
                continue
            spec_version, uri, schema = facets[name]
            if version != spec_version:
                print("%s: %s is %s version %s; the spec has %s" % (where, path, name, version, spec_version))
                problems += 1
            declared = list(schema.get("properties", {}).keys())
            if key not in declared:
                print("%s: %s: %s facets go under %s" % (where, path, name, declared))
                problems += 1
                continue
            if name not in validators:
                validators[name] = make_validator(schema, store)
            for err in validators[name].iter_errors({key: facet}):
                print("%s: %s: %s at %s" % (where, path, err.message, "/".join(map(str, err.absolute_path))))
                problems += 1
    if count == 0:
        print("no events in %s" % sys.argv[2])
        return 1
    print("%d events, %d problems" % (count, problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
